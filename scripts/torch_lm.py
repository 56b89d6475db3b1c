#!/usr/bin/env python3
"""PyTorch reference for `routelab bench lm-step --torch` and `routelab bench sample --torch`: the persona
language model (token + learned position embeddings, pre-LN blocks of causal multi-head attention and an exact
GELU MLP, final layer norm, untied unembedding with bias) written plainly in PyTorch, timed on the same shapes
as routelab's benchmark. Needs Debian's python3-torch (not a dependency of routelab; used to cross-check
speed claims).

Reads one JSON object from argv[1]:
  {"mode": "train" | "sample", "threads": n, "vocabSize": v, "maxLen": t, "steps": s, "warmup": w,
   "rows": [{"name": ..., "dModel": d, "nLayers": l, "nHeads": h, "dMlp": m, "batch": b,
             # train: the optimiser persona trains with (AdamW, warmup + cosine schedule, clipping)
             "lr": ..., "weightDecay": ..., "warmupSteps": ..., "decaySteps": ..., "maxGradNorm": ...,
             # sample: prompt length, new tokens, temperature (0 = greedy)
             "promptLen": p, "newTokens": n, "temperature": t}]}
Prints one JSON object: {"torch": version, "threads": n, "blasThreads": n or null,
"rows": [{"name", "msPerStep": median, "minMs"}]}.

Threads: torch.set_num_threads pins PyTorch's own thread pool but not the BLAS library that Debian's build
calls for matrix products (BLAS_INFO=generic: the system's OpenBLAS), which otherwise runs on every core.
Measured on a 2-core machine, the "one thread" full-model step ran its products on two threads and took 77 ms
instead of 101 ms. So the BLAS thread count is set in the environment before torch loads (OpenBLAS, MKL and
OpenMP read it there); the count OpenBLAS then reports is printed beside the rows, and a mismatch is an error
rather than a reference timed on more threads than routelab.
"""
import json
import math
import os
import sys
import time

THREADS = int(json.loads(sys.argv[1]).get("threads", 1)) if len(sys.argv) > 1 else 1
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ[_var] = str(THREADS)

import torch  # noqa: E402  (after the thread variables, which BLAS reads when it loads)
import torch.nn.functional as F


class Block(torch.nn.Module):
    def __init__(self, d, heads, d_mlp):
        super().__init__()
        self.heads = heads
        self.ln1 = torch.nn.LayerNorm(d, eps=1e-5)
        self.q = torch.nn.Linear(d, d)
        self.k = torch.nn.Linear(d, d)
        self.v = torch.nn.Linear(d, d)
        self.o = torch.nn.Linear(d, d)
        self.ln2 = torch.nn.LayerNorm(d, eps=1e-5)
        self.w_in = torch.nn.Linear(d, d_mlp)
        self.w_out = torch.nn.Linear(d_mlp, d)

    def split(self, x):
        b, t, d = x.shape
        return x.view(b, t, self.heads, d // self.heads).transpose(1, 2)

    def forward(self, x, mask, cache=None):
        b, t, d = x.shape
        h = self.ln1(x)
        q, k, v = self.split(self.q(h)), self.split(self.k(h)), self.split(self.v(h))
        if cache is not None:
            if "k" in cache:
                k = torch.cat([cache["k"], k], dim=2)
                v = torch.cat([cache["v"], v], dim=2)
            cache["k"], cache["v"] = k, v
        scores = q @ k.transpose(-1, -2) / math.sqrt(d // self.heads)
        if mask is not None:
            scores = scores + mask
        z = torch.softmax(scores, dim=-1) @ v
        x = x + self.o(z.transpose(1, 2).reshape(b, t, d))
        return x + self.w_out(F.gelu(self.w_in(self.ln2(x))))


class Transformer(torch.nn.Module):
    def __init__(self, vocab, max_len, d, layers, heads, d_mlp):
        super().__init__()
        self.tok = torch.nn.Embedding(vocab, d)
        self.pos = torch.nn.Embedding(max_len, d)
        self.blocks = torch.nn.ModuleList([Block(d, heads, d_mlp) for _ in range(layers)])
        self.ln_final = torch.nn.LayerNorm(d, eps=1e-5)
        self.unembed = torch.nn.Linear(d, vocab)
        for p in self.parameters():
            if p.dim() > 1:
                torch.nn.init.normal_(p, 0, 0.02)

    def forward(self, tokens, start=0, caches=None):
        t = tokens.shape[1]
        x = self.tok(tokens) + self.pos(torch.arange(start, start + t))
        mask = None
        if t > 1:
            mask = torch.full((t, t), -1e9).triu(1)
            if start > 0:
                mask = torch.cat([torch.zeros(t, start), mask], dim=1)
        for i, block in enumerate(self.blocks):
            x = block(x, mask, None if caches is None else caches[i])
        return self.unembed(self.ln_final(x))


def median(values):
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def model_of(spec, cfg):
    return Transformer(cfg["vocabSize"], cfg["maxLen"], spec["dModel"], spec["nLayers"], spec["nHeads"], spec["dMlp"])


def time_train(spec, cfg):
    model = model_of(spec, cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=spec.get("lr", 1e-3), weight_decay=spec.get("weightDecay", 0.0))
    warm, decay, floor = spec.get("warmupSteps", 0), spec.get("decaySteps", 0), spec.get("minLrFraction", 0.1)

    def factor(step):  # step is 0-based in LambdaLR; routelab's schedule is 1-based
        s = step + 1
        if warm > 0 and s <= warm:
            return s / warm
        if decay <= warm:
            return 1.0
        p = min(1.0, (s - warm) / (decay - warm))
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * p))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
    clip = spec.get("maxGradNorm")
    tokens = torch.randint(0, cfg["vocabSize"], (spec["batch"], cfg["maxLen"]))
    inputs, targets = tokens[:, :-1], tokens[:, 1:]

    def step():
        logits = model(inputs)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        sched.step()
        return loss.item()

    return timed(step, cfg)


@torch.no_grad()
def time_sample(spec, cfg):
    model = model_of(spec, cfg).eval()
    b, p, n, temp = spec["batch"], spec["promptLen"], spec["newTokens"], spec.get("temperature", 0)
    prompts = torch.randint(0, cfg["vocabSize"], (b, p))
    gen = torch.Generator().manual_seed(0)

    def step():
        caches = [{} for _ in model.blocks]
        logits = model(prompts, 0, caches)[:, -1]
        for i in range(n):
            if temp > 0:
                nxt = torch.multinomial(torch.softmax(logits / temp, dim=-1), 1, generator=gen)
            else:
                nxt = logits.argmax(dim=-1, keepdim=True)
            if i + 1 == n:
                break
            logits = model(nxt, p + i, caches)[:, -1]
        return nxt.sum().item()

    return timed(step, cfg)


def timed(step, cfg):
    for _ in range(cfg.get("warmup", 2)):
        step()
    times = []
    for _ in range(cfg.get("steps", 10)):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    return {"msPerStep": median(times), "minMs": min(times)}


def blas_threads():
    """The thread count of the OpenBLAS this process loaded, or None where none is loaded (another BLAS)."""
    import ctypes

    try:
        with open("/proc/self/maps") as maps:  # Linux: the libraries this process has mapped
            paths = {line.split()[-1] for line in maps if "openblas" in line.split()[-1]}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            return int(ctypes.CDLL(path).openblas_get_num_threads())
        except (OSError, AttributeError):
            continue
    return None


def main():
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    blas = blas_threads()
    if blas is not None and blas != THREADS:
        sys.exit(f"PyTorch's OpenBLAS runs {blas} threads, not the {THREADS} asked for: the reference would not be pinned")
    fn = time_train if cfg["mode"] == "train" else time_sample
    rows = [{"name": spec["name"], **fn(spec, cfg)} for spec in cfg["rows"]]
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "blasThreads": blas, "rows": rows}))


if __name__ == "__main__":
    main()

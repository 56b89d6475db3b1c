#!/usr/bin/env python3
"""PyTorch reference for `routelab bench mnist-step`: one routed training step of the paper-size split
autoencoder (784-2048-512-32 encoder, mirrored decoder, batch 2048, Adam 1e-3), the same shapes and loss
terms as routelab's benchmark. Prints seconds per step as JSON. Needs Debian's python3-torch (not a
dependency of routelab; used to cross-check speed claims)."""
import json
import time

import torch

torch.manual_seed(0)
B, D, H1, H2, C = 2048, 784, 2048, 512, 32


def mlp(sizes):
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


encoder, decoder = mlp([D, H1, H2, C]), mlp([C, H2, H1, D])
params = list(encoder.parameters()) + list(decoder.parameters())
opt = torch.optim.Adam(params, lr=1e-3)
x = torch.rand(B, D)
forget = (torch.rand(B) < 0.5).float().unsqueeze(1)
mask = torch.cat([forget.expand(B, C // 2), (1 - forget).expand(B, C // 2)], dim=1)


def step():
    code = encoder(x)
    routed = mask * code + (1 - mask) * code.detach()
    recon = torch.sigmoid(decoder(routed))
    loss = ((recon - x) ** 2).mean(dim=1).mean() + 3e-3 * code.abs().mean(0).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()


step()
times = []
for _ in range(5):
    t0 = time.perf_counter()
    step()
    times.append(time.perf_counter() - t0)
times.sort()
print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "seconds_per_step": times[len(times) // 2]}))

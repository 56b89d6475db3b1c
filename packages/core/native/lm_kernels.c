/*
 * Fused kernels of a small transformer's hot paths (layer norm, exact GELU, causal attention, linear with
 * bias, cross entropy, and their gradients), run like sgemm directly on tfjs's wasm heap: every operand is
 * a float offset into the heap, checked before anything is touched. At the persona model's sizes (d = 64,
 * 32 positions) a training step is hundreds of small tfjs ops whose dispatch, allocation and broadcasting
 * cost more than their arithmetic; each function here does in one pass what took five to fifteen ops.
 *
 * Layouts (row-major):
 *   layerNorm      x, y, dy, dx [rows, d]; gamma, beta, dgamma, dbeta [d]; mean, rstd [rows]
 *   gelu           x, y, dy, dx [n]
 *   attention      q, k, v, z, dz, dq, dk, dv [B, T, H * dh] (heads side by side, as the projections give
 *                  them); pattern [B, H, T, T] with zeros above the diagonal; the Qkv variants read q, k, v
 *                  from one qkv [B, T, 3 * H * dh] ([q | k | v] per row) and write dqkv in that layout
 *   linear         x [M, K], w [K, N], b [N] (b < 0: none), y [M, N]
 *   crossEntropy   logits, probs, dlogits [n, V]; targets int32 [n]; loss, dloss [n]
 *   sumOfSquares   x [n] -> sum of x^2 (a number: gradient clipping's global norm)
 */
#include <cblas.h>
#include <math.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lm_kernels.h"

/* Hot elementwise loops get an AVX2 clone on x86-64, picked at load time; the default clone runs anywhere. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define VECTOR_CLONES
#endif

/* ---- compute ---------------------------------------------------------------------------------------- */

/* Eight floats as one vector (GCC/Clang vector extension: AVX registers in the avx2 clone, SSE pairs otherwise);
 * loads and stores go through memcpy, so rows need no alignment. */
typedef float v8f __attribute__((vector_size(32)));
static inline v8f load8(const float *p) {
  v8f v;
  memcpy(&v, p, sizeof v);
  return v;
}
static inline void store8(float *p, v8f v) { memcpy(p, &v, sizeof v); }
static inline float sum8(v8f v) { return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7])); }

/* Row sums along 8-wide vectors where d allows (a float sum in order would not vectorise), in order otherwise. */
static inline float row_sum(int64_t d, const float *x) {
  float s = 0.f;
  if (d % 8 == 0) {
    v8f acc = {0};
    for (int64_t j = 0; j < d; j += 8) acc += load8(x + j);
    return sum8(acc);
  }
  for (int64_t j = 0; j < d; j++) s += x[j];
  return s;
}

/* sum_j (x[j] - mu)^2, vectorised like row_sum. */
static inline float row_centred_squares(int64_t d, const float *x, float mu) {
  float s = 0.f;
  if (d % 8 == 0) {
    v8f acc = {0};
    for (int64_t j = 0; j < d; j += 8) {
      const v8f c = load8(x + j) - mu;
      acc += c * c;
    }
    return sum8(acc);
  }
  for (int64_t j = 0; j < d; j++) s += (x[j] - mu) * (x[j] - mu);
  return s;
}

VECTOR_CLONES
static void layer_norm_forward(int64_t rows, int64_t d, float eps, const float *x, const float *gamma,
                               const float *beta, float *y, float *mean, float *rstd) {
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * d;
    float *yr = y + r * d;
    const float mu = row_sum(d, xr) / (float)d;
    const float rs = 1.f / sqrtf(row_centred_squares(d, xr, mu) / (float)d + eps);
    for (int64_t j = 0; j < d; j++) yr[j] = (xr[j] - mu) * rs * gamma[j] + beta[j];
    mean[r] = mu;
    rstd[r] = rs;
  }
}

VECTOR_CLONES
/* w: NULL, or a weight per row applied to that row's share of dgamma and dbeta only (parameter routing). */
static void layer_norm_backward(int64_t rows, int64_t d, const float *dy, const float *x, const float *gamma,
                                const float *mean, const float *rstd, const float *w, float *dx, float *dgamma,
                                float *dbeta) {
  memset(dgamma, 0, (size_t)d * sizeof(float));
  memset(dbeta, 0, (size_t)d * sizeof(float));
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * d, *dyr = dy + r * d;
    float *dxr = dx + r * d;
    const float mu = mean[r], rs = rstd[r], wr = w ? w[r] : 1.f;
    /* xhat = (x - mu) * rs; g = dy * gamma; dx = rs * (g - mean(g) - xhat * mean(g * xhat)) */
    float sumG = 0.f, sumGX = 0.f;
    if (d % 8 == 0) { /* the two sums along 8-wide vectors */
      v8f accG = {0}, accGX = {0};
      for (int64_t j = 0; j < d; j += 8) {
        const v8f g = load8(dyr + j) * load8(gamma + j);
        accG += g;
        accGX += g * ((load8(xr + j) - mu) * rs);
      }
      sumG = sum8(accG);
      sumGX = sum8(accGX);
    } else {
      for (int64_t j = 0; j < d; j++) {
        const float g = dyr[j] * gamma[j];
        sumG += g;
        sumGX += g * ((xr[j] - mu) * rs);
      }
    }
    for (int64_t j = 0; j < d; j++) {
      const float xhat = (xr[j] - mu) * rs;
      dgamma[j] += wr * dyr[j] * xhat;
      dbeta[j] += wr * dyr[j];
    }
    const float mG = sumG / (float)d, mGX = sumGX / (float)d;
    for (int64_t j = 0; j < d; j++) {
      const float xhat = (xr[j] - mu) * rs;
      dxr[j] = rs * (dyr[j] * gamma[j] - mG - xhat * mGX);
    }
  }
}

/*
 * erf as a rational function of x on [-4, 4] (odd numerator of degree 13 over an even denominator of degree
 * 8, a minimax fit; beyond +-4 erf is +-1 in float32): a few float ulps from libm's erff, and, unlike it,
 * a straight-line expression the compiler vectorises.
 */
static inline float erf_rational(float a) {
  const float x = a > 4.f ? 4.f : (a < -4.f ? -4.f : a);
  const float x2 = x * x;
  float p = x2 * -2.72614225801306e-10f + 2.77068142495902e-08f;
  p = x2 * p + -2.10102402082508e-06f;
  p = x2 * p + -5.69250639462346e-05f;
  p = x2 * p + -7.34990630326855e-04f;
  p = x2 * p + -2.95459980854025e-03f;
  p = x2 * p + -1.60960333262415e-02f;
  p = x * p;
  float q = x2 * -1.45660718464996e-05f + -2.13374055278905e-04f;
  q = x2 * q + -1.68282697438203e-03f;
  q = x2 * q + -7.37332916720468e-03f;
  q = x2 * q + -1.42647390514189e-02f;
  return p / q;
}

/*
 * exp(x) for x <= 0 as 2^n * p(f), n = round(x / ln 2), |f| <= ln(2) / 2, p the degree-7 Taylor polynomial
 * (truncation under 1e-9 relative, below float32's rounding): vectorisable, unlike libm's expf.
 */
static inline float exp_nonpositive(float x) {
  if (x < -87.f) x = -87.f;
  const float n = floorf(x * 1.44269504088896341f + 0.5f); /* x / ln 2, rounded */
  const float f = x - n * 0.693145751953125f - n * 1.428606765330187e-06f; /* ln 2 split in two: f exact */
  float p = 1.f / 5040.f;
  p = p * f + 1.f / 720.f;
  p = p * f + 1.f / 120.f;
  p = p * f + 1.f / 24.f;
  p = p * f + 1.f / 6.f;
  p = p * f + 0.5f;
  p = p * f + 1.f;
  p = p * f + 1.f;
  union { float f; int32_t i; } scale;
  scale.i = ((int32_t)n + 127) << 23;
  return p * scale.f;
}

VECTOR_CLONES
static void gelu_forward(int64_t n, const float *x, float *y) {
  for (int64_t i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.f + erf_rational(x[i] * 0.70710678118654752f));
}

VECTOR_CLONES
static void gelu_backward(int64_t n, const float *dy, const float *x, float *dx) {
  const float invSqrt2Pi = 0.39894228040143268f;
  for (int64_t i = 0; i < n; i++) {
    const float xi = x[i];
    const float cdf = 0.5f * (1.f + erf_rational(xi * 0.70710678118654752f));
    const float pdf = exp_nonpositive(-0.5f * xi * xi) * invSqrt2Pi;
    dx[i] = dy[i] * (cdf + xi * pdf);
  }
}

/* Row i of a causal [T, T] score block: softmax over keys 0..i, zeros after. */
VECTOR_CLONES
static void causal_softmax_rows(int64_t t, float *s) {
  for (int64_t i = 0; i < t; i++) {
    float *row = s + i * t;
    float max = row[0];
    for (int64_t j = 1; j <= i; j++) max = row[j] > max ? row[j] : max;
    for (int64_t j = 0; j <= i; j++) row[j] = exp_nonpositive(row[j] - max); /* vectorises; the sum would not */
    float sum = 0.f;
    for (int64_t j = 0; j <= i; j++) sum += row[j];
    const float inv = 1.f / sum;
    for (int64_t j = 0; j <= i; j++) row[j] *= inv;
    for (int64_t j = i + 1; j < t; j++) row[j] = 0.f;
  }
}

/*
 * Attention runs head by head in loops written for its small blocks (T positions of dh = 16-32 columns), not
 * as OpenBLAS calls: at these sizes a call's fixed cost outweighed its arithmetic (six calls per head and
 * sequence, 9 GFLOP/s on the quick model), and causality halves the work only a hand loop can skip. Scores
 * are computed against a transposed copy of the keys (scratch kt [dh, Tp], Tp = T rounded up to 8) so that the
 * innermost loop runs along a row of scores, and every other product is a row update along dh; both vectorise.
 */

/* Positions 0..i of row i, rounded up to a whole vector of 8 (the scores beyond i are computed and discarded). */
static inline int64_t causal_width(int64_t i, int64_t tp) {
  const int64_t w = (i + 8) & ~(int64_t)7;
  return w < tp ? w : tp;
}

/* kt[c, j] = src[j, c] for a block of T rows `ld` apart, columns past T zero. */
static void transpose_block(int64_t T, int64_t dh, int64_t ld, int64_t tp, const float *src, float *kt) {
  for (int64_t c = 0; c < dh; c++) {
    float *row = kt + c * tp;
    for (int64_t j = 0; j < T; j++) row[j] = src[j * ld + c];
    for (int64_t j = T; j < tp; j++) row[j] = 0.f;
  }
}

/* sum_{r < n} w[r * ws] * src[r * ld + 0..8), in two independent chains (a scalar times a vector is a
 * broadcast, and with -ffp-contract=fast each update one fused multiply-add). */
static inline v8f weighted_rows8(int64_t n, const float *w, int64_t ws, const float *src, int64_t ld) {
  v8f a0 = {0}, a1 = {0};
  int64_t r = 0;
  for (; r + 1 < n; r += 2) {
    a0 += w[r * ws] * load8(src + r * ld);
    a1 += w[(r + 1) * ws] * load8(src + (r + 1) * ld);
  }
  if (r < n) a0 += w[r * ws] * load8(src + r * ld);
  return a0 + a1;
}

/* out[i, j] = scale * a[i, :] . b[j, :] for j <= i (b given transposed as bt [dh, tp]); out rows T apart. */
VECTOR_CLONES
static void causal_scores(int64_t T, int64_t dh, int64_t ld, int64_t tp, float scale, const float *a,
                          const float *bt, float *acc /* [tp] */, float *out) {
  for (int64_t i = 0; i < T; i++) {
    const int64_t w = causal_width(i, tp);
    const float *ai = a + i * ld;
    /* blocks of 8 scores, each a chain over dh; a column's weight is ai[c] */
    for (int64_t j0 = 0; j0 < w; j0 += 8) store8(acc + j0, scale * weighted_rows8(dh, ai, 1, bt + j0, tp));
    memcpy(out + i * T, acc, (size_t)(i + 1) * sizeof(float));
  }
}

/* z[i, :] = sum_{j <= i} p[i, j] v[j, :]; z rows zd apart, v rows ld apart. */
VECTOR_CLONES
static void causal_mix(int64_t T, int64_t dh, int64_t ld, int64_t zd, const float *p, const float *v, float *z) {
  for (int64_t i = 0; i < T; i++) {
    float *zi = z + i * zd;
    const float *pi = p + i * T;
    if (dh % 8 == 0) {
      for (int64_t c = 0; c < dh; c += 8) store8(zi + c, weighted_rows8(i + 1, pi, 1, v + c, ld));
      continue;
    }
    for (int64_t c = 0; c < dh; c++) zi[c] = 0.f;
    for (int64_t j = 0; j <= i; j++) {
      const float w = pi[j];
      const float *vj = v + j * ld;
      for (int64_t c = 0; c < dh; c++) zi[c] += w * vj[c];
    }
  }
}

/* out[j, :] = sum_{i >= j} p[i, j] x[i, :]: the transposed product of a causal block; out and x rows ld / xd apart. */
VECTOR_CLONES
static void causal_mix_transposed(int64_t T, int64_t dh, int64_t xd, int64_t ld, const float *p, const float *x,
                                  float *out) {
  if (dh % 8 == 0) {
    for (int64_t j = 0; j < T; j++)
      for (int64_t c = 0; c < dh; c += 8) store8(out + j * ld + c, weighted_rows8(T - j, p + j * T + j, T, x + j * xd + c, xd));
    return;
  }
  for (int64_t j = 0; j < T; j++) {
    float *oj = out + j * ld;
    for (int64_t c = 0; c < dh; c++) oj[c] = 0.f;
  }
  for (int64_t i = 0; i < T; i++) {
    const float *xi = x + i * xd;
    const float *pi = p + i * T;
    for (int64_t j = 0; j <= i; j++) {
      const float w = pi[j];
      float *oj = out + j * ld;
      for (int64_t c = 0; c < dh; c++) oj[c] += w * xi[c];
    }
  }
}

/* Floats of scratch attention_forward / attention_backward need. */
static int64_t attention_scratch_floats(int64_t T, int64_t dh) {
  const int64_t tp = (T + 7) & ~(int64_t)7;
  return dh * tp + tp + T * T;
}

/* q, k, v rows are `ld` floats apart (D apart on their own, 3D apart inside one [B, T, 3D] product); z's D. */
static void attention_forward(int64_t B, int64_t T, int64_t H, int64_t dh, int64_t ld, float scale, const float *q,
                              const float *k, const float *v, float *pattern, float *z, float *scratch) {
  const int64_t D = H * dh, tp = (T + 7) & ~(int64_t)7;
  float *kt = scratch, *acc = kt + dh * tp;
  for (int64_t b = 0; b < B; b++) {
    for (int64_t h = 0; h < H; h++) {
      const int64_t in = b * T * ld + h * dh, out = b * T * D + h * dh;
      float *p = pattern + (b * H + h) * T * T;
      transpose_block(T, dh, ld, tp, k + in, kt);
      causal_scores(T, dh, ld, tp, scale, q + in, kt, acc, p);
      causal_softmax_rows(T, p);
      causal_mix(T, dh, ld, D, p, v + in, z + out);
    }
  }
}

/* q, k, v, dq, dk, dv rows are `ld` floats apart (as in attention_forward); dz's D. */
static void attention_backward(int64_t B, int64_t T, int64_t H, int64_t dh, int64_t ld, float scale, const float *q,
                               const float *k, const float *v, const float *pattern, const float *dz, float *dq,
                               float *dk, float *dv, float *scratch) {
  const int64_t D = H * dh, tp = (T + 7) & ~(int64_t)7;
  float *vt = scratch, *acc = vt + dh * tp, *ds = acc + tp;
  for (int64_t b = 0; b < B; b++) {
    for (int64_t h = 0; h < H; h++) {
      const int64_t in = b * T * ld + h * dh, at = b * T * D + h * dh;
      const float *p = pattern + (b * H + h) * T * T;
      /* dP = dZ V^T (into ds); dV = P^T dZ */
      transpose_block(T, dh, ld, tp, v + in, vt);
      causal_scores(T, dh, D, tp, 1.f, dz + at, vt, acc, ds);
      causal_mix_transposed(T, dh, D, ld, p, dz + at, dv + in);
      /* dS = scale * P * (dP - rowsum(dP * P)), in place, over j <= i (P is zero beyond) */
      for (int64_t i = 0; i < T; i++) {
        float *row = ds + i * T;
        const float *prow = p + i * T;
        float dot = 0.f;
        for (int64_t j = 0; j <= i; j++) dot += row[j] * prow[j];
        for (int64_t j = 0; j <= i; j++) row[j] = scale * prow[j] * (row[j] - dot);
      }
      /* dQ = dS K; dK = dS^T Q */
      causal_mix(T, dh, ld, ld, ds, k + in, dq + in);
      causal_mix_transposed(T, dh, ld, ld, ds, q + in, dk + in);
    }
  }
}

/*
 * One decoded row per sequence against its key/value cache ([B, cap, D], heads side by side): writes the row's
 * k and v (columns D..2D and 2D..3D of qkv [B, 3D]) at `slot`, then z[b] = softmax_j(scale q.k_j) v_j per head
 * over the slots j <= slot that hold real keys: j < lengths[b] (the row's prompt) or j >= width (generated
 * tokens); slots between are the padding of a shorter prompt and are skipped. `s` is scratch of H * cap + 2D floats.
 */
static void decode_attention(int64_t B, int64_t H, int64_t dh, int64_t cap, int64_t slot, int64_t width, float scale,
                             const float *qkv, const int32_t *lengths, float *kc, float *vc, float *z, float *s) {
  /* s: [H, cap] scores, then t: [D] products, then p: [D] each slot's weights repeated across its head's columns */
  const int64_t D = H * dh;
  float *t = s + H * cap, *p = t + D;
  for (int64_t b = 0; b < B; b++) {
    const float *q = qkv + b * 3 * D;
    float *kb = kc + b * cap * D, *vb = vc + b * cap * D, *zb = z + b * D;
    memcpy(kb + slot * D, q + D, (size_t)D * sizeof(float));
    memcpy(vb + slot * D, q + 2 * D, (size_t)D * sizeof(float));
    const int64_t len = lengths[b];
    /* Scores of every head at once: elementwise q * k_j over all D columns (vectorised), then per-head sums. */
    for (int64_t j = 0; j <= slot; j++) {
      if (j >= len && j < width) continue;
      const float *kj = kb + j * D;
      for (int64_t c = 0; c < D; c++) t[c] = q[c] * kj[c];
      for (int64_t h = 0; h < H; h++) {
        float dot = 0.f;
        for (int64_t c = 0; c < dh; c++) dot += t[h * dh + c];
        s[h * cap + j] = dot * scale;
      }
    }
    for (int64_t h = 0; h < H; h++) {
      float *sh = s + h * cap;
      float max = -INFINITY, sum = 0.f;
      for (int64_t j = 0; j <= slot; j++) {
        if (j >= len && j < width) continue;
        max = sh[j] > max ? sh[j] : max;
      }
      for (int64_t j = 0; j <= slot; j++) {
        if (j >= len && j < width) continue;
        sh[j] = exp_nonpositive(sh[j] - max);
        sum += sh[j];
      }
      const float inv = 1.f / sum;
      for (int64_t j = 0; j <= slot; j++) sh[j] *= inv;
    }
    for (int64_t c = 0; c < D; c++) zb[c] = 0.f;
    for (int64_t j = 0; j <= slot; j++) {
      if (j >= len && j < width) continue;
      for (int64_t h = 0; h < H; h++) for (int64_t c = 0; c < dh; c++) p[h * dh + c] = s[h * cap + j];
      const float *vj = vb + j * D;
      for (int64_t c = 0; c < D; c++) zb[c] += p[c] * vj[c];
    }
  }
}

static void linear_forward(int64_t m, int64_t n, int64_t k, const float *x, const float *w, const float *bias,
                           float *y) {
  if (bias) {
    for (int64_t r = 0; r < m; r++) memcpy(y + r * n, bias, (size_t)n * sizeof(float));
  }
  if (k == 0) {
    if (!bias) memset(y, 0, (size_t)(m * n) * sizeof(float));
    return;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.f, x, (int)k, w, (int)n,
              bias ? 1.f : 0.f, y, (int)n);
}

/* Returns the index of the first out-of-range target, or -1. */
static int64_t cross_entropy_forward(int64_t n, int64_t V, const float *logits, const int32_t *targets, float *loss,
                                     float *probs) {
  for (int64_t r = 0; r < n; r++) {
    const int32_t t = targets[r];
    if (t < 0 || t >= V) return r;
    const float *row = logits + r * V;
    float *pr = probs + r * V;
    float max = row[0];
    for (int64_t j = 1; j < V; j++) max = row[j] > max ? row[j] : max;
    float sum = 0.f;
    for (int64_t j = 0; j < V; j++) {
      pr[j] = exp_nonpositive(row[j] - max);
      sum += pr[j];
    }
    const float inv = 1.f / sum;
    for (int64_t j = 0; j < V; j++) pr[j] *= inv;
    loss[r] = logf(sum) - (row[t] - max);
  }
  return -1;
}

static void cross_entropy_backward(int64_t n, int64_t V, const float *dloss, const float *probs,
                                   const int32_t *targets, float *dlogits) {
  for (int64_t r = 0; r < n; r++) {
    const float g = dloss[r];
    const float *pr = probs + r * V;
    float *out = dlogits + r * V;
    for (int64_t j = 0; j < V; j++) out[j] = g * pr[j];
    out[targets[r]] -= g;
  }
}

/* sum_i x[i]^2 for gradient clipping's global norm: float vectors within blocks of 1024, the blocks summed in
 * double (the norm of a million-element gradient then loses nothing a float sum in order would keep). */
VECTOR_CLONES
static double sum_of_squares(int64_t n, const float *x) {
  double total = 0.0;
  int64_t i = 0;
  for (; i + 1024 <= n; i += 1024) {
    v8f a = {0}, b = {0};
    for (int64_t j = i; j < i + 1024; j += 16) {
      const v8f u = load8(x + j), w = load8(x + j + 8);
      a += u * u;
      b += w * w;
    }
    total += (double)sum8(a + b);
  }
  for (; i < n; i++) total += (double)x[i] * (double)x[i];
  return total;
}

/* ---- N-API ------------------------------------------------------------------------------------------ */

#define MAX_ARGS 16

typedef struct {
  float *heap;
  int64_t length;
  double v[MAX_ARGS];
} Args;

/* Reads (heap, n numbers). Returns 0 and throws on a wrong call. */
static int read_args(napi_env env, napi_callback_info info, const char *name, size_t count, Args *out) {
  size_t argc = MAX_ARGS + 1;
  napi_value argv[MAX_ARGS + 1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  if (argc != count + 1) {
    napi_throw_type_error(env, NULL, name);
    return 0;
  }
  bool typed = false;
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (napi_is_typedarray(env, argv[0], &typed) != napi_ok || !typed ||
      napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_float32_array) {
    napi_throw_type_error(env, NULL, "routelab_blas: the heap must be a Float32Array");
    return 0;
  }
  out->heap = (float *)data;
  out->length = (int64_t)length;
  for (size_t i = 0; i < count; i++) {
    if (napi_get_value_double(env, argv[i + 1], &out->v[i]) != napi_ok) {
      napi_throw_type_error(env, NULL, name);
      return 0;
    }
  }
  return 1;
}

static int dims_ok(napi_env env, const char *name, const double *v, size_t count) {
  for (size_t i = 0; i < count; i++) {
    if (!(v[i] >= 0 && v[i] <= INT32_MAX) || v[i] != floor(v[i])) {
      napi_throw_range_error(env, NULL, name);
      return 0;
    }
  }
  return 1;
}

/* Each operand: offset v[i] must hold `count` floats inside the heap. */
static float *operand(Args *a, double offset, int64_t count, int *ok) {
  if (!(offset >= 0) || offset != floor(offset) || (int64_t)offset > a->length || count > a->length - (int64_t)offset) {
    *ok = 0;
    return NULL;
  }
  return a->heap + (int64_t)offset;
}

#define OPERANDS_CHECKED(env, name, ok)                                                               \
  if (!(ok)) {                                                                                        \
    napi_throw_range_error(env, NULL, name ": an operand lies outside the heap");                    \
    return NULL;                                                                                      \
  }

/* float *var = `floats` floats of scratch (the binding frees it); out of memory throws and returns. */
#define SCRATCH(env, name, var, floats)                                                               \
  float *var = malloc((size_t)(floats) * sizeof(float));                                              \
  if (!var) {                                                                                         \
    napi_throw_error(env, NULL, name ": out of memory");                                             \
    return NULL;                                                                                      \
  }

static napi_value LayerNormForward(napi_env env, napi_callback_info info) {
  static const char *sig = "layerNormForward(heap, rows, d, x, gamma, beta, y, mean, rstd, eps)";
  Args a;
  if (!read_args(env, info, sig, 9, &a) || !dims_ok(env, sig, a.v, 2)) return NULL;
  const int64_t rows = (int64_t)a.v[0], d = (int64_t)a.v[1];
  int ok = 1;
  const float *x = operand(&a, a.v[2], rows * d, &ok), *gamma = operand(&a, a.v[3], d, &ok), *beta = operand(&a, a.v[4], d, &ok);
  float *y = operand(&a, a.v[5], rows * d, &ok), *mean = operand(&a, a.v[6], rows, &ok), *rstd = operand(&a, a.v[7], rows, &ok);
  OPERANDS_CHECKED(env, "layerNormForward", ok);
  layer_norm_forward(rows, d, (float)a.v[8], x, gamma, beta, y, mean, rstd);
  return NULL;
}

static napi_value LayerNormBackward(napi_env env, napi_callback_info info) {
  static const char *sig = "layerNormBackward(heap, rows, d, dy, x, gamma, mean, rstd, dx, dgamma, dbeta)";
  Args a;
  if (!read_args(env, info, sig, 10, &a) || !dims_ok(env, sig, a.v, 2)) return NULL;
  const int64_t rows = (int64_t)a.v[0], d = (int64_t)a.v[1];
  int ok = 1;
  const float *dy = operand(&a, a.v[2], rows * d, &ok), *x = operand(&a, a.v[3], rows * d, &ok);
  const float *gamma = operand(&a, a.v[4], d, &ok), *mean = operand(&a, a.v[5], rows, &ok), *rstd = operand(&a, a.v[6], rows, &ok);
  float *dx = operand(&a, a.v[7], rows * d, &ok), *dgamma = operand(&a, a.v[8], d, &ok), *dbeta = operand(&a, a.v[9], d, &ok);
  OPERANDS_CHECKED(env, "layerNormBackward", ok);
  layer_norm_backward(rows, d, dy, x, gamma, mean, rstd, NULL, dx, dgamma, dbeta);
  return NULL;
}

static napi_value LayerNormBackwardWeighted(napi_env env, napi_callback_info info) {
  static const char *sig = "layerNormBackwardWeighted(heap, rows, d, dy, x, gamma, mean, rstd, rowWeight, dx, dgamma, dbeta)";
  Args a;
  if (!read_args(env, info, sig, 11, &a) || !dims_ok(env, sig, a.v, 2)) return NULL;
  const int64_t rows = (int64_t)a.v[0], d = (int64_t)a.v[1];
  int ok = 1;
  const float *dy = operand(&a, a.v[2], rows * d, &ok), *x = operand(&a, a.v[3], rows * d, &ok);
  const float *gamma = operand(&a, a.v[4], d, &ok), *mean = operand(&a, a.v[5], rows, &ok), *rstd = operand(&a, a.v[6], rows, &ok);
  const float *w = operand(&a, a.v[7], rows, &ok);
  float *dx = operand(&a, a.v[8], rows * d, &ok), *dgamma = operand(&a, a.v[9], d, &ok), *dbeta = operand(&a, a.v[10], d, &ok);
  OPERANDS_CHECKED(env, "layerNormBackwardWeighted", ok);
  layer_norm_backward(rows, d, dy, x, gamma, mean, rstd, w, dx, dgamma, dbeta);
  return NULL;
}

/* out[K, N] = sum_r w[r] x[r, :]^T g[r, :]: the narrower of x and g is scaled row by row into scratch, then one product. */
static napi_value RowWeightedGemmTN(napi_env env, napi_callback_info info) {
  static const char *sig = "rowWeightedGemmTN(heap, M, K, N, x, g, w, out)";
  Args a;
  if (!read_args(env, info, sig, 7, &a) || !dims_ok(env, sig, a.v, 3)) return NULL;
  const int64_t m = (int64_t)a.v[0], k = (int64_t)a.v[1], n = (int64_t)a.v[2];
  int ok = 1;
  const float *x = operand(&a, a.v[3], m * k, &ok), *g = operand(&a, a.v[4], m * n, &ok), *w = operand(&a, a.v[5], m, &ok);
  float *out = operand(&a, a.v[6], k * n, &ok);
  OPERANDS_CHECKED(env, "rowWeightedGemmTN", ok);
  if (k == 0 || n == 0) return NULL;
  if (m == 0) {
    memset(out, 0, (size_t)(k * n) * sizeof(float));
    return NULL;
  }
  const int scaleX = k <= n;
  const int64_t width = scaleX ? k : n;
  const float *src = scaleX ? x : g;
  SCRATCH(env, "rowWeightedGemmTN", scaled, m * width);
  for (int64_t r = 0; r < m; r++) {
    const float wr = w[r];
    const float *in = src + r * width;
    float *o = scaled + r * width;
    for (int64_t c = 0; c < width; c++) o[c] = wr * in[c];
  }
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)k, (int)n, (int)m, 1.f, scaleX ? scaled : x, (int)k,
              scaleX ? g : scaled, (int)n, 0.f, out, (int)n);
  free(scaled);
  return NULL;
}

static napi_value GeluForward(napi_env env, napi_callback_info info) {
  static const char *sig = "geluForward(heap, n, x, y)";
  Args a;
  if (!read_args(env, info, sig, 3, &a) || !dims_ok(env, sig, a.v, 1)) return NULL;
  const int64_t n = (int64_t)a.v[0];
  int ok = 1;
  const float *x = operand(&a, a.v[1], n, &ok);
  float *y = operand(&a, a.v[2], n, &ok);
  OPERANDS_CHECKED(env, "geluForward", ok);
  gelu_forward(n, x, y);
  return NULL;
}

static napi_value GeluBackward(napi_env env, napi_callback_info info) {
  static const char *sig = "geluBackward(heap, n, dy, x, dx)";
  Args a;
  if (!read_args(env, info, sig, 4, &a) || !dims_ok(env, sig, a.v, 1)) return NULL;
  const int64_t n = (int64_t)a.v[0];
  int ok = 1;
  const float *dy = operand(&a, a.v[1], n, &ok), *x = operand(&a, a.v[2], n, &ok);
  float *dx = operand(&a, a.v[3], n, &ok);
  OPERANDS_CHECKED(env, "geluBackward", ok);
  gelu_backward(n, dy, x, dx);
  return NULL;
}

static napi_value AttentionForward(napi_env env, napi_callback_info info) {
  static const char *sig = "attentionForward(heap, B, T, H, dh, q, k, v, pattern, z, scale)";
  Args a;
  if (!read_args(env, info, sig, 10, &a) || !dims_ok(env, sig, a.v, 4)) return NULL;
  const int64_t B = (int64_t)a.v[0], T = (int64_t)a.v[1], H = (int64_t)a.v[2], dh = (int64_t)a.v[3];
  const int64_t n = B * T * H * dh;
  int ok = 1;
  const float *q = operand(&a, a.v[4], n, &ok), *k = operand(&a, a.v[5], n, &ok), *v = operand(&a, a.v[6], n, &ok);
  float *pattern = operand(&a, a.v[7], B * H * T * T, &ok), *z = operand(&a, a.v[8], n, &ok);
  OPERANDS_CHECKED(env, "attentionForward", ok);
  if (n == 0) return NULL;
  SCRATCH(env, "attentionForward", scratch, attention_scratch_floats(T, dh));
  attention_forward(B, T, H, dh, H * dh, (float)a.v[9], q, k, v, pattern, z, scratch);
  free(scratch);
  return NULL;
}

static napi_value AttentionBackward(napi_env env, napi_callback_info info) {
  static const char *sig = "attentionBackward(heap, B, T, H, dh, q, k, v, pattern, dz, dq, dk, dv, scale)";
  Args a;
  if (!read_args(env, info, sig, 13, &a) || !dims_ok(env, sig, a.v, 4)) return NULL;
  const int64_t B = (int64_t)a.v[0], T = (int64_t)a.v[1], H = (int64_t)a.v[2], dh = (int64_t)a.v[3];
  const int64_t n = B * T * H * dh;
  int ok = 1;
  const float *q = operand(&a, a.v[4], n, &ok), *k = operand(&a, a.v[5], n, &ok), *v = operand(&a, a.v[6], n, &ok);
  const float *pattern = operand(&a, a.v[7], B * H * T * T, &ok), *dz = operand(&a, a.v[8], n, &ok);
  float *dq = operand(&a, a.v[9], n, &ok), *dk = operand(&a, a.v[10], n, &ok), *dv = operand(&a, a.v[11], n, &ok);
  OPERANDS_CHECKED(env, "attentionBackward", ok);
  if (n == 0) return NULL;
  SCRATCH(env, "attentionBackward", scratch, attention_scratch_floats(T, dh));
  attention_backward(B, T, H, dh, H * dh, (float)a.v[12], q, k, v, pattern, dz, dq, dk, dv, scratch);
  free(scratch);
  return NULL;
}

/* Attention on one [B, T, 3D] product, [q | k | v] per row: no split into three tensors before, no join of dq,
 * dk and dv after (the gradient comes out in the product's own layout). */
static napi_value AttentionQkvForward(napi_env env, napi_callback_info info) {
  static const char *sig = "attentionQkvForward(heap, B, T, H, dh, qkv, pattern, z, scale)";
  Args a;
  if (!read_args(env, info, sig, 8, &a) || !dims_ok(env, sig, a.v, 4)) return NULL;
  const int64_t B = (int64_t)a.v[0], T = (int64_t)a.v[1], H = (int64_t)a.v[2], dh = (int64_t)a.v[3];
  const int64_t n = B * T * H * dh;
  int ok = 1;
  const float *qkv = operand(&a, a.v[4], 3 * n, &ok);
  float *pattern = operand(&a, a.v[5], B * H * T * T, &ok), *z = operand(&a, a.v[6], n, &ok);
  OPERANDS_CHECKED(env, "attentionQkvForward", ok);
  if (n == 0) return NULL;
  SCRATCH(env, "attentionQkvForward", scratch, attention_scratch_floats(T, dh));
  const int64_t D = H * dh;
  attention_forward(B, T, H, dh, 3 * D, (float)a.v[7], qkv, qkv + D, qkv + 2 * D, pattern, z, scratch);
  free(scratch);
  return NULL;
}

static napi_value AttentionQkvBackward(napi_env env, napi_callback_info info) {
  static const char *sig = "attentionQkvBackward(heap, B, T, H, dh, qkv, pattern, dz, dqkv, scale)";
  Args a;
  if (!read_args(env, info, sig, 9, &a) || !dims_ok(env, sig, a.v, 4)) return NULL;
  const int64_t B = (int64_t)a.v[0], T = (int64_t)a.v[1], H = (int64_t)a.v[2], dh = (int64_t)a.v[3];
  const int64_t n = B * T * H * dh;
  int ok = 1;
  const float *qkv = operand(&a, a.v[4], 3 * n, &ok);
  const float *pattern = operand(&a, a.v[5], B * H * T * T, &ok), *dz = operand(&a, a.v[6], n, &ok);
  float *dqkv = operand(&a, a.v[7], 3 * n, &ok);
  OPERANDS_CHECKED(env, "attentionQkvBackward", ok);
  if (n == 0) return NULL;
  SCRATCH(env, "attentionQkvBackward", scratch, attention_scratch_floats(T, dh));
  const int64_t D = H * dh;
  attention_backward(B, T, H, dh, 3 * D, (float)a.v[8], qkv, qkv + D, qkv + 2 * D, pattern, dz, dqkv, dqkv + D,
                     dqkv + 2 * D, scratch);
  free(scratch);
  return NULL;
}

static napi_value DecodeAttention(napi_env env, napi_callback_info info) {
  static const char *sig = "decodeAttention(heap, B, H, dh, cap, slot, width, qkv, lengths, kCache, vCache, z, scale)";
  Args a;
  if (!read_args(env, info, sig, 12, &a) || !dims_ok(env, sig, a.v, 6)) return NULL;
  const int64_t B = (int64_t)a.v[0], H = (int64_t)a.v[1], dh = (int64_t)a.v[2], cap = (int64_t)a.v[3];
  const int64_t slot = (int64_t)a.v[4], width = (int64_t)a.v[5], D = H * dh;
  if (slot >= cap || width > cap || width < 1) {
    napi_throw_range_error(env, NULL, "decodeAttention: needs 1 <= width <= cap and slot < cap");
    return NULL;
  }
  int ok = 1;
  const float *qkv = operand(&a, a.v[6], B * 3 * D, &ok);
  const int32_t *lengths = (const int32_t *)operand(&a, a.v[7], B, &ok);
  float *kc = operand(&a, a.v[8], B * cap * D, &ok), *vc = operand(&a, a.v[9], B * cap * D, &ok);
  float *z = operand(&a, a.v[10], B * D, &ok);
  OPERANDS_CHECKED(env, "decodeAttention", ok);
  for (int64_t b = 0; b < B; b++) {
    if (lengths[b] < 1 || lengths[b] > width) {
      napi_throw_range_error(env, NULL, "decodeAttention: a prompt length lies outside 1..width");
      return NULL;
    }
  }
  if (B == 0 || D == 0) return NULL;
  SCRATCH(env, "decodeAttention", s, H * cap + 2 * D);
  decode_attention(B, H, dh, cap, slot, width, (float)a.v[11], qkv, lengths, kc, vc, z, s);
  free(s);
  return NULL;
}

static napi_value SumOfSquares(napi_env env, napi_callback_info info) {
  static const char *sig = "sumOfSquares(heap, n, x)";
  Args a;
  if (!read_args(env, info, sig, 2, &a) || !dims_ok(env, sig, a.v, 1)) return NULL;
  const int64_t n = (int64_t)a.v[0];
  int ok = 1;
  const float *x = operand(&a, a.v[1], n, &ok);
  OPERANDS_CHECKED(env, "sumOfSquares", ok);
  napi_value out;
  if (napi_create_double(env, n == 0 ? 0.0 : sum_of_squares(n, x), &out) != napi_ok) return NULL;
  return out;
}

static napi_value LinearForward(napi_env env, napi_callback_info info) {
  static const char *sig = "linearForward(heap, M, N, K, x, w, bias (-1: none), y)";
  Args a;
  if (!read_args(env, info, sig, 7, &a) || !dims_ok(env, sig, a.v, 3)) return NULL;
  const int64_t m = (int64_t)a.v[0], n = (int64_t)a.v[1], k = (int64_t)a.v[2];
  int ok = 1;
  const float *x = operand(&a, a.v[3], m * k, &ok), *w = operand(&a, a.v[4], k * n, &ok);
  const float *bias = a.v[5] < 0 ? NULL : operand(&a, a.v[5], n, &ok);
  float *y = operand(&a, a.v[6], m * n, &ok);
  OPERANDS_CHECKED(env, "linearForward", ok);
  if (m == 0 || n == 0) return NULL;
  linear_forward(m, n, k, x, w, bias, y);
  return NULL;
}

static napi_value CrossEntropyForward(napi_env env, napi_callback_info info) {
  static const char *sig = "crossEntropyForward(heap, n, V, logits, targets, loss, probs)";
  Args a;
  if (!read_args(env, info, sig, 6, &a) || !dims_ok(env, sig, a.v, 2)) return NULL;
  const int64_t n = (int64_t)a.v[0], V = (int64_t)a.v[1];
  int ok = 1;
  const float *logits = operand(&a, a.v[2], n * V, &ok);
  const int32_t *targets = (const int32_t *)operand(&a, a.v[3], n, &ok);
  float *loss = operand(&a, a.v[4], n, &ok), *probs = operand(&a, a.v[5], n * V, &ok);
  OPERANDS_CHECKED(env, "crossEntropyForward", ok);
  if (n > 0 && V == 0) {
    napi_throw_range_error(env, NULL, "crossEntropyForward: V must be positive");
    return NULL;
  }
  const int64_t bad = cross_entropy_forward(n, V, logits, targets, loss, probs);
  if (bad >= 0) {
    napi_throw_range_error(env, NULL, "crossEntropyForward: a target id lies outside 0..V-1");
    return NULL;
  }
  return NULL;
}

static napi_value CrossEntropyBackward(napi_env env, napi_callback_info info) {
  static const char *sig = "crossEntropyBackward(heap, n, V, dloss, probs, targets, dlogits)";
  Args a;
  if (!read_args(env, info, sig, 6, &a) || !dims_ok(env, sig, a.v, 2)) return NULL;
  const int64_t n = (int64_t)a.v[0], V = (int64_t)a.v[1];
  int ok = 1;
  const float *dloss = operand(&a, a.v[2], n, &ok), *probs = operand(&a, a.v[3], n * V, &ok);
  const int32_t *targets = (const int32_t *)operand(&a, a.v[4], n, &ok);
  float *dlogits = operand(&a, a.v[5], n * V, &ok);
  OPERANDS_CHECKED(env, "crossEntropyBackward", ok);
  for (int64_t r = 0; r < n; r++) {
    if (targets[r] < 0 || targets[r] >= V) {
      napi_throw_range_error(env, NULL, "crossEntropyBackward: a target id lies outside 0..V-1");
      return NULL;
    }
  }
  cross_entropy_backward(n, V, dloss, probs, targets, dlogits);
  return NULL;
}

int routelab_register_lm_kernels(napi_env env, napi_value exports) {
  static const struct {
    const char *name;
    napi_callback fn;
  } table[] = {
      {"layerNormForward", LayerNormForward},       {"layerNormBackward", LayerNormBackward},
      {"geluForward", GeluForward},                 {"geluBackward", GeluBackward},
      {"attentionForward", AttentionForward},       {"attentionBackward", AttentionBackward},
      {"linearForward", LinearForward},             {"crossEntropyForward", CrossEntropyForward},
      {"crossEntropyBackward", CrossEntropyBackward}, {"decodeAttention", DecodeAttention},
      {"layerNormBackwardWeighted", LayerNormBackwardWeighted}, {"rowWeightedGemmTN", RowWeightedGemmTN},
      {"attentionQkvForward", AttentionQkvForward}, {"attentionQkvBackward", AttentionQkvBackward},
      {"sumOfSquares", SumOfSquares},
  };
  for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
    napi_value fn;
    if (napi_create_function(env, table[i].name, NAPI_AUTO_LENGTH, table[i].fn, NULL, &fn) != napi_ok) return 0;
    if (napi_set_named_property(env, exports, table[i].name, fn) != napi_ok) return 0;
  }
  return 1;
}

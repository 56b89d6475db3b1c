/*
 * routelab's optional native GEMM: single-precision matrix products through the system's OpenBLAS, run
 * directly on tfjs's wasm heap (a Float32Array over the wasm Memory, shared or not), so that no tensor is
 * copied in or out. The wasm backend's matMul kernel calls it when this module is built and loaded
 * (packages/core/scripts/build-native.mjs); without it the wasm path runs. Every argument is checked: a bad
 * offset throws a JavaScript RangeError instead of touching memory outside the heap.
 *
 *   sgemm(heap, transA, transB, M, N, K, a, b, c)   C[M,N] = op(A) op(B); a, b, c are float offsets into heap,
 *                                                  A is stored [M,K] ([K,M] if transA), B [K,N] ([N,K] if transB)
 *   info()                                         { config: OpenBLAS build string, threads: pool size }
 *   setThreads(n)                                  OpenBLAS's thread count (process-wide)
 *   layerNormForward, geluForward, attentionForward, ...   fused transformer kernels (lm_kernels.c)
 */
#include <node_api.h>
#include <cblas.h>
#include <stdint.h>
#include <unistd.h>

#include "lm_kernels.h"

/* OpenBLAS's own declarations (not in every cblas.h). */
extern char *openblas_get_config(void);
extern int openblas_get_num_threads(void);
extern void openblas_set_num_threads(int);

#define CHECK(call)                                                                                   \
  do {                                                                                                \
    if ((call) != napi_ok) {                                                                          \
      napi_throw_error(env, NULL, "routelab_blas: N-API call failed: " #call);                         \
      return NULL;                                                                                    \
    }                                                                                                 \
  } while (0)

static int fits(int64_t offset, int64_t count, int64_t length) {
  return offset >= 0 && count >= 0 && offset <= length && count <= length - offset;
}

static napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 9) {
    napi_throw_type_error(env, NULL, "sgemm(heap, transA, transB, M, N, K, a, b, c): expected 9 arguments");
    return NULL;
  }
  bool isTyped = false;
  CHECK(napi_is_typedarray(env, argv[0], &isTyped));
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (isTyped) CHECK(napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL));
  if (!isTyped || type != napi_float32_array) {
    napi_throw_type_error(env, NULL, "sgemm: heap must be a Float32Array");
    return NULL;
  }
  bool transA = false, transB = false;
  CHECK(napi_get_value_bool(env, argv[1], &transA));
  CHECK(napi_get_value_bool(env, argv[2], &transB));
  int64_t v[6];
  for (int i = 0; i < 6; i++) CHECK(napi_get_value_int64(env, argv[i + 3], &v[i]));
  const int64_t m = v[0], n = v[1], k = v[2], a = v[3], b = v[4], c = v[5];
  if (m < 0 || n < 0 || k < 0 || m > INT32_MAX || n > INT32_MAX || k > INT32_MAX) {
    napi_throw_range_error(env, NULL, "sgemm: M, N and K must be between 0 and 2^31 - 1");
    return NULL;
  }
  const int64_t len = (int64_t)length;
  if (!fits(a, m * k, len) || !fits(b, k * n, len) || !fits(c, m * n, len)) {
    napi_throw_range_error(env, NULL, "sgemm: an operand lies outside the heap");
    return NULL;
  }
  if (m == 0 || n == 0) return NULL;
  float *heap = (float *)data;
  if (k == 0) {
    for (int64_t i = 0; i < m * n; i++) heap[c + i] = 0.0f;
    return NULL;
  }
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, (int)m, (int)n,
              (int)k, 1.0f, heap + a, transA ? (int)m : (int)k, heap + b, transB ? (int)k : (int)n, 0.0f, heap + c,
              (int)n);
  return NULL;
}

static napi_value Info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result, config, threads;
  CHECK(napi_create_object(env, &result));
  CHECK(napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &config));
  CHECK(napi_create_int32(env, openblas_get_num_threads(), &threads));
  CHECK(napi_set_named_property(env, result, "config", config));
  CHECK(napi_set_named_property(env, result, "threads", threads));
  return result;
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t n = 0;
  if (argc != 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1) {
    napi_throw_range_error(env, NULL, "setThreads(n): n must be a positive integer");
    return NULL;
  }
  openblas_set_num_threads(n);
  return NULL;
}

/* dup(fd) and dup2(from, to): Node has neither, and pointing stderr at /dev/null and back exactly (the same
 * open file description, so a file's offset and flags are kept) needs them (backends/quiet_stderr_node.ts). */
static napi_value FdCall(napi_env env, napi_callback_info info, int pair) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t a = -1, b = -1;
  if (argc < (size_t)(pair ? 2 : 1) || napi_get_value_int32(env, argv[0], &a) != napi_ok || (pair && napi_get_value_int32(env, argv[1], &b) != napi_ok)) {
    napi_throw_type_error(env, NULL, pair ? "dup2(from, to): two file descriptors" : "dup(fd): a file descriptor");
    return NULL;
  }
  int r = pair ? dup2(a, b) : dup(a);
  if (r < 0) {
    napi_throw_error(env, NULL, pair ? "dup2 failed" : "dup failed");
    return NULL;
  }
  napi_value out;
  CHECK(napi_create_int32(env, r, &out));
  return out;
}
static napi_value Dup(napi_env env, napi_callback_info info) { return FdCall(env, info, 0); }
static napi_value Dup2(napi_env env, napi_callback_info info) { return FdCall(env, info, 1); }

NAPI_MODULE_INIT() {
  napi_value sgemm, infoFn, setThreads;
  CHECK(napi_create_function(env, "sgemm", NAPI_AUTO_LENGTH, Sgemm, NULL, &sgemm));
  CHECK(napi_create_function(env, "info", NAPI_AUTO_LENGTH, Info, NULL, &infoFn));
  CHECK(napi_set_named_property(env, exports, "sgemm", sgemm));
  CHECK(napi_set_named_property(env, exports, "info", infoFn));
  CHECK(napi_create_function(env, "setThreads", NAPI_AUTO_LENGTH, SetThreads, NULL, &setThreads));
  CHECK(napi_set_named_property(env, exports, "setThreads", setThreads));
  napi_value dupFn, dup2Fn;
  CHECK(napi_create_function(env, "dup", NAPI_AUTO_LENGTH, Dup, NULL, &dupFn));
  CHECK(napi_set_named_property(env, exports, "dup", dupFn));
  CHECK(napi_create_function(env, "dup2", NAPI_AUTO_LENGTH, Dup2, NULL, &dup2Fn));
  CHECK(napi_set_named_property(env, exports, "dup2", dup2Fn));
  if (!routelab_register_lm_kernels(env, exports)) {
    napi_throw_error(env, NULL, "routelab_blas: registering the transformer kernels failed");
    return NULL;
  }
  return exports;
}

/* The fused transformer kernels of lm_kernels.c, registered on the module's exports by blas_gemm.c. */
#ifndef ROUTELAB_LM_KERNELS_H
#define ROUTELAB_LM_KERNELS_H
#include <node_api.h>

/* Adds layerNormForward, geluForward, attentionForward, ... to `exports`; 0 when an N-API call failed. */
int routelab_register_lm_kernels(napi_env env, napi_value exports);

#endif

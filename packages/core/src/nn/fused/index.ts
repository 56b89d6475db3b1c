// Fused ops of a small transformer (native kernels on wasm in Node; tfjs compositions elsewhere).
export { fusedOps, fusedKernelsAvailable } from './availability.ts';
export { layerNorm, composedLayerNorm } from './layer_norm.ts';
export { gelu, composedGelu } from './gelu.ts';
export { causalAttention, causalAttentionQkv, composedCausalAttention, additiveCausalMask } from './causal_attention.ts';
export { linear } from './linear.ts';
export { addWithoutSaving, reshapeWithoutSaving } from './without_saving.ts';
export { crossEntropy, composedCrossEntropy } from './cross_entropy.ts';
export { oneHotEmbed, addPositions } from './embedding.ts';
export { decodeAttention, decodeAttentionAvailable, type DecodeAttentionOptions } from './decode_attention.ts';

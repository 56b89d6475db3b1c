// Side effects tfjs-core leaves to its users (the @tensorflow/tfjs umbrella package normally does this):
// gradient functions for every op, and chained ops such as `t.add(u)`. Imported once, before any backend.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';

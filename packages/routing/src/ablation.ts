// Ablation of designated units at hook points: 'zero' replaces them with 0, 'mean' with their mean activation
// over reference data (computed by unitMeans). Applied as hooks, so the trained parameters are untouched and
// the same model can be evaluated with and without ablation.
import { tf, withHooks } from '@routelab/core';
import type { HookSpec, Module } from '@routelab/core';
import { z } from 'zod';

export const ablationTargetSchema = z.object({
  hook: z.string().min(1),
  /** [from, to) on the activation's last axis. */
  units: z
    .tuple([z.number().int().nonnegative(), z.number().int().positive()])
    .refine(([a, b]) => a < b, { message: 'units needs from < to' }),
  mode: z.enum(['zero', 'mean']).default('zero'),
});
export type AblationTarget = z.infer<typeof ablationTargetSchema>;

/** Mean activation per unit of the last axis at `hook`, over `forward()` (e.g. a pass over retain data). */
export async function unitMeans(model: Module, hook: string, forward: () => void): Promise<Float32Array> {
  let means: tf.Tensor | undefined;
  withHooks(model, [[hook, (x: tf.Tensor) => {
    means = tf.keep(tf.mean(tf.reshape(x, [-1, x.shape[x.rank - 1]!]), 0));
  }]], forward);
  if (!means) throw new Error(`unitMeans: hook "${hook}" was not reached by the forward pass`);
  const out = Float32Array.from(await means.data());
  means.dispose();
  return out;
}

/**
 * Hooks that ablate the targets. `means` maps hook -> per-unit means (needed for mode 'mean').
 * The ablation mask is built once per hook; the hooks keep references until `dispose` is called.
 */
export function ablationHooks(
  targets: readonly AblationTarget[],
  means: ReadonlyMap<string, Float32Array> = new Map(),
): { hooks: HookSpec[]; dispose: () => void } {
  const owned: tf.Tensor[] = [];
  const hooks: HookSpec[] = targets.map((t) => {
    const [from, to] = t.units;
    let keep: tf.Tensor | undefined;
    let fill: tf.Tensor | undefined;
    return [
      t.hook,
      (x: tf.Tensor) => {
        const width = x.shape[x.rank - 1]!;
        if (to > width) throw new RangeError(`ablation at "${t.hook}": units [${from}, ${to}) exceed width ${width}`);
        if (!keep) {
          const k = new Float32Array(width).fill(1).fill(0, from, to);
          keep = tf.keep(tf.tensor1d(k));
          const values = new Float32Array(width);
          if (t.mode === 'mean') {
            const m = means.get(t.hook);
            if (!m) throw new Error(`ablation at "${t.hook}": mode 'mean' needs unit means for this hook`);
            values.set(m.subarray(from, to), from);
          }
          fill = tf.keep(tf.tensor1d(values));
          owned.push(keep, fill);
        }
        return tf.add(tf.mul(x, keep), fill!);
      },
    ] as const;
  });
  return { hooks, dispose: () => tf.dispose(owned) };
}

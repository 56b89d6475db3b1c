// Declarative masks, as they appear in configs. Activation masks weight contiguous regions of a hook point's
// last axis per label class; parameter masks weight slices of named parameters per label class.
import { z } from 'zod';

const range = z
  .tuple([z.number().int().nonnegative(), z.number().int().positive()])
  .refine(([from, to]) => from < to, { message: 'a range [from, to) needs from < to' });

/** Region name -> [from, to) on the activation's last axis. */
export const regionsSchema = z.record(z.string().min(1), range);
/** Region name -> gradient weight for one label class (1 = pass, 0 = block, negative = ascent). */
export const regionWeightsSchema = z.record(z.string().min(1), z.number().finite());

export const hookRouteSchema = z
  .object({
    /** Dotted hook-point name, e.g. "encoder.code". */
    hook: z.string().min(1),
    regions: regionsSchema,
    forget: regionWeightsSchema.default({}),
    retain: regionWeightsSchema.default({}),
    /** Weight of dims outside every region. */
    outside: z.number().finite().default(1),
  })
  .superRefine((spec, ctx) => {
    for (const cls of ['forget', 'retain'] as const) {
      for (const region of Object.keys(spec[cls])) {
        if (!(region in spec.regions)) {
          ctx.addIssue({
            code: 'custom',
            path: [cls, region],
            message: `unknown region "${region}"; regions: ${Object.keys(spec.regions).join(', ')}`,
          });
        }
      }
    }
  });
export type HookRoute = z.infer<typeof hookRouteSchema>;

/** Per-dimension weights of one class over a last axis of `size`. */
export function regionWeightVector(spec: HookRoute, cls: 'forget' | 'retain', size: number): Float32Array {
  const out = new Float32Array(size).fill(spec.outside);
  for (const [name, [from, to]] of Object.entries(spec.regions)) {
    if (to > size) throw new RangeError(`hook "${spec.hook}": region "${name}" [${from}, ${to}) exceeds the last axis (${size})`);
    out.fill(spec[cls][name] ?? 1, from, to);
  }
  return out;
}

/** A slice of a parameter: rows and cols of a [in, out] matrix, or cols of a vector. */
export const paramSliceSchema = z.object({
  rows: range.optional(),
  cols: range.optional(),
  weight: z.number().finite().default(1),
});
export type ParamSlice = z.infer<typeof paramSliceSchema>;

export const paramClassMaskSchema = z.object({
  /** Parameter name -> slices that this class may update (with their weights). */
  params: z.record(z.string().min(1), z.array(paramSliceSchema).min(1)).default({}),
  /** Weight of every element not covered by a slice (0 = frozen for this class). */
  default: z.number().finite().default(1),
});
export type ParamClassMask = z.infer<typeof paramClassMaskSchema>;

/** The dense mask of one parameter for one class. */
export function paramMaskValues(name: string, shape: readonly number[], spec: ParamClassMask): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size).fill(spec.default);
  const rowsTotal = shape.length === 2 ? shape[0]! : 1;
  const colsTotal = shape.length === 2 ? shape[1]! : size;
  if (shape.length > 2) throw new RangeError(`parameter "${name}": slices support rank 1 and 2, shape is [${shape.join(', ')}]`);
  for (const slice of spec.params[name] ?? []) {
    const [r0, r1] = slice.rows ?? [0, rowsTotal];
    const [c0, c1] = slice.cols ?? [0, colsTotal];
    if (r1 > rowsTotal || c1 > colsTotal) {
      throw new RangeError(`parameter "${name}" [${shape.join(', ')}]: slice rows [${r0}, ${r1}) cols [${c0}, ${c1}) is out of range`);
    }
    for (let r = r0; r < r1; r++) out.fill(slice.weight, r * colsTotal + c0, r * colsTotal + c1);
  }
  return out;
}

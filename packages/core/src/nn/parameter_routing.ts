// Parameter routing in one backward pass: each parameter's gradient is split by the class of the UNIT (row:
// a token position, or an example) where the parameter is used. For a linear y_t = x_t W:
//   dW = m_forget ⊙ Σ_{t routed as forget} x_tᵀ g_t + m_retain ⊙ Σ_{t routed as retain} x_tᵀ g_t
// and likewise for biases, embeddings, layer-norm gains and position tables: every parameter of a
// transformer or MLP enters row by row. With one label per sequence (or per example) this is exactly the
// split of the forget loss's and the retain loss's gradients (rows of different sequences never interact),
// i.e. SGTM (Shilov et al. 2025, "Beyond Data Filtering"); with per-token labels it is the token-level
// analogue of gradient routing's per-position activation masks (Cloud et al. 2024).
//
// The routed step opens a context (withParameterRouting) with the row classes and each parameter's class
// masks; the parametrised ops (linear, layerNorm, oneHotEmbed, addPositions, and concatParameters /
// sliceParameterRows, which pass a parameter's masks on to a view of it) read it while they record their
// gradients. A mask that is one number for the whole tensor (the usual case: a parameter forget-only or
// retain-only) costs one row weighting of the incoming gradient before the weight-gradient product; masks
// that differ only along the last axis (a concatenation of such parameters) one elementwise weighting; any
// other mask two products. Outside a context every op is unchanged.
import * as tf from '@tensorflow/tfjs-core';

/** One parameter's gradient masks per class, row-major in the parameter's shape. */
export interface ParameterClassMasks {
  forget: Float32Array;
  retain: Float32Array;
}

export interface ParameterRoutingSpec {
  /** 1 where the unit is routed as forget, else 0; units are the rows every parametrised op sees, in order. */
  unitIsForget: ArrayLike<number>;
  /** Parameters (the variables the model reads) and their masks; parameters absent here are not split. */
  masks: ReadonlyMap<tf.Tensor, ParameterClassMasks>;
}

/** How a parameter's masks vary, which decides what its split costs. */
type Structure =
  | { kind: 'uniform'; forget: number; retain: number }
  | { kind: 'columns'; forget: Float32Array; retain: Float32Array }
  | { kind: 'dense' };

interface Route {
  masks: ParameterClassMasks;
  shape: number[];
  structure: Structure;
  /** The model's parameters this tensor reads (itself, or the parts of a concatenation / slice). */
  bases: tf.Tensor[];
}

const structureCache = new WeakMap<Float32Array, WeakMap<Float32Array, Map<string, Structure>>>();

function classify(masks: ParameterClassMasks, shape: readonly number[]): Structure {
  let byRetain = structureCache.get(masks.forget);
  if (!byRetain) structureCache.set(masks.forget, (byRetain = new WeakMap()));
  let byShape = byRetain.get(masks.retain);
  if (!byShape) byRetain.set(masks.retain, (byShape = new Map()));
  const key = shape.join(',');
  let s = byShape.get(key);
  if (!s) byShape.set(key, (s = computeStructure(masks, shape)));
  return s;
}

function computeStructure({ forget, retain }: ParameterClassMasks, shape: readonly number[]): Structure {
  const constant = (a: Float32Array) => a.every((v) => v === a[0]);
  if (forget.length > 0 && constant(forget) && constant(retain)) return { kind: 'uniform', forget: forget[0]!, retain: retain[0]! };
  const cols = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  const rowConstant = (a: Float32Array) => a.every((v, i) => v === a[i % cols]);
  if (rowConstant(forget) && rowConstant(retain)) return { kind: 'columns', forget: forget.slice(0, cols), retain: retain.slice(0, cols) };
  return { kind: 'dense' };
}

class RoutingContext {
  readonly units: number;
  readonly routes = new Map<tf.Tensor, Route>();
  readonly used = new Set<tf.Tensor>();
  private readonly owned: tf.Tensor[] = [];
  private readonly isForget: tf.Tensor1D;
  private readonly rowWeights = new Map<string, tf.Tensor2D>();
  private readonly columnWeights = new Map<Structure, tf.Tensor2D>();
  private readonly denseMasks = new Map<Route, [tf.Tensor, tf.Tensor]>();

  constructor(spec: ParameterRoutingSpec) {
    this.units = spec.unitIsForget.length;
    this.isForget = this.own(tf.tensor1d(Float32Array.from(spec.unitIsForget)));
    for (const [param, masks] of spec.masks) {
      const shape = [...param.shape];
      if (masks.forget.length !== param.size || masks.retain.length !== param.size) {
        throw new RangeError(`withParameterRouting: masks of ${masks.forget.length} / ${masks.retain.length} values for a parameter of shape [${shape.join(', ')}]`);
      }
      this.routes.set(param, { masks, shape, structure: classify(masks, shape), bases: [param] });
    }
  }

  own<T extends tf.Tensor>(t: T): T {
    this.owned.push(tf.keep(t));
    return t;
  }

  dispose(): void {
    tf.dispose(this.owned);
  }

  /** [units, 1]: a * isForget + b * (1 - isForget). */
  rowWeight(forget: number, retain: number): tf.Tensor2D {
    const key = `${forget},${retain}`;
    let w = this.rowWeights.get(key);
    if (!w) {
      w = this.own(tf.tidy(() => tf.reshape(tf.add(tf.mul(this.isForget, forget - retain), retain), [this.units, 1]) as tf.Tensor2D));
      this.rowWeights.set(key, w);
    }
    return w;
  }

  /** [units, cols]: outer(isForget, a_forget) + outer(1 - isForget, a_retain). */
  columnWeight(s: Extract<Structure, { kind: 'columns' }>): tf.Tensor2D {
    let w = this.columnWeights.get(s);
    if (!w) {
      w = this.own(tf.tidy(() => {
        const f = tf.reshape(this.isForget, [this.units, 1]);
        const forget = tf.tensor2d(s.forget, [1, s.forget.length]);
        const retain = tf.tensor2d(s.retain, [1, s.retain.length]);
        return tf.add(tf.mul(f, forget), tf.mul(tf.sub(1, f), retain)) as tf.Tensor2D;
      }));
      this.columnWeights.set(s, w);
    }
    return w;
  }

  dense(route: Route): [tf.Tensor, tf.Tensor] {
    let m = this.denseMasks.get(route);
    if (!m) {
      m = [this.own(tf.tensor(route.masks.forget, route.shape)), this.own(tf.tensor(route.masks.retain, route.shape))];
      this.denseMasks.set(route, m);
    }
    return m;
  }
}

let active: RoutingContext | undefined;

/**
 * Runs `fn` (the forward and backward passes) with the parametrised ops splitting gradients by unit class.
 * Returns fn's value and the parameters that some routing-aware op read: a masked parameter missing from it
 * reached the loss another way, and its gradient was not split.
 */
export function withParameterRouting<T>(spec: ParameterRoutingSpec, fn: () => T): { value: T; routed: Set<tf.Tensor> } {
  if (active) throw new Error('withParameterRouting: a routing context is already open');
  const ctx = new RoutingContext(spec);
  active = ctx;
  try {
    return { value: fn(), routed: ctx.used };
  } finally {
    active = undefined;
    ctx.dispose();
  }
}

/** The route of a tensor an op is about to read as a parameter, if a context is open and routes it. */
export function parameterRoute(t: tf.Tensor | undefined): Route | undefined {
  if (!active || !t) return undefined;
  const route = active.routes.get(t);
  if (route) for (const b of route.bases) active.used.add(b);
  return route;
}

export type { Route as ParameterRoute };

/** Checks that an op's rows are the context's units (called by ops that found a route). */
export function checkRoutedRows(op: string, rows: number): void {
  if (active && rows !== active.units) {
    throw new RangeError(`${op}: parameter routing needs one row per unit (${active.units}), got ${rows} rows`);
  }
}

/**
 * The gradient of a parameter that enters row by row: `contract` maps a [units, cols] incoming gradient to
 * the parameter's gradient (or to several parameters' gradients that split alike, see sameRowWeighting) and
 * is linear in it: x^T G for a weight, column sums for a bias. Each class's rows go to its masked share.
 * `contractWeighted(g, w)`, if given, computes contract(g * w) for a row or column weighting w in fewer ops
 * (a bias: w^T g as one product). Called inside gradient functions, while the context is open.
 */
export function routedGradient<T extends tf.Tensor | tf.Tensor[]>(
  route: Route,
  g: tf.Tensor2D,
  contract: (weighted: tf.Tensor2D) => T,
  contractWeighted: (g: tf.Tensor2D, w: tf.Tensor2D) => T = (gi, w) => contract(tf.mul(gi, w) as tf.Tensor2D),
): T {
  const ctx = active;
  if (!ctx) throw new Error('routedGradient: no parameter-routing context is open (the gradient ran after the routed step)');
  const s = route.structure;
  const each = (t: T, f: (x: tf.Tensor, i: number) => tf.Tensor) => (Array.isArray(t) ? t.map(f) : f(t, 0)) as T;
  if (s.kind === 'uniform') {
    if (s.forget === s.retain) return s.forget === 1 ? contract(g) : each(contract(g), (x) => tf.mul(x, s.forget));
    return contractWeighted(g, ctx.rowWeight(s.forget, s.retain));
  }
  if (s.kind === 'columns') return contractWeighted(g, ctx.columnWeight(s));
  const [mForget, mRetain] = ctx.dense(route);
  const forget = contractWeighted(g, ctx.rowWeight(1, 0));
  const retain = contractWeighted(g, ctx.rowWeight(0, 1));
  const retainParts = Array.isArray(retain) ? retain : [retain];
  return each(forget, (x, i) => tf.add(tf.mul(x, mForget), tf.mul(retainParts[i]!, mRetain)));
}

/** contractWeighted for column sums (biases): w^T g as one product where w weights rows. */
export function weightedColumnSum(g: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor {
  if (w.shape[1] !== 1) return tf.sum(tf.mul(g, w), 0);
  return tf.reshape(tf.matMul(w, g, true, false), [g.shape[1]]);
}

/**
 * A route whose masks are one number per class weights each row by one number: that number where both
 * classes agree, else the [units, 1] row weights (owned by the context); undefined for other masks.
 */
export function uniformRowWeight(route: Route): number | tf.Tensor2D | undefined {
  const s = route.structure;
  if (s.kind !== 'uniform') return undefined;
  if (s.forget === s.retain) return s.forget;
  if (!active) throw new Error('uniformRowWeight: no parameter-routing context is open');
  return active.rowWeight(s.forget, s.retain);
}

/** Whether two routes of the same width split rows identically (then one weighted gradient serves both). */
export function sameRowWeighting(a: Route, b: Route): boolean {
  const [x, y] = [a.structure, b.structure];
  if (x.kind === 'uniform' && y.kind === 'uniform') return x.forget === y.forget && x.retain === y.retain;
  const equal = (p: Float32Array, q: Float32Array) => p.length === q.length && p.every((v, i) => v === q[i]);
  if (x.kind === 'columns' && y.kind === 'columns') return equal(x.forget, y.forget) && equal(x.retain, y.retain);
  return false;
}

/** tf.concat of parameters (e.g. original and expanded units) that keeps their routes on the result. */
export function concatParameters(parts: tf.Tensor[], axis: number): tf.Tensor {
  const out = tf.concat(parts, axis);
  if (!active) return out;
  const routes = parts.map((p) => active!.routes.get(p));
  if (routes.every((r) => r === undefined)) return out;
  if (routes.some((r) => r === undefined)) throw new Error('concatParameters: some parts are routed and some are not');
  const rs = routes as Route[];
  // Row-major concatenation: for each index before `axis`, each part's block after it, in turn.
  const outer = out.shape.slice(0, axis < 0 ? axis + out.rank : axis).reduce((a, b) => a * b, 1);
  const concatClass = (cls: 'forget' | 'retain') => {
    const joined = new Float32Array(out.size);
    let at = 0;
    for (let o = 0; o < outer; o++) {
      for (const r of rs) {
        const block = r.masks[cls].length / outer;
        joined.set(r.masks[cls].subarray(o * block, (o + 1) * block), at);
        at += block;
      }
    }
    return joined;
  };
  const masks = cachedConcat(rs, axis, () => ({ forget: concatClass('forget'), retain: concatClass('retain') }));
  const shape = [...out.shape];
  active.routes.set(out, { masks, shape, structure: classify(masks, shape), bases: rs.flatMap((r) => r.bases) });
  return out;
}

const concatCache = new WeakMap<Float32Array, { key: Float32Array[]; axis: number; masks: ParameterClassMasks }[]>();

/** The same parts' masks give the same concatenation (so its structure is classified once). */
function cachedConcat(rs: Route[], axis: number, make: () => ParameterClassMasks): ParameterClassMasks {
  const key = rs.flatMap((r) => [r.masks.forget, r.masks.retain]);
  let list = concatCache.get(key[0]!);
  if (!list) concatCache.set(key[0]!, (list = []));
  const hit = list.find((e) => e.axis === axis && e.key.length === key.length && e.key.every((k, i) => k === key[i]));
  if (hit) return hit.masks;
  const masks = make();
  list.push({ key, axis, masks });
  if (list.length > 8) list.shift();
  return masks;
}

/** The first `rows` rows of a [n, ...] parameter (e.g. position embeddings of a shorter batch), route kept. */
export function sliceParameterRows(param: tf.Tensor, rows: number): tf.Tensor {
  if (rows === param.shape[0]) return param;
  const out = tf.slice(param, 0, rows);
  const route = active?.routes.get(param);
  if (route) {
    const n = (route.masks.forget.length / param.shape[0]!) * rows;
    const masks = { forget: route.masks.forget.subarray(0, n), retain: route.masks.retain.subarray(0, n) };
    const shape = [...out.shape];
    active!.routes.set(out, { masks, shape, structure: classify(masks, shape), bases: route.bases });
  }
  return out;
}

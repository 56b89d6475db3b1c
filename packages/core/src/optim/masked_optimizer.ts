// Shared machinery of the masked optimisers: parameters by dotted name, a mask per parameter (absent = all
// ones), per-step mask overrides for data-dependent routing, the optional NaN/Inf check on gradients, and
// each parameter's state slots (AdamW's m and v, SGD's momentum buffer) with their checkpoint form.
import * as tf from '@tensorflow/tfjs-core';

export type NamedParameters = ReadonlyArray<readonly [string, tf.Variable]> | ReadonlyMap<string, tf.Variable>;
export type MaskMap = Readonly<Record<string, tf.Tensor>> | ReadonlyMap<string, tf.Tensor>;

export class NonFiniteGradientError extends Error {
  constructor(readonly parameter: string, readonly step: number) {
    super(`gradient of parameter "${parameter}" contains NaN or Inf at step ${step}`);
    this.name = 'NonFiniteGradientError';
  }
}

export class OptimizerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptimizerConfigError';
  }
}

export function toMap<V>(entries: ReadonlyArray<readonly [string, V]> | ReadonlyMap<string, V> | Readonly<Record<string, V>>): Map<string, V> {
  if (entries instanceof Map) return new Map(entries);
  if (Array.isArray(entries)) return new Map(entries as ReadonlyArray<readonly [string, V]>);
  return new Map(Object.entries(entries as Record<string, V>));
}

/** Every hyper-parameter must be a finite number in its range; the error names the field and value. */
export function assertHyper(optimizer: string, name: string, value: number, min: number, max = Infinity, minInclusive = true): void {
  const tooLow = minInclusive ? value < min : value <= min;
  if (typeof value !== 'number' || !Number.isFinite(value) || tooLow || value > max) {
    const range = `${minInclusive ? '[' : '('}${min}, ${max === Infinity ? 'inf)' : `${max}]`}`;
    throw new OptimizerConfigError(`${optimizer}: ${name} must be a finite number in ${range}, got ${String(value)}`);
  }
}

/** A non-trainable zero variable that owns its buffer (tf.variable(init) would share init's). */
export function zerosVariable(shape: readonly number[]): tf.Variable {
  const zeros = tf.zeros(shape as number[], 'float32');
  const variable = tf.variable(zeros, false);
  zeros.dispose();
  return variable;
}

export abstract class MaskedOptimizer<Slot extends string = string> {
  protected readonly params: Map<string, tf.Variable>;
  private readonly slots = new Map<string, Record<Slot, tf.Variable>>();
  private readonly masks = new Map<string, tf.Tensor>();
  private readonly onesByShape = new Map<string, tf.Tensor>();
  /** Number of steps taken so far. */
  iterations = 0;

  constructor(
    params: NamedParameters,
    masks: MaskMap | undefined,
    protected readonly checkFinite: boolean,
  ) {
    this.params = toMap(params);
    if (masks) for (const [name, mask] of toMap(masks)) this.setMask(name, mask);
  }

  /** Sets (or, with null, clears) the standing mask of one parameter. The optimiser keeps its own reference. */
  setMask(name: string, mask: tf.Tensor | null): void {
    const param = this.param(name);
    this.masks.get(name)?.dispose();
    this.masks.delete(name);
    if (!mask) return;
    if (mask.shape.join(',') !== param.shape.join(',')) {
      throw new OptimizerConfigError(
        `mask for "${name}" has shape [${mask.shape.join(', ')}], parameter has [${param.shape.join(', ')}]`,
      );
    }
    this.masks.set(name, tf.keep(tf.clone(mask)));
  }

  protected param(name: string): tf.Variable {
    const p = this.params.get(name);
    if (!p) {
      const known = [...this.params.keys()];
      throw new OptimizerConfigError(`unknown parameter "${name}"; known: ${known.join(', ') || 'none'}`);
    }
    return p;
  }

  protected maskFor(name: string, override: Map<string, tf.Tensor> | undefined): tf.Tensor {
    const mask = override?.get(name) ?? this.masks.get(name);
    if (mask) return mask;
    const shape = this.param(name).shape;
    const key = shape.join(',');
    let ones = this.onesByShape.get(key);
    if (!ones) {
      ones = tf.keep(tf.ones(shape, 'float32'));
      this.onesByShape.set(key, ones);
    }
    return ones;
  }

  /** Applies one step. grads are keyed by dotted parameter name (or by tfjs variable name). */
  async step(grads: Readonly<Record<string, tf.Tensor>>, masks?: MaskMap): Promise<void> {
    const named = this.byDottedName(grads);
    if (this.checkFinite) {
      const flags = tf.tidy(() =>
        tf.stack([...named.values()].map((g) => tf.cast(tf.all(tf.isFinite(g)), 'float32'))),
      );
      const ok = await flags.data();
      flags.dispose();
      const names = [...named.keys()];
      const bad = names.findIndex((_, i) => ok[i] !== 1);
      if (bad >= 0) throw new NonFiniteGradientError(names[bad]!, this.iterations + 1);
    }
    this.applyNamed(named, masks ? toMap(masks) : undefined);
  }

  /** tf.Optimizer-style synchronous step (no NaN/Inf check; use step() for that). */
  applyGradients(grads: Readonly<Record<string, tf.Tensor>>, masks?: MaskMap): void {
    this.applyNamed(this.byDottedName(grads), masks ? toMap(masks) : undefined);
  }

  /** Computes gradients of `loss` with respect to every parameter, applies them, and returns the loss. */
  async minimize(loss: () => tf.Scalar, masks?: MaskMap): Promise<number> {
    const names = [...this.params.keys()];
    const vars = names.map((n) => this.params.get(n)!);
    const { value, grads } = tf.variableGrads(loss, vars);
    const byName: Record<string, tf.Tensor> = {};
    for (const [i, n] of names.entries()) {
      const g = grads[vars[i]!.name];
      if (g) byName[n] = g;
    }
    try {
      await this.step(byName, masks);
      return (await value.data())[0]!;
    } finally {
      tf.dispose([value, ...Object.values(grads)]);
    }
  }

  private byDottedName(grads: Readonly<Record<string, tf.Tensor>>): Map<string, tf.Tensor> {
    const byVarName = new Map([...this.params].map(([n, v]) => [v.name, n] as const));
    const named = new Map<string, tf.Tensor>();
    for (const [key, g] of Object.entries(grads)) {
      const name = this.params.has(key) ? key : byVarName.get(key);
      if (!name) this.param(key); // throws, listing the known names
      named.set(name!, g);
    }
    return named;
  }

  protected abstract applyNamed(grads: Map<string, tf.Tensor>, masks: Map<string, tf.Tensor> | undefined): void;

  /** The state slot names a parameter has (e.g. ['m', 'v']), so restoreState can rebuild them. */
  protected abstract readonly slotNames: readonly Slot[];

  /** A parameter's state slots, created as zeros on first use. */
  protected slotsFor(name: string): Record<Slot, tf.Variable> {
    let slots = this.slots.get(name);
    if (!slots) {
      const shape = this.param(name).shape;
      slots = Object.fromEntries(this.slotNames.map((slot) => [slot, zerosVariable(shape)])) as Record<Slot, tf.Variable>;
      this.slots.set(name, slots);
    }
    return slots;
  }

  /** Optimiser state tensors by name, e.g. for checkpoints: `${param}.m`. */
  stateTensors(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [name, slots] of this.slots) {
      for (const slot of this.slotNames) out.set(`${name}.${slot}`, slots[slot]);
    }
    return out;
  }

  /**
   * Restores what stateTensors() returned (e.g. from a checkpoint) and the step count, so that training
   * continues exactly as if it had not stopped. Names and shapes are checked; the tensors are copied.
   */
  restoreState(state: Readonly<Record<string, tf.Tensor>>, iterations: number): void {
    if (!Number.isInteger(iterations) || iterations < 0) {
      throw new OptimizerConfigError(`restoreState: iterations must be a non-negative integer, got ${iterations}`);
    }
    for (const [key, value] of Object.entries(state)) {
      const dot = key.lastIndexOf('.');
      const [name, slot] = [key.slice(0, dot), key.slice(dot + 1)];
      if (dot < 0 || !(this.slotNames as readonly string[]).includes(slot)) {
        throw new OptimizerConfigError(`restoreState: "${key}" is not <parameter>.<${this.slotNames.join('|')}>`);
      }
      const target = this.slotsFor(name)[slot as Slot]; // slotsFor checks the parameter name
      if (target.shape.join(',') !== value.shape.join(',')) {
        throw new OptimizerConfigError(
          `restoreState: "${key}" has shape [${value.shape.join(', ')}], expected [${target.shape.join(', ')}]`,
        );
      }
      const copy = tf.tidy(() => tf.add(value, tf.scalar(0))); // a private copy: kernels write it in place
      target.assign(copy);
      copy.dispose(); // the variable keeps the data alive
    }
    this.iterations = iterations;
  }

  dispose(): void {
    for (const t of [...this.masks.values(), ...this.onesByShape.values(), ...this.stateTensors().values()]) t.dispose();
    this.masks.clear();
    this.onesByShape.clear();
  }
}

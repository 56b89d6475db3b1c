// Where did the gradient go? For each label class (forget, retain, unlabelled), the squared gradient mass
// each parameter block and each neuron received, with the run's routing applied. Measured at intervals
// (it costs one extra backward pass per class present) and stored in the run directory for the viewer.
import { tf, withHooks } from '@routelab/core';
import type { MetricEvent, Module } from '@routelab/core';
import { LABEL_CLASSES } from './labels.ts';
import type { LabelClass, RouteLabels } from './labels.ts';
import { planHooks } from './routed_step.ts';
import { disposePlan } from './scheme.ts';
import type { RoutingScheme, SchemeBatch } from './scheme.ts';

export interface ParameterMass {
  /** Sum of squared gradient entries. */
  mass: number;
  /**
   * Per neuron: for a [in, out] weight the mass of each output column (a unit's incoming weights); for a
   * vector, per entry. Other ranks: per entry of the last axis.
   */
  perNeuron: number[];
}

export interface GradientMassSnapshot {
  step: number;
  /** Units of each class in the measured batch. */
  counts: Record<LabelClass, number>;
  /** class -> parameter name -> mass. Classes absent from the batch are omitted. */
  classes: Partial<Record<LabelClass, Record<string, ParameterMass>>>;
}

export interface GradientMassArgs<Config> {
  step: number;
  model: Module;
  scheme: RoutingScheme<Config>;
  config: Config;
  labels: RouteLabels;
  batch?: SchemeBatch;
  unitLosses: () => tf.Tensor;
}

export async function measureGradientMass<Config>(args: GradientMassArgs<Config>): Promise<GradientMassSnapshot> {
  const { step, model, scheme, config, labels, unitLosses, batch } = args;
  const plan = scheme.plan(labels, { model, config, ...(batch ? { batch } : {}) });
  const hooks = planHooks(plan);
  const vars = model.namedParameters();
  const counts = { forget: 0, retain: 0, unlabelled: 0 };
  for (const c of labels.labelClass) counts[LABEL_CLASSES[c]!]++;
  const snapshot: GradientMassSnapshot = { step, counts, classes: {} };
  try {
    for (const [index, cls] of LABEL_CLASSES.entries()) {
      if (counts[cls] === 0) continue;
      const select = tf.tensor(Float32Array.from(labels.labelClass, (c) => (c === index ? 1 : 0)), labels.shape);
      const loss = () =>
        withHooks(model, hooks, () => {
          const losses = unitLosses();
          const w = plan.unitWeights ? tf.mul(select, plan.unitWeights) : select;
          return tf.div(tf.sum(tf.mul(losses, w)), labels.labelClass.length) as tf.Scalar;
        });
      const { value, grads } = tf.variableGrads(loss, vars.map(([, v]) => v));
      value.dispose();
      select.dispose();
      // Parameter routing masks the class's gradient; unlabelled data is routed as retain.
      const paramMasks = plan.parameters?.[cls === 'forget' ? 'forget' : 'retain'];
      const perParam: Record<string, ParameterMass> = {};
      for (const [name, v] of vars) {
        const [mass, perNeuron] = tf.tidy(() => {
          const g = paramMasks ? tf.mul(grads[v.name]!, tf.tensor(paramMasks.get(name)!, v.shape)) : grads[v.name]!;
          const sq = tf.square(g);
          const neurons = sq.rank >= 2 ? tf.sum(tf.reshape(sq, [-1, sq.shape[sq.rank - 1]!]), 0) : sq;
          return [tf.sum(sq), neurons];
        });
        perParam[name] = { mass: (await mass.data())[0]!, perNeuron: Array.from(await perNeuron.data()) };
        tf.dispose([mass, perNeuron]);
      }
      tf.dispose(Object.values(grads));
      snapshot.classes[cls] = perParam;
    }
    return snapshot;
  } finally {
    disposePlan(plan);
  }
}

const round4sig = (v: number) => (v === 0 ? 0 : Number(v.toPrecision(4)));

/**
 * The `gradient-mass` metrics event of a snapshot (what the viewer's inspector draws): every parameter's
 * total per class, and per-neuron mass only for the parameters in `perNeuronOf` (keeps metrics.jsonl small).
 */
export function gradientMassEvent(cell: string, snapshot: GradientMassSnapshot, perNeuronOf: ReadonlySet<string>): MetricEvent {
  const classes: Record<string, Record<string, { mass: number; perNeuron?: number[] }>> = {};
  for (const [cls, params] of Object.entries(snapshot.classes)) {
    classes[cls] = Object.fromEntries(
      Object.entries(params).map(([name, p]) => [
        name,
        perNeuronOf.has(name) ? { mass: round4sig(p.mass), perNeuron: p.perNeuron.map(round4sig) } : { mass: round4sig(p.mass) },
      ]),
    );
  }
  return { kind: 'gradient-mass', cell, step: snapshot.step, counts: snapshot.counts, perNeuronOf: [...perNeuronOf], classes };
}

/**
 * Where one class's gradient went, relative to a routed region: the share of the class's total mass that
 * lands on parameters outside the region (for the forget class: how much routing leaks), and the mass per
 * parameter group (the name up to its last dot, e.g. `blocks.0.attn`). NaN share when the class is absent.
 */
export function massOutsideRegion(
  snapshot: GradientMassSnapshot,
  cls: LabelClass,
  inRegion: (parameter: string) => boolean,
): { share: number; total: number; outside: number; byGroup: Record<string, number> } {
  const params = snapshot.classes[cls];
  if (!params) return { share: Number.NaN, total: 0, outside: 0, byGroup: {} };
  let total = 0;
  let outside = 0;
  const byGroup: Record<string, number> = {};
  for (const [name, { mass }] of Object.entries(params)) {
    total += mass;
    if (!inRegion(name)) outside += mass;
    const group = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : name;
    byGroup[group] = (byGroup[group] ?? 0) + mass;
  }
  return { share: total > 0 ? outside / total : Number.NaN, total, outside, byGroup };
}

// Checks a config's arms before anything runs: each named arm is defined, its scheme is in the table
// (built-in or plugin), its scheme config passes the scheme's own zod schema, and the scheme's validate and
// phases accept the model the arm would train (its parameter and hook patterns match something). The model
// is the shape-only skeleton of model/names.ts, so no tensor is made and no run directory exists yet.
import type { Module } from '@routelab/core';
import { expandPattern, getScheme, NO_PHASES, UnknownSchemeError, validatePhases, type Expansion, type RoutingScheme, type SchemePhases } from '@routelab/routing';
import type { TransformerConfig } from '../model/config.ts';
import { transformerSkeleton, type ModelSkeleton } from '../model/names.ts';
import type { ArmDefinition, Oversight, PersonaArm } from './arms.ts';

export interface ArmIssue {
  path: (string | number)[];
  message: string;
}

interface ArmsConfig {
  arms: string[];
  armDefinitions: Record<string, ArmDefinition>;
  oversight: Oversight;
}

class UnknownName extends Error {}

/** A Module-shaped view of a skeleton: what routing schemes' validate functions read (names and shapes). */
export function skeletonModule(skeleton: ModelSkeleton): Module {
  const unknown = (kind: string, name: string, known: Iterable<string>) =>
    new UnknownName(`unknown ${kind} "${name}"; the model has: ${[...known].join(', ')}`);
  const view = {
    namedParameters: () => [...skeleton.parameters].map(([n, shape]) => [n, { shape, name: n }]),
    parameter(name: string) {
      const shape = skeleton.parameters.get(name);
      if (!shape) throw unknown('parameter', name, skeleton.parameters.keys());
      return { shape, name };
    },
    hookPointNames: () => [...skeleton.hookPoints.keys()],
    hookPoint(name: string) {
      const shape = skeleton.hookPoints.get(name);
      if (shape === undefined) throw unknown('hook point', name, skeleton.hookPoints.keys());
      return { name, shape };
    },
  };
  return view as unknown as Module;
}

/** The arms a config runs, resolved (oversight filled in from the config's default). */
export function resolveArms(config: ArmsConfig): PersonaArm[] {
  return config.arms.map((name) => {
    const def = config.armDefinitions[name];
    if (!def) throw new Error(`unknown arm "${name}"; defined arms: ${Object.keys(config.armDefinitions).join(', ')}`);
    return {
      name,
      description: def.description,
      data: def.data,
      scheme: def.scheme,
      schemeConfig: def.schemeConfig,
      oversight: def.oversight ?? config.oversight,
      train: def.train,
      ...(def.earlyStopping ? { earlyStopping: def.earlyStopping } : {}),
      ...(def.unlearn ? { unlearn: def.unlearn } : {}),
    };
  });
}

/** The scheme's parsed config and phases for an arm (throws what schemeIssues reports). */
export function armScheme(arm: Pick<PersonaArm, 'scheme' | 'schemeConfig'>): { scheme: RoutingScheme<unknown>; config: unknown; phases: SchemePhases } {
  const scheme = getScheme(arm.scheme);
  const parsed = scheme.configSchema.safeParse(arm.schemeConfig);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  return { scheme, config: parsed.data, phases: scheme.phases?.(parsed.data) ?? NO_PHASES };
}

const show = (value: unknown) => {
  const text = JSON.stringify(value);
  return text === undefined ? 'undefined' : text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cursor = root;
  for (const key of path) cursor = cursor && typeof cursor === 'object' ? (cursor as Record<PropertyKey, unknown>)[key] : undefined;
  return cursor;
}

/** A further check of one arm, given its scheme's phases and the model skeleton it would train. */
export type ArmCheck<Def> = (name: string, def: Def, at: (string | number)[], phases: SchemePhases, skeleton: ModelSkeleton) => ArmIssue[];

/**
 * The arm checks every experiment with arms shares: names defined and not repeated, the scheme in the table,
 * its config passing the scheme's schema, the scheme's validate and phases accepting the model the arm would
 * train (a shape-only skeleton); then `extra` for what an experiment adds.
 */
export function checkArms<Def extends { scheme: string; schemeConfig: unknown }>(
  config: { arms: string[]; armDefinitions: Record<string, Def> },
  modelFor: (expansion: Expansion | undefined) => TransformerConfig,
  extra: ArmCheck<Def> = () => [],
): ArmIssue[] {
  const issues: ArmIssue[] = [];
  const seen = new Set<string>();
  config.arms.forEach((name, i) => {
    if (seen.has(name)) issues.push({ path: ['arms', i], message: `arm "${name}" appears twice` });
    seen.add(name);
    if (!config.armDefinitions[name]) {
      issues.push({ path: ['arms', i], message: `unknown arm "${name}"; defined arms: ${Object.keys(config.armDefinitions).join(', ')}` });
    }
  });
  for (const name of new Set(config.arms)) {
    const def = config.armDefinitions[name];
    if (!def) continue;
    const at = ['armDefinitions', name];
    let scheme: RoutingScheme<unknown>;
    try {
      scheme = getScheme(def.scheme);
    } catch (err) {
      if (!(err instanceof UnknownSchemeError)) throw err;
      issues.push({ path: [...at, 'scheme'], message: `arm "${name}": ${err.message}` });
      continue;
    }
    const parsed = scheme.configSchema.safeParse(def.schemeConfig);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k));
        issues.push({
          path: [...at, 'schemeConfig', ...path],
          message: `arm "${name}" (scheme ${def.scheme}): ${issue.message} (got ${show(valueAt(def.schemeConfig, issue.path))})`,
        });
      }
      continue;
    }
    const phases = scheme.phases?.(parsed.data) ?? NO_PHASES;
    let skeleton: ModelSkeleton;
    try {
      skeleton = transformerSkeleton(modelFor(phases.expand));
    } catch (err) {
      issues.push({ path: [...at, 'schemeConfig'], message: `arm "${name}" (scheme ${def.scheme}): ${(err as Error).message}` });
      continue;
    }
    try {
      const model = skeletonModule(skeleton);
      scheme.validate?.({ model, config: parsed.data });
      validatePhases(model, phases);
    } catch (err) {
      issues.push({ path: [...at, 'schemeConfig'], message: `arm "${name}" (scheme ${def.scheme}): ${(err as Error).message}` });
    }
    issues.push(...extra(name, def, at, phases, skeleton));
  }
  return issues;
}

/** The persona experiment's own arm checks: RMU's layer and parameter patterns. */
export const checkUnlearning: ArmCheck<ArmDefinition> = (name, def, at, phases, skeleton) => {
  if (!def.train) return checkUntrained(name, def, at, phases);
  if (!def.unlearn) return [];
  const issues: ArmIssue[] = [];
  const { layer, params } = def.unlearn;
  if (!skeleton.hookPoints.has(`blocks.${layer}.resid_post`)) {
    const blocks = [...skeleton.hookPoints.keys()].filter((h) => /^blocks\.\d+\.resid_post$/.test(h)).length;
    issues.push({ path: [...at, 'unlearn', 'layer'], message: `arm "${name}": RMU layer ${layer} does not exist (the model has blocks 0..${blocks - 1})` });
  }
  for (const [i, pattern] of (params ?? []).entries()) {
    try {
      expandPattern(pattern, [...skeleton.parameters.keys()], 'parameter');
    } catch (err) {
      issues.push({ path: [...at, 'unlearn', 'params', i], message: `arm "${name}": ${(err as Error).message}` });
    }
  }
  return issues;
};

/** An arm that skips stage 2 is the prior as it is: nothing routes, stops early or unlearns, so asking for it is an error. */
function checkUntrained(name: string, def: ArmDefinition, at: (string | number)[], phases: SchemePhases): ArmIssue[] {
  const asked = [
    def.scheme !== 'none' ? ['scheme', `scheme "${def.scheme}"`] : undefined,
    def.earlyStopping ? ['earlyStopping', 'early stopping'] : undefined,
    def.unlearn ? ['unlearn', 'unlearning'] : undefined,
    phases.expand || Object.keys(phases.ablate).length > 0 ? ['schemeConfig', 'expansion or ablation'] : undefined,
  ].filter((x): x is string[] => x !== undefined);
  return asked.map(([field, what]) => ({ path: [...at, field!], message: `arm "${name}" has train: false (the prior as it is), so ${what} has nothing to act on` }));
}

// Modules: trees of parameters, submodules and hook points, each registered under a local name. Full names
// are the dotted path from the root ("blocks.0.mlp.w_in"), computed on demand, so a module never needs to
// know where it sits. Everything is kept in registration order, which makes parameter lists, state dicts,
// checkpoints and hook-point listings deterministic: the same code gives the same order every run.
//
// Weight tying (one variable or module under two names) is refused: it would make gradient accounting by
// name ambiguous, and routing reports where gradient went by parameter name.

import * as tf from '@tensorflow/tfjs-core';
import { compareTensorShapes } from '../checkpoint/checkpoint_error.ts';
import { HookPoint } from './hook_point.ts';
import { StateDictError, UnknownNameError, type StateDictMismatch } from './module_errors.ts';

type Member =
  | { kind: 'parameter'; name: string; variable: tf.Variable }
  | { kind: 'module'; name: string; module: Module }
  | { kind: 'hook point'; name: string; hookPoint: HookPoint };

const LOCAL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INDEX_NAME = /^(0|[1-9][0-9]*)$/;

export abstract class Module {
  private readonly members: Member[] = [];
  private parent: Module | undefined;

  /** Used in error messages. */
  get typeName(): string {
    return this.constructor.name;
  }

  // ---- registration (call from subclass constructors) ----

  /**
   * Registers a trainable (by default) parameter initialised from `initial`. The variable takes over the
   * tensor's data; `initial` is disposed, so pass a fresh tensor (initNormal(...), initZeros(...)).
   */
  protected addParameter(name: string, initial: tf.Tensor, options: { trainable?: boolean } = {}): tf.Variable {
    this.checkNewName(name);
    const variable = tf.variable(initial, options.trainable ?? true);
    initial.dispose(); // the variable holds its own reference to the data
    this.members.push({ kind: 'parameter', name, variable });
    return variable;
  }

  protected addModule<M extends Module>(name: string, module: M): M {
    this.checkNewName(name);
    if ((module as Module) === this || this.hasAncestor(module)) {
      throw new Error(`${this.typeName}: adding module "${name}" would create a cycle`);
    }
    if (module.parent !== undefined) {
      throw new Error(
        `${this.typeName}: module "${name}" is already registered in a ${module.parent.typeName} ` +
          '(tying is not supported)',
      );
    }
    module.parent = this;
    this.members.push({ kind: 'module', name, module });
    return module;
  }

  /** Registers modules as `name.0`, `name.1`, ... */
  protected addModuleList<M extends Module>(name: string, modules: readonly M[]): ModuleList<M> {
    return this.addModule(name, new ModuleList(modules));
  }

  /**
   * Declares a hook point. Put the activation's shape in a comment or in `shape` at the declaration:
   *   this.hidden = this.addHookPoint('hidden', '[batch, pos, d_mlp]');
   */
  protected addHookPoint(name: string, shape?: string): HookPoint {
    this.checkNewName(name);
    const hookPoint = new HookPoint(name, shape);
    this.members.push({ kind: 'hook point', name, hookPoint });
    return hookPoint;
  }

  /** In forward: passes `x` through the hooks attached at this module's hook point `name`. */
  protected hook(name: string, x: tf.Tensor): tf.Tensor {
    const member = this.members.find((m) => m.name === name);
    if (member?.kind !== 'hook point') {
      const local = this.members.filter((m) => m.kind === 'hook point').map((m) => m.name);
      throw new UnknownNameError('hook point', name, local, this.typeName);
    }
    return member.hookPoint.run(x);
  }

  // ---- queries ----

  namedParameters(): Array<[string, tf.Variable]> {
    const out = this.collect((m) => (m.kind === 'parameter' ? m.variable : undefined));
    const seen = new Map<tf.Variable, string>();
    for (const [name, variable] of out) {
      const other = seen.get(variable);
      if (other !== undefined) {
        throw new Error(`variable registered as both "${other}" and "${name}" (tying is not supported)`);
      }
      seen.set(variable, name);
    }
    return out;
  }

  parameters(): tf.Variable[] {
    return this.namedParameters().map(([, v]) => v);
  }

  parameter(name: string): tf.Variable {
    const found = this.namedParameters().find(([n]) => n === name);
    if (found === undefined) {
      throw new UnknownNameError('parameter', name, this.namedParameters().map(([n]) => n), this.typeName);
    }
    return found[1];
  }

  parameterCount(): number {
    return this.namedParameters().reduce((total, [, v]) => total + v.size, 0);
  }

  /** Name -> shape, e.g. as `expect` for loadCheckpoint. */
  parameterShapes(): Record<string, number[]> {
    return Object.fromEntries(this.namedParameters().map(([n, v]) => [n, [...v.shape]]));
  }

  namedModules(): Array<[string, Module]> {
    return this.collect((m) => (m.kind === 'module' ? m.module : undefined));
  }

  submodule(name: string): Module {
    const found = this.namedModules().find(([n]) => n === name);
    if (found === undefined) {
      throw new UnknownNameError('module', name, this.namedModules().map(([n]) => n), this.typeName);
    }
    return found[1];
  }

  namedHookPoints(): Array<[string, HookPoint]> {
    return this.collect((m) => (m.kind === 'hook point' ? m.hookPoint : undefined));
  }

  hookPointNames(): string[] {
    return this.namedHookPoints().map(([n]) => n);
  }

  hookPoint(name: string): HookPoint {
    const found = this.namedHookPoints().find(([n]) => n === name);
    if (found === undefined) throw new UnknownNameError('hook point', name, this.hookPointNames(), this.typeName);
    return found[1];
  }

  // ---- state ----

  /** The parameters themselves (not copies), by full name: pass to saveCheckpoint; do not dispose. */
  stateDict(): Record<string, tf.Variable> {
    return Object.fromEntries(this.namedParameters());
  }

  /**
   * Assigns every parameter from `state`. All checks run before any assignment, so on error nothing
   * changes. `strict: false` tolerates missing and unexpected names (shapes and dtypes must still match).
   * The variables keep their own reference to the data: the caller may dispose `state` afterwards.
   */
  loadStateDict(state: Readonly<Record<string, tf.Tensor>>, options: { strict?: boolean } = {}): void {
    const strict = options.strict ?? true;
    const params = this.namedParameters();
    const found = Object.fromEntries(Object.entries(state).map(([n, t]) => [n, t.shape]));
    const shapes = compareTensorShapes(Object.fromEntries(params.map(([n, v]) => [n, v.shape])), found);
    const mismatch: StateDictMismatch = {
      missing: strict ? shapes.missing : [],
      unexpected: strict ? shapes.unexpected : [],
      shapeMismatches: shapes.shapeMismatches,
      dtypeMismatches: params
        .filter(([n, v]) => Object.hasOwn(state, n) && state[n]!.dtype !== v.dtype)
        .map(([n, v]) => ({ name: n, expected: v.dtype, found: state[n]!.dtype })),
    };
    const problems = [mismatch.missing, mismatch.unexpected, mismatch.shapeMismatches, mismatch.dtypeMismatches];
    if (problems.some((p) => p.length > 0)) throw new StateDictError(this.typeName, mismatch);
    for (const [name, variable] of params) {
      // Assigning a variable to itself would drop its data's last reference before re-adding it.
      if (Object.hasOwn(state, name) && state[name] !== variable) variable.assign(state[name]!);
    }
  }

  /** Frees every parameter's memory. The module is unusable afterwards. */
  dispose(): void {
    for (const [, variable] of this.namedParameters()) variable.dispose();
  }

  // ---- internals ----

  private checkNewName(name: string): void {
    const pattern = this instanceof ModuleList ? INDEX_NAME : LOCAL_NAME;
    if (!pattern.test(name)) {
      throw new RangeError(
        `${this.typeName}: invalid member name "${name}" (must match ${pattern}; dots are added by nesting)`,
      );
    }
    if (this.members.some((m) => m.name === name)) {
      throw new Error(`${this.typeName}: "${name}" is already registered`);
    }
  }

  private hasAncestor(candidate: Module): boolean {
    for (let ancestor = this.parent; ancestor !== undefined; ancestor = ancestor.parent) {
      if (ancestor === candidate) return true;
    }
    return false;
  }

  /** Depth-first, in registration order, with dotted full names. */
  private collect<T>(pick: (member: Member) => T | undefined, prefix = ''): Array<[string, T]> {
    const out: Array<[string, T]> = [];
    for (const member of this.members) {
      const fullName = prefix + member.name;
      const value = pick(member);
      if (value !== undefined) out.push([fullName, value]);
      if (member.kind === 'module') out.push(...member.module.collect(pick, `${fullName}.`));
    }
    return out;
  }
}

/** An indexed list of modules, named `0`, `1`, ... under its own name. Iterable and indexable. */
export class ModuleList<M extends Module = Module> extends Module implements Iterable<M> {
  private readonly items: readonly M[];

  constructor(modules: readonly M[]) {
    super();
    this.items = modules.map((m, i) => this.addModule(String(i), m));
  }

  get length(): number {
    return this.items.length;
  }

  at(index: number): M {
    const item = this.items.at(index);
    if (item === undefined) {
      throw new RangeError(`ModuleList index ${index} out of range (length ${this.items.length})`);
    }
    return item;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
}

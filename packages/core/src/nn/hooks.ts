// Running a model with hooks attached for exactly one call. Hooks are given as an explicit list of
// (name, fn) pairs and always removed afterwards, so a hook can never leak from one experiment arm into the
// next (the classic TransformerLens foot-gun of a forgotten `reset_hooks()`).

import type { HookFn, HookPoint } from './hook_point.ts';
import type { Module } from './module.ts';

export type HookSpec = readonly [name: string, fn: HookFn];

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Attaches `hooks` to `model`'s hook points, runs `fn`, and detaches them, even if `fn` throws. Every name
 * is checked before anything is attached; an unknown name throws listing the model's hook points.
 * Hooks at the same point run in list order. If `fn` returns a promise, hooks stay attached until it
 * settles (so do not run other forwards of the same model concurrently).
 *
 * Works under autodiff: `tf.variableGrads(() => withHooks(model, hooks, () => loss(model.forward(x))))`.
 */
export function withHooks<T>(model: Module, hooks: readonly HookSpec[], fn: () => T): T {
  const resolved: Array<[string, HookFn, HookPoint]> = hooks.map(([name, hookFn]) => {
    if (typeof hookFn !== 'function') throw new TypeError(`hook "${name}" is not a function`);
    return [name, hookFn, model.hookPoint(name)];
  });
  const detachers = resolved.map(([name, hookFn, point]) => point.attach(hookFn, name));
  const detachAll = () => {
    // Reverse order, so nested withHooks calls unwind like a stack.
    for (const detach of detachers.reverse()) detach();
  };
  let settlesLater = false;
  try {
    const result = fn();
    if (isPromiseLike(result)) {
      settlesLater = true;
      return Promise.resolve(result).finally(detachAll) as T;
    }
    return result;
  } finally {
    if (!settlesLater) detachAll();
  }
}

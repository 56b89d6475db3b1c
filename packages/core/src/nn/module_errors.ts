import { describeMismatch, type TensorSetMismatch } from '../checkpoint/checkpoint_error.ts';
import { closestNames, unknownNameMessage } from './names.ts';

export type ModuleMemberKind = 'parameter' | 'hook point' | 'module';

/** A lookup by a name that does not exist; carries the likely intended names for tools to show. */
export class UnknownNameError extends Error {
  override readonly name = 'UnknownNameError';
  readonly suggestions: string[];

  constructor(
    readonly kind: ModuleMemberKind,
    readonly requested: string,
    readonly available: readonly string[],
    owner: string,
  ) {
    super(unknownNameMessage(kind, requested, available, owner));
    this.suggestions = closestNames(requested, available);
  }
}

export interface StateDictMismatch extends TensorSetMismatch {
  dtypeMismatches: Array<{ name: string; expected: string; found: string }>;
}

/** loadStateDict found tensors that do not fit the module; nothing was assigned. */
export class StateDictError extends Error {
  override readonly name = 'StateDictError';

  constructor(
    owner: string,
    readonly mismatch: StateDictMismatch,
  ) {
    const dtypes = mismatch.dtypeMismatches.map(
      (d) => `dtype mismatch: ${d.name} expected ${d.expected}, found ${d.found}`,
    );
    const parts = [describeMismatch(mismatch), ...dtypes].filter((p) => p.length > 0);
    super(`loadStateDict into ${owner}: ${parts.join('; ')} (nothing was loaded)`);
  }
}

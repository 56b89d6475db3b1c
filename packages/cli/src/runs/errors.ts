// Errors of the run infrastructure. Bad input from the user is a UsageError (../errors.ts, exit 2); the two
// classes here cover the other ways a `run` or `resume` command ends.

/** A file of an existing run directory is unreadable or malformed (exit 1). The message names the file. */
export class RunFileError extends Error {
  constructor(
    readonly path: string,
    reason: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${path} ${reason}`, options);
    this.name = 'RunFileError';
  }
}

/**
 * Ends a command with this exit status. What the user needs to know has already been printed, so main()
 * prints nothing more: 1 for a failed experiment, 130 / 143 for a run stopped by SIGINT / SIGTERM.
 */
export class ExitStatus extends Error {
  constructor(readonly code: number) {
    super(`exit status ${code}`);
    this.name = 'ExitStatus';
  }
}

export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
export const errorCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;

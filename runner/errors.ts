/**
 * The one table of exit codes of the toolkit's own commands, never renumbered.
 * (The embedded k6 engine follows k6's own codes instead: see runner/k6/exit-codes.ts.)
 */
export const ExitCode = {
  ok: 0,
  /** A run or command finished but what it measured is incomplete (e.g. a stage failed). */
  incomplete: 1,
  /** Bad input: flags, config, results folder, CSV. Nothing was sent, nothing was overwritten. */
  usage: 2,
  /** The operator interrupted the run (Ctrl-C); what was measured is kept. */
  interrupted: 130,
  /** A bug or an environment failure the tool did not expect. */
  internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error meant for the user: one line saying what is wrong and what is expected,
 * optionally the file it concerns and a hint on how to fix it. `main()` prints it with
 * `errorLine` and exits with `exitCode`.
 */
export class UserError extends Error {
  readonly hint: string | undefined;
  readonly file: string | undefined;
  readonly exitCode: ExitCode;
  constructor(message: string, options: { hint?: string; file?: string; exitCode?: ExitCode; cause?: unknown } = {}) {
    super(options.file ? `${options.file}: ${message}` : message, { cause: options.cause });
    this.name = 'UserError';
    this.hint = options.hint;
    this.file = options.file;
    this.exitCode = options.exitCode ?? ExitCode.usage;
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** What the user sees of an error: one line, the hint (if any) after a dash at its end. */
export function errorLine(message: string, hint?: string): string {
  return `error: ${message}${hint ? ` — ${hint}` : ''}\n`;
}

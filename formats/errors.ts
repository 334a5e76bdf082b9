/**
 * The one table of exit codes of the toolkit's own commands, never renumbered.
 * (The embedded k6 engine follows k6's own codes instead: see formats/k6/exit-codes.ts.)
 */
export const ExitCode = {
  ok: 0,
  /** A run or command finished but what it measured is incomplete (e.g. a stage failed). */
  incomplete: 1,
  /** Bad input: flags, config, results folder, CSV. Nothing was sent, nothing was overwritten. */
  usage: 2,
  /** `stages`: the host could not be reached before the first stage (DNS, refused, TLS); no load sent, no run recorded. */
  unreachable: 3,
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
    // Several problems are one line each, every line naming the file.
    super(
      options.file
        ? message
            .split('\n')
            .map((line) => `${options.file}: ${line}`)
            .join('\n')
        : message,
      { cause: options.cause },
    );
    this.name = 'UserError';
    this.hint = options.hint;
    this.file = options.file;
    this.exitCode = options.exitCode ?? ExitCode.usage;
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** What the user sees of an error: one line per problem, the hint (if any) after a dash at the end of the last. */
export function errorLine(message: string, hint?: string): string {
  return `${message
    .split('\n')
    .map((line) => `error: ${line}`)
    .join('\n')}${hint ? ` — ${hint}` : ''}\n`;
}

/** File-system failures in words: an errno code (EEXIST, EISDIR…) means nothing to most users. */
const FS_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'it does not exist',
  EEXIST: 'a file of that name is in the way',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links in the path',
  EBUSY: 'it is busy',
};

/** Why a file operation failed, in words (the system's message when the code is not a common one). */
export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code && code in FS_REASONS) return FS_REASONS[code]!;
  return e instanceof Error ? e.message : String(e);
}

/**
 * A file-system error from Node (it carries the path and the system call) with a common cause:
 * a path the user gave that cannot be used, not a bug of the tool.
 */
export function isFsError(e: unknown): e is NodeJS.ErrnoException & { path: string } {
  const err = e as NodeJS.ErrnoException;
  return (
    e instanceof Error &&
    typeof err.path === 'string' &&
    typeof err.syscall === 'string' &&
    err.code !== undefined &&
    err.code in FS_REASONS
  );
}

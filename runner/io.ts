import { statSync } from 'node:fs';
import type { Writable } from 'node:stream';

/**
 * What a command may touch of the outside world. Commands receive it instead of reaching for
 * `process`, so tests run them in-process with captured streams, a fixed clock and a signal.
 */
export interface Io {
  /** The folder the user ran the command from: their relative paths resolve against it. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: Writable & { isTTY?: boolean; columns?: number };
  readonly stderr: Writable;
  /** Milliseconds since the Unix epoch. */
  readonly now: () => number;
  /** Aborted on the operator's first Ctrl-C: stop cleanly, keep what was measured. */
  readonly signal: AbortSignal;
  /** Aborted on the second Ctrl-C: stop at once (kill child processes). */
  readonly kill?: AbortSignal;
}

/**
 * Where the user ran the command: `npm run` starts scripts in the project folder and puts the
 * user's folder in INIT_CWD; without it (or when it is not a folder), the process's own cwd.
 */
export function userCwd(env: Readonly<Record<string, string | undefined>>, processCwd: string): string {
  const init = env.INIT_CWD;
  if (!init) return processCwd;
  return statSync(init, { throwIfNoEntry: false })?.isDirectory() ? init : processCwd;
}

/** The Io of the real process. `signal` is wired by the CLI's main(). */
export function processIo(signal: AbortSignal, kill?: AbortSignal): Io {
  return {
    kill,
    cwd: userCwd(process.env, process.cwd()),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    now: () => Date.now(),
    signal,
  };
}

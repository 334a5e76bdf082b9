import type { Writable } from 'node:stream';

/**
 * What a command may touch of the outside world. Commands receive it instead of reaching for
 * `process`, so tests run them in-process with captured streams, a fixed clock and a signal.
 */
export interface Io {
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

/** The Io of the real process. `signal` is wired by the CLI's main(). */
export function processIo(signal: AbortSignal, kill?: AbortSignal): Io {
  return {
    kill,
    cwd: process.cwd(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    now: () => Date.now(),
    signal,
  };
}

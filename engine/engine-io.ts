/** What a run gets from its process: cwd, env, stdout/stderr and the Ctrl-C signal; and its log lines. */
import type { Writable } from 'node:stream';
import { logLine } from './logfmt.ts';

export interface EngineIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Aborted on Ctrl-C: the test stops, outputs are completed, exit 105. */
  readonly signal: AbortSignal;
}

/** One k6 log line (logfmt) on stderr. */
export type Log = (level: string, message: string, fields?: string) => void;

export const stderrLog =
  (io: Pick<EngineIo, 'stderr'>): Log =>
  (level, message, fields = '') =>
    void io.stderr.write(logLine(level, message, fields));

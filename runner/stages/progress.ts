import { formatClock } from './format.ts';
import type { LiveFigures } from './live-stats.ts';

/** starting: the engine is starting; stopping: the plan is over, in-flight iterations finish (k6's graceful stop). */
export type Phase = 'starting' | 'ramp' | 'hold' | 'stopping';

/** The phase of a stage `elapsedMs` after its first sample (null: none yet). */
export function stagePhase(elapsedMs: number | null, rampMs: number, holdMs: number): Phase {
  if (elapsedMs === null) return 'starting';
  if (elapsedMs < rampMs) return 'ramp';
  return elapsedMs < rampMs + holdMs ? 'hold' : 'stopping';
}

/** Where the run stands, for one progress line. */
export interface ProgressState {
  readonly stageIndex: number;
  readonly stageCount: number;
  readonly users: number;
  /** Said instead of `<users> users` (the open-model stage has a rate, not users). */
  readonly label?: string;
  readonly stageElapsedMs: number;
  readonly stagePlannedMs: number;
  readonly runElapsedMs: number;
  readonly runPlannedMs: number;
  readonly phase: Phase;
  readonly keyName: string;
  readonly live: LiveFigures;
}

/** One line: `stage 3/6 · 50 users · hold · stage 0:42/1:10 · run 2:10/9:20 · 41.2 req/s · errors 0.0% · p95 search 84 ms`. */
export function formatProgress(s: ProgressState): string {
  const err = s.live.errorRate === null ? 'errors –' : `errors ${(s.live.errorRate * 100).toFixed(1)}%`;
  const p95 = s.live.keyP95Ms === null ? `p95 ${s.keyName} –` : `p95 ${s.keyName} ${Math.round(s.live.keyP95Ms)} ms`;
  return [
    `stage ${s.stageIndex + 1}/${s.stageCount}`,
    s.label ?? `${s.users} users`,
    s.phase,
    `stage ${formatClock(s.stageElapsedMs)}/${formatClock(s.stagePlannedMs)}`,
    `run ${formatClock(s.runElapsedMs)}/${formatClock(s.runPlannedMs)}`,
    `${s.live.requestsPerS.toFixed(1)} req/s`,
    err,
    p95,
  ].join(' · ');
}

/**
 * Writes progress: on a terminal, one line rewritten in place; elsewhere (CI), a plain line
 * every `plainEveryMs`.
 */
export class ProgressWriter {
  private lastPlainMs = -Infinity;
  private lastPhase: Phase | undefined;
  private dirty = false;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    private readonly now: () => number,
    private readonly plainEveryMs = 5000,
  ) {}

  /** A plain (non-terminal) line is written every `plainEveryMs` and at each change of phase, never while starting. */
  update(line: string, phase: Phase): void {
    if (this.out.isTTY) {
      const width = Math.max(20, (this.out.columns ?? 120) - 1);
      this.out.write(`\r\x1b[2K${line.slice(0, width)}`);
      this.dirty = true;
    } else if (phase !== 'starting' && (phase !== this.lastPhase || this.now() - this.lastPlainMs >= this.plainEveryMs)) {
      this.out.write(`${line}\n`);
      this.lastPlainMs = this.now();
    }
    this.lastPhase = phase;
  }

  /** Ends the in-place line so that what follows starts on a fresh one. */
  done(): void {
    if (this.dirty) this.out.write('\n');
    this.dirty = false;
    this.lastPlainMs = -Infinity;
    this.lastPhase = undefined;
  }
}

import { formatClock } from './format.ts';
import type { LiveFigures } from './live-stats.ts';
import { MISSING } from '../../decision/words.ts';

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
  /** Since this stage's engine started (its start-up included): what the run's time left counts from. */
  readonly stageWallMs: number;
  readonly runElapsedMs: number;
  /** The planned time of the stages after this one, and how many they are. */
  readonly laterStagesPlannedMs: number;
  readonly laterStages: number;
  /**
   * What a stage took beyond its plan on the earlier stages of this run (engine start-up and
   * k6's graceful stop, which waits for in-flight iterations), their mean; 0 before the first ends.
   */
  readonly extraPerStageMs: number;
  readonly phase: Phase;
  readonly keyName: string;
  readonly live: LiveFigures;
}

/**
 * `0:42 elapsed, 0:28 left`; past the plan (engine start-up and k6's graceful stop are not in
 * it), `0:05 elapsed, 0:01 over plan`: never a reading above its total or a negative time left.
 */
export function elapsedAgainstPlan(elapsedMs: number, plannedMs: number): string {
  const elapsed = wholeSecondsMs(elapsedMs);
  const planned = wholeSecondsMs(plannedMs);
  return elapsed <= planned
    ? `${formatClock(elapsed)} elapsed, ${formatClock(planned - elapsed)} left`
    : `${formatClock(elapsed)} elapsed, ${formatClock(elapsed - planned)} over plan`;
}

/**
 * The run's time left: this stage's and the later stages' plans, each lengthened by what the
 * earlier stages took beyond theirs (start-up, graceful stop): an honest estimate once one stage
 * has ended, the plan alone before.
 */
export function runTimeLeftMs(
  s: Pick<ProgressState, 'stagePlannedMs' | 'stageWallMs' | 'laterStagesPlannedMs' | 'laterStages' | 'extraPerStageMs'>,
): number {
  const thisStage = Math.max(0, s.stagePlannedMs + s.extraPerStageMs - s.stageWallMs);
  return thisStage + s.laterStagesPlannedMs + s.laterStages * s.extraPerStageMs;
}

function runElapsedAndLeft(s: ProgressState): string {
  return `${formatClock(wholeSecondsMs(s.runElapsedMs))} elapsed, ${formatClock(wholeSecondsMs(runTimeLeftMs(s)))} left`;
}

/** A time rounded to whole seconds, never negative: what the progress line shows. */
function wholeSecondsMs(ms: number): number {
  return Math.round(Math.max(0, ms) / 1000) * 1000;
}

/** The key transaction's live p95: a dash before any sample, "n/a, all failed" when no request of it succeeded. */
function liveP95(keyName: string, live: LiveFigures): string {
  if (live.keyAllFailed) return `p95 ${keyName} n/a, all failed`;
  return live.keyP95Ms === null ? `p95 ${keyName} ${MISSING}` : `p95 ${keyName} ${Math.round(live.keyP95Ms)} ms`;
}

const SEPARATOR = ' · ';

/**
 * One line, the key figures first: `stage 3/6 · 50 users · errors 0.0% · p95 search 84 ms · 41.2 req/s ·
 * hold · stage 0:42 elapsed, 0:28 left · run 2:10 elapsed, 7:10 left`. Within `width` columns, the
 * parts that do not fit are left off from the end (never cut mid-figure).
 */
export function formatProgress(s: ProgressState, width = Infinity): string {
  const err = s.live.errorRate === null ? `errors ${MISSING}` : `errors ${(s.live.errorRate * 100).toFixed(1)}%`;
  const parts = [
    `stage ${s.stageIndex + 1}/${s.stageCount}`,
    s.label ?? `${s.users} users`,
    err,
    liveP95(s.keyName, s.live),
    `${s.live.requestsPerS.toFixed(1)} req/s`,
    s.phase,
    `stage ${elapsedAgainstPlan(s.stageElapsedMs, s.stagePlannedMs)}`,
    `run ${runElapsedAndLeft(s)}`,
  ];
  let line = parts[0]!.slice(0, width);
  for (const part of parts.slice(1)) {
    if (line.length + SEPARATOR.length + part.length > width) break;
    line += SEPARATOR + part;
  }
  return line;
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

  /** The columns a line may take: the terminal's less one (a full line would wrap); unbounded elsewhere. */
  get width(): number {
    return this.out.isTTY ? Math.max(20, (this.out.columns ?? 80) - 1) : Infinity;
  }

  /** A plain (non-terminal) line is written every `plainEveryMs` and at each change of phase, never while starting. */
  update(line: string, phase: Phase): void {
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${line.slice(0, this.width)}`);
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

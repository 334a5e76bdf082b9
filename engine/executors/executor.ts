/**
 * What an executor is (k6's lib/executor: one file per executor, its config and its behaviour):
 * its options' schema, the VUs and time it needs, its plan as data, and how it runs that plan on
 * the VUs the engine gives it, through `ScenarioRun`.
 */
import { z } from 'zod';
import type { Vu } from '../vu.ts';
import { durationMs, stringMap } from '../option-values.ts';

export const DEFAULT_GRACEFUL_MS = 30_000;
/** k6's maxDuration of the iteration-counting executors. */
export const DEFAULT_MAX_DURATION_MS = 600_000;

/** The options every scenario has, whatever its executor. */
export const baseShape = {
  exec: z
    .unknown()
    .optional()
    .transform((v) => (typeof v === 'string' ? v : 'default')),
  startTime: durationMs(0),
  gracefulStop: durationMs(DEFAULT_GRACEFUL_MS),
  tags: stringMap,
  env: stringMap,
};

export interface ScenarioBase {
  name: string;
  exec: string;
  startTimeMs: number;
  gracefulStopMs: number;
  tags: Record<string, string>;
  env: Record<string, string>;
}

/** The base options, in ms, from what `baseShape` read. */
export function base(o: {
  exec: string;
  startTime: number;
  gracefulStop: number;
  tags: Record<string, string>;
  env: Record<string, string>;
}) {
  return { exec: o.exec, startTimeMs: o.startTime, gracefulStopMs: o.gracefulStop, tags: o.tags, env: o.env };
}

/**
 * What the engine lends an executor while its scenario runs. The scenario's end (its duration)
 * and its graceful stop are the engine's: at the end VUs are held (no new iteration), at the end
 * of the graceful stop interrupted.
 */
export interface ScenarioRun {
  /** The scenario's VUs: those it started with, and those `allocate` added. */
  readonly vus: Vu[];
  /** Runs iterations on `vu` while `canStart()` and the scenario is not over; the VU counts as active meanwhile. */
  loop(vu: Vu, canStart: () => boolean): Promise<void>;
  /** One iteration on `vu`; false when the VU is gone. */
  iterate(vu: Vu): Promise<boolean>;
  /** The iteration `vu` is in (a number that changes with each), undefined between iterations. */
  iteration(vu: Vu): number | undefined;
  /** ms since the scenario started. */
  elapsedMs(): number;
  /** Calls `fn` in `delayMs`, unless the scenario has finished by then. */
  after(delayMs: number, fn: () => void): void;
  /** The scenario's duration is over, or the test stopped: no iteration starts any more. */
  over(): boolean;
  /** `fn` runs just as the scenario's duration ends (before `over()` turns true). */
  onEnd(fn: () => void): void;
  /** Resolves when the scenario's duration is over (at once if the test stopped). */
  untilEnd(): Promise<void>;
  /** Counts VUs in (n > 0) or out of the active ones (`vus`, the scenario's bar). */
  addActive(n: number): void;
  /** One dropped_iterations sample, tagged with the scenario. */
  dropped(): void;
  /** One more VU, initialised now (null when its init failed). */
  allocate(): Promise<Vu | null>;
}

export interface Executor<S extends ScenarioBase & { executor: string }, P> {
  /** Its options (the `executor` literal the discriminant), read into `S` without its name. */
  readonly schema: z.ZodType<Omit<S, 'name'>, unknown>;
  /**
   * Open-ended executors lend iterations: the VU goes on by itself while it is not held (one
   * round trip per iteration saved); the others count every iteration on the main thread.
   */
  readonly lendsIterations: boolean;
  /** How long it runs before its graceful stop (ms). */
  durationMs(s: S): number;
  /** The VUs it may hold at most. */
  maxVUs(s: S): number;
  /** The VUs initialised before the test starts (arrival-rate executors allocate the rest when needed). */
  initialVUs(s: S): number;
  /** What it will do, as data (pure). */
  plan(s: S): P;
  /** k6's one-line description of it, for the banner. */
  describe(s: S): string;
  /** Runs the plan; resolves when every iteration it started has ended. */
  run(s: S, run: ScenarioRun): Promise<void>;
}

/** k6's duration words in the banner: 1m30s, 0.5s, 1h0s. */
export function formatMs(ms: number): string {
  if (ms === 0) return '0s';
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${Number(s.toFixed(3))}s` : h || m ? '0s' : ''}`;
}

import type { StagePlan } from '../../formats/run-manifest.ts';
import { UserError } from '../../formats/errors.ts';
import { formatDuration } from '../../formats/duration.ts';
import type { K6Stage } from '../../formats/k6/stage.ts';

/** What the operator asked for, in ms and users (human inputs already parsed). */
export interface PlanRequest {
  readonly users: readonly number[];
  readonly holdMs: number;
  /** Users per second during each stage's ramp. */
  readonly spawnRate: number;
  readonly targetStage: number;
}

/**
 * Turns a request into the stage plan, as data: each stage ramps from 0 to its users at the
 * spawn rate (rounded up to whole seconds, as k6 stages are best read), then holds.
 * Throws a UserError naming the flag when the request cannot be planned.
 */
export function planStages(request: PlanRequest): StagePlan[] {
  const { users, holdMs, spawnRate, targetStage } = request;
  if (users.length === 0)
    throw new UserError('--users: expected a comma-separated list of increasing positive integers, got an empty list');
  users.forEach((u, i) => {
    if (!Number.isInteger(u) || u <= 0) throw new UserError(`--users: expected positive integers, got ${String(u)}`);
    if (i > 0 && u <= users[i - 1]!) throw new UserError(`--users: expected increasing user levels, got ${users[i - 1]} then ${u}`);
  });
  if (!(spawnRate > 0) || !Number.isFinite(spawnRate))
    throw new UserError(`--spawn-rate: expected users per second above 0, got ${spawnRate}`);
  if (!(holdMs > 0)) throw new UserError(`--duration: expected a hold above 0, got ${holdMs} ms`);
  if (!users.includes(targetStage))
    throw new UserError(`--target-stage: expected one of the stages (${users.join(', ')}), got ${targetStage}`);
  return users.map((u) => ({ users: u, rampMs: Math.ceil(u / spawnRate) * 1000, holdMs }));
}

/** A stage as k6 `--stage` entries: ramp to the users, then hold them. */
export function k6StagesOf(stage: StagePlan): K6Stage[] {
  return [
    { durationMs: stage.rampMs, target: stage.users },
    { durationMs: stage.holdMs, target: stage.users },
  ];
}

/** Parses `--users 5,20,50` into numbers (validation is planStages'). */
export function parseUserList(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  return parts.map((p) => {
    if (!/^\d+$/.test(p)) throw new UserError(`--users: expected a comma-separated list of positive integers like 5,20,50, got "${text}"`);
    return Number(p);
  });
}

/** Total planned time of a run, ramps and holds. */
export function plannedRunMs(plan: readonly StagePlan[]): number {
  return plan.reduce((sum, s) => sum + s.rampMs + s.holdMs, 0);
}

/**
 * The optional open-model stage (`--open-stage <factor>`): after the closed stages, one
 * `constant-arrival-rate` stage at factor × the iteration rate measured at the target stage.
 * In the closed model a slow service slows its own load (a VU waits for its answer before its
 * next iteration: coordinated omission); here arrivals keep their pace, so its p95 and dropped
 * iterations show what users arriving at that rate would see.
 */

/** Reads `--open-stage`: a factor above 0 (e.g. 1, 1.5); one-line UserError otherwise. */
export function parseOpenStageFactor(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0) {
    throw new UserError(
      `--open-stage: expected a factor above 0 of the target stage's iteration rate, e.g. 1 or 1.5, got "${String(value)}"`,
    );
  }
  if (n > 100) throw new UserError(`--open-stage: expected a factor of at most 100, got ${n}`);
  return n;
}

/**
 * VU sizing of the open stage, from Little's law: VUs busy = arrival rate × iteration duration.
 * Pre-allocated VUs cover the target stage's mean iteration with PRE_ALLOCATED_MARGIN to spare;
 * the executor may add VUs up to MAX_VUS_MARGIN × that (the service may slow down under the
 * rate: iterations then last longer and need more VUs); beyond that it drops iterations, which
 * is the finding. Both are capped at OPEN_STAGE_VU_CAP, since every VU costs the load generator
 * memory and a runaway rate would otherwise exhaust it.
 */
export const PRE_ALLOCATED_MARGIN = 1.2;
export const MAX_VUS_MARGIN = 3;
export const OPEN_STAGE_VU_CAP = 2000;

/** What the engine is given for the open stage (as env for scenarios/lib's buildOptions). */
export interface OpenStagePlan {
  readonly factor: number;
  /** The target stage's measured iteration rate, per second. */
  readonly baseRatePerS: number;
  /** Iterations started per `timeUnit` (k6 wants a whole number). */
  readonly rate: number;
  readonly timeUnit: '1s' | '1m';
  /** rate / timeUnit, per second, after rounding: what the engine is asked for. */
  readonly ratePerS: number;
  readonly preAllocatedVUs: number;
  readonly maxVUs: number;
  readonly holdMs: number;
}

/**
 * Plans the open stage from the target stage's figures, or says why it cannot be planned.
 * Rates of 10/s and more are given per second; slower ones per minute, so that rounding to a
 * whole number of iterations moves the rate by under 1 % (under 5 % at 10 to 100 per minute).
 */
export function planOpenStage(input: {
  factor: number;
  baseRatePerS: number | null;
  meanIterationMs: number | null;
  holdMs: number;
  targetUsers: number;
}): { ok: true; plan: OpenStagePlan } | { ok: false; why: string } {
  const { factor, baseRatePerS, meanIterationMs, holdMs, targetUsers } = input;
  if (baseRatePerS === null || !(baseRatePerS > 0))
    return { ok: false, why: `the target stage (${targetUsers} users) measured no iteration rate` };
  const wanted = factor * baseRatePerS;
  const perSecond = wanted >= 10;
  const timeUnit = perSecond ? '1s' : '1m';
  const rate = Math.max(1, Math.round(perSecond ? wanted : wanted * 60));
  const ratePerS = perSecond ? rate : rate / 60;
  // Without a measured iteration duration, Little's law on the target stage gives it: users / rate.
  const iterationS = meanIterationMs !== null && meanIterationMs > 0 ? meanIterationMs / 1000 : targetUsers / baseRatePerS;
  const busy = ratePerS * iterationS;
  const preAllocatedVUs = Math.min(OPEN_STAGE_VU_CAP, Math.max(1, Math.ceil(busy * PRE_ALLOCATED_MARGIN)));
  const maxVUs = Math.min(OPEN_STAGE_VU_CAP, Math.max(preAllocatedVUs, Math.ceil(busy * MAX_VUS_MARGIN)));
  return { ok: true, plan: { factor, baseRatePerS, rate, timeUnit, ratePerS, preAllocatedVUs, maxVUs, holdMs } };
}

/** The env that scenarios/lib's buildOptions turns into the open stage's scenario. */
export function openStageEnv(plan: OpenStagePlan): Record<string, string> {
  return {
    EXECUTOR: 'constant-arrival-rate',
    RATE: String(plan.rate),
    TIME_UNIT: plan.timeUnit,
    PRE_ALLOCATED_VUS: String(plan.preAllocatedVUs),
    MAX_VUS: String(plan.maxVUs),
    HOLD: formatDuration(plan.holdMs),
  };
}

/**
 * Whether a bundled script builds its options from the open stage's env: it must read
 * EXECUTOR and the arrival-rate variables and know the executor (scenarios/lib's buildOptions
 * does). Checked on the bundle's text before any load: a script that does not would run its own
 * options instead (no `--stage` is passed for the open stage), which is not an open model.
 */
export function scriptSupportsOpenStage(bundleText: string): boolean {
  return ['constant-arrival-rate', 'PRE_ALLOCATED_VUS', 'MAX_VUS', 'TIME_UNIT', 'EXECUTOR'].every((s) => bundleText.includes(s));
}

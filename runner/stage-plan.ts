import type { StagePlan } from './formats/manifest.ts';
import { UserError } from './errors.ts';

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
  if (users.length === 0) throw new UserError('--users: expected a comma-separated list of increasing positive integers, got an empty list');
  users.forEach((u, i) => {
    if (!Number.isInteger(u) || u <= 0) throw new UserError(`--users: expected positive integers, got ${String(u)}`);
    if (i > 0 && u <= users[i - 1]!) throw new UserError(`--users: expected increasing user levels, got ${users[i - 1]} then ${u}`);
  });
  if (!(spawnRate > 0) || !Number.isFinite(spawnRate)) throw new UserError(`--spawn-rate: expected users per second above 0, got ${spawnRate}`);
  if (!(holdMs > 0)) throw new UserError(`--duration: expected a hold above 0, got ${holdMs} ms`);
  if (!users.includes(targetStage)) throw new UserError(`--target-stage: expected one of the stages (${users.join(', ')}), got ${targetStage}`);
  return users.map((u) => ({ users: u, rampMs: Math.ceil(u / spawnRate) * 1000, holdMs }));
}

/** A stage as k6 `--stage` entries: ramp to the users, then hold them. */
export function k6StagesOf(stage: StagePlan): Array<{ durationMs: number; target: number }> {
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

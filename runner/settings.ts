import type { CapacityConfig } from '../formats/config.ts';
import { configDurationsMs } from '../formats/config.ts';
import { parseDuration } from '../formats/duration.ts';
import { UserError } from '../formats/errors.ts';
import type { StagePlan } from '../formats/run-manifest.ts';
import { parseUserList, planStages } from './stages/plan.ts';

/**
 * The one input boundary of a run's shape: the config, with what the operator typed laid over
 * it. `npm run stages` and the nightly job's sizing (which passes the same values to `stages` as
 * flags) both call it, so that they cannot disagree on a plan or on an error.
 */

/** The stage flags as typed (yargs strings, or CI inputs where '' means "not set"). */
export interface StageFlags {
  readonly users?: string | undefined;
  readonly duration?: string | undefined;
  readonly 'spawn-rate'?: number | string | undefined;
  readonly 'target-stage'?: number | string | undefined;
}

/** What a run's stages are: every figure in users, ms and users/s, and the plan as data. */
export interface StageSettings {
  readonly users: readonly number[];
  readonly holdMs: number;
  readonly spawnRate: number;
  readonly targetStage: number;
  /** The configured target stage is not among --users (and none was given): the largest stage stands in. */
  readonly targetFallback: boolean;
  readonly plan: StagePlan[];
}

export function stageSettings(config: CapacityConfig, flags: StageFlags): StageSettings {
  const given = <T>(v: T | undefined): T | undefined => (v === '' ? undefined : v);
  const usersText = given(flags.users);
  const users = usersText !== undefined ? parseUserList(usersText) : [...config.stages];
  const durationText = given(flags.duration);
  const holdMs = durationText !== undefined ? parseDuration(durationText, '--duration') : configDurationsMs(config).holdMs;
  const spawnRate = numericFlag(given(flags['spawn-rate']), '--spawn-rate', 'users per second above 0, e.g. 5') ?? config.spawnRate;
  const givenTarget = numericFlag(given(flags['target-stage']), '--target-stage', `one of the stages (${users.join(', ')})`);
  // With --users but no --target-stage, a configured target outside the list falls back to the
  // largest stage (said in the output) rather than refusing a quick ad-hoc run.
  const targetFallback = givenTarget === undefined && !users.includes(config.targetStage);
  const targetStage = givenTarget ?? (targetFallback ? users[users.length - 1]! : config.targetStage);
  return { users, holdMs, spawnRate, targetStage, targetFallback, plan: planStages({ users, holdMs, spawnRate, targetStage }) };
}

/** A numeric flag: its number, or a one-line error quoting the text as typed (yargs' number type says NaN). */
function numericFlag(value: number | string | undefined, flag: string, expected: string): number | undefined {
  if (value === undefined || typeof value === 'number') return value;
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(n)) throw new UserError(`${flag}: expected ${expected}, got "${value}"`);
  return n;
}

import type { CapacityConfig } from '../formats/config.ts';
import { configDurationsMs } from '../formats/config.ts';
import { parseDuration } from '../formats/duration.ts';
import { resolveEnvironment, selectEnvironments } from '../formats/environments.ts';
import { UserError } from '../formats/errors.ts';
import type { StagePlan } from '../formats/run-manifest.ts';
import { parseUserList, planStages } from './stages/plan.ts';

/**
 * The one input boundary of a run's shape: the config, then the environment, then what the
 * operator typed laid over it (config < environment < flags). `npm run stages` and the nightly
 * job's sizing (which passes the same values to `stages` as flags) both call it, so that they
 * cannot disagree on a plan, on the environments a night runs or on an error.
 */

/** The stage flags as typed (yargs strings, or CI inputs where '' means "not set"). */
export interface StageFlags {
  readonly users?: string | undefined;
  readonly duration?: string | undefined;
  readonly 'spawn-rate'?: number | string | undefined;
  readonly 'target-stage'?: number | string | undefined;
  /** `--environment`: names of the config's list (repeatable) or `all`; none: the config's single `environment`. */
  readonly environment?: string | readonly string[] | undefined;
  readonly host?: string | undefined;
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
  /**
   * What each run of the invocation records as its environment, in the order they run: one with
   * `--host` (the config's `environment`), one per `--environment`, the whole list for `all`. The
   * stage plan is the same for all: environments differ only in the host (formats/environments.ts).
   */
  readonly environments: readonly string[];
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
  const environments = environmentsOf(config, flags);
  return {
    users,
    holdMs,
    spawnRate,
    targetStage,
    targetFallback,
    plan: planStages({ users, holdMs, spawnRate, targetStage }),
    environments,
  };
}

function environmentsOf(config: CapacityConfig, flags: StageFlags): string[] {
  const requested = (typeof flags.environment === 'string' ? [flags.environment] : (flags.environment ?? [])).filter((e) => e !== '');
  if (requested.length === 0) return [config.environment];
  const names = selectEnvironments(config.environments, requested);
  if (names.length > 1 && flags.host !== undefined && flags.host !== '') {
    throw new UserError(`--host: not with several environments (${names.join(', ')}); each has its own host in the config`);
  }
  return names;
}

/** Where one run sends its load: a base URL (credentials included, split by parseHost) and headers for every request. */
export interface StageTarget {
  readonly host: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The target of the run of `environment` (one of `stageSettings().environments`): the config's
 * environment with its `${VAR}`s read from `processEnv`, `--host` over its host. Without an
 * environments list, `--host` as given. Separate from stageSettings because only the runs need
 * the secrets: the nightly job's sizing never reads them.
 */
export function stageTarget(
  config: CapacityConfig,
  environment: string,
  flags: StageFlags,
  processEnv: Readonly<Record<string, string | undefined>>,
): StageTarget {
  const host = flags.host === '' ? undefined : flags.host;
  if (!config.environments.some((e) => e.name === environment)) return { host, headers: {} };
  const resolved = resolveEnvironment(config.environments, environment, processEnv);
  return { host: host ?? resolved.host, headers: resolved.headers };
}

/** A numeric flag: its number, or a one-line error quoting the text as typed (yargs' number type says NaN). */
function numericFlag(value: number | string | undefined, flag: string, expected: string): number | undefined {
  if (value === undefined || typeof value === 'number') return value;
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(n)) throw new UserError(`${flag}: expected ${expected}, got "${value}"`);
  return n;
}

import { pathToFileURL } from 'node:url';
import { errorLine, isUserError, UserError } from '../../formats/errors.ts';
import { WEEKDAYS, type CapacityConfig, type Weekday } from '../../formats/config.ts';
import { type StageFlags, stageSettings } from '../settings.ts';
import { environmentNames } from '../../formats/environments.ts';
import { loadConfig } from '../config-file.ts';

/**
 * The nightly CI job's plan (`.github/workflows/capacity-nightly.yml`, job `plan`): how long the
 * stages may take, how long the whole job may take, and whether today is the weekly report's day.
 * The budget is computed from the same config and overrides `npm run stages` will use, so a longer
 * `duration` or more stages lengthen the timeouts instead of being killed by a fixed one.
 */

/** GitHub-hosted runners stop any job after 6 hours. */
export const MAX_JOB_MINUTES = 360;
/** Per stage, beyond its ramp and hold: engine start, summary export, CSV gzip and statistics. */
export const STAGE_OVERHEAD_MS = 60_000;
/** Slack on the planned time: slow engine starts, a loaded runner, the end-of-stage grace period. */
export const PLAN_MARGIN = 1.25;
/** Everything else in the job: checkout, npm ci, k6 setup, decide, report, history push. */
export const JOB_OVERHEAD_MINUTES = 20;

export interface StagesShape {
  readonly users: readonly number[];
  readonly holdMs: number;
  /** Users per second during each stage's ramp. */
  readonly spawnRate: number;
}

export interface CiBudget {
  /** What the stage plan itself lasts (ramps + holds), minutes. */
  readonly plannedMinutes: number;
  /** Timeout of the step that runs `npm run stages`. */
  readonly stageMinutes: number;
  /** Timeout of the whole job. */
  readonly jobMinutes: number;
}

/**
 * Timeouts sized from the stages: each stage ramps to its users at `spawnRate` then holds;
 * the step gets that × PLAN_MARGIN plus a per-stage overhead, once per environment the night
 * runs (one after another); the job that plus its own steps.
 * Throws a UserError when the plan cannot fit in a GitHub-hosted job.
 */
export function ciBudget(shape: StagesShape, environments = 1): CiBudget {
  const plannedMs = environments * shape.users.reduce((sum, u) => sum + (u / shape.spawnRate) * 1000 + shape.holdMs, 0);
  const stageMs = plannedMs * PLAN_MARGIN + environments * shape.users.length * STAGE_OVERHEAD_MS;
  const stageMinutes = Math.ceil(stageMs / 60_000);
  const jobMinutes = stageMinutes + JOB_OVERHEAD_MINUTES;
  if (jobMinutes > MAX_JOB_MINUTES) {
    throw new UserError(
      `the stages${environments > 1 ? ` of ${environments} environments` : ''} need about ${stageMinutes} min, more than a GitHub-hosted job may run (${MAX_JOB_MINUTES} min with its other steps)`,
      { hint: 'use fewer stages or a shorter duration for the nightly job, or a self-hosted runner with a longer limit' },
    );
  }
  return { plannedMinutes: Math.ceil(plannedMs / 60_000), stageMinutes, jobMinutes };
}

/** The weekday of `epochMs` in UTC, named as in the config (`report.weekday`). */
export function utcWeekday(epochMs: number): Weekday {
  // getUTCDay: 0 is Sunday; WEEKDAYS starts on Monday (ISO-8601).
  return WEEKDAYS[(new Date(epochMs).getUTCDay() + 6) % 7]!;
}

const DAY_MS = 86_400_000;

/**
 * The order the environments run in the night of `epochMs`: the list turned by one place per UTC
 * day, so that each runs first, second… equally often (with two, they alternate night to night)
 * and the time of night weighs on every environment alike.
 */
export function nightOrder(names: readonly string[], epochMs: number): string[] {
  const shift = Math.floor(epochMs / DAY_MS) % Math.max(1, names.length);
  return [...names.slice(shift), ...names.slice(0, shift)];
}

/**
 * The environment the night's decision, notification and report follow: the config's
 * `environment` when it names one of the list (the current host), else the list's first. Fixed,
 * so that the alternating order never makes the notification flip between environments.
 */
export function followedEnvironment(config: CapacityConfig): string {
  const names = environmentNames(config);
  return names.includes(config.environment) ? config.environment : names[0]!;
}

/** `key=value` lines for `$GITHUB_OUTPUT`. */
export function planOutputs(config: CapacityConfig, flags: StageFlags, nowMs: number, forceReport: boolean): string {
  // The workflow passes the same inputs to `npm run stages` as flags: sized from the same settings.
  const settings = stageSettings(config, flags);
  const several = flags.environment !== undefined && flags.environment.length > 0;
  const budget = ciBudget(settings, settings.environments.length);
  const reportDay = utcWeekday(nowMs) === config.report.weekday;
  return [
    `planned-minutes=${budget.plannedMinutes}`,
    `stage-minutes=${budget.stageMinutes}`,
    `job-minutes=${budget.jobMinutes}`,
    `weekly-report=${reportDay || forceReport}`,
    `report-weekday=${config.report.weekday}`,
    // Empty without CAPACITY_ENVIRONMENTS: the night runs the one host of CAPACITY_HOST, as before.
    `environments=${several ? nightOrder(settings.environments, nowMs).join(' ') : ''}`,
    `decide-environment=${several ? followedEnvironment(config) : ''}`,
  ].join('\n');
}

/**
 * `tsx runner/notify/ci-budget.ts`: reads CAPACITY_CONFIG, CAPACITY_USERS, CAPACITY_DURATION, CAPACITY_TARGET_STAGE,
 * CAPACITY_ENVIRONMENTS (`all`, or names separated by spaces or commas), CAPACITY_FORCE_REPORT.
 */
async function main(): Promise<number> {
  const env = process.env;
  try {
    const config = await loadConfig(env.CAPACITY_CONFIG || undefined, process.cwd());
    const environment = (env.CAPACITY_ENVIRONMENTS ?? '').split(/[\s,]+/).filter(Boolean);
    const flags = { users: env.CAPACITY_USERS, duration: env.CAPACITY_DURATION, 'target-stage': env.CAPACITY_TARGET_STAGE, environment };
    process.stdout.write(`${planOutputs(config, flags, Date.now(), env.CAPACITY_FORCE_REPORT === 'true')}\n`);
    return 0;
  } catch (e) {
    if (!isUserError(e)) throw e;
    process.stderr.write(errorLine(e.message, e.hint));
    return e.exitCode;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then((code) => {
    process.exitCode = code;
  });
}

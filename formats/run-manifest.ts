import { z } from 'zod';
import { jsonFormat } from './json-format.ts';

/**
 * `results/runs/<run-id>/run.json`: what a run was asked to do (its plan), what measured it,
 * and how it ended. Written when the run starts (status "running") and rewritten atomically
 * after each stage and at the end. Comparability of runs is checked on these fields.
 */

export const RUN_STATUSES = ['running', 'completed', 'interrupted', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * How one stage ended.
 * - completed: the engine ran the whole plan (exit 0, or 99 when the script's own thresholds were crossed).
 * - target-failed: the engine ran but the system under test failed (refused connections, timeouts in bulk).
 * - interrupted: the operator stopped it (Ctrl-C); samples up to then are kept.
 * - engine-failed: the engine itself broke (script error, crash): not a measurement of the target.
 * - skipped: not run (an earlier stage failed and --stop-on-failure was given, or the run was interrupted).
 */
export const STAGE_STATUSES = ['completed', 'target-failed', 'interrupted', 'engine-failed', 'skipped'] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

export const StagePlanSchema = z.object({
  /** Concurrent virtual users held in this stage. */
  users: z.number().int().positive(),
  /** Ramp from 0 to `users` at the run's spawn rate. */
  rampMs: z.number().int().nonnegative(),
  holdMs: z.number().int().positive(),
});
export type StagePlan = z.infer<typeof StagePlanSchema>;

/**
 * The files a stage wrote, names relative to the run folder: only those that exist (none for a
 * skipped stage; no CSV or summary when the engine failed before writing them).
 */
export const StageFilesSchema = z.object({
  csv: z.string().optional(),
  summary: z.string().optional(),
  log: z.string().optional(),
  stats: z.string().optional(),
});
export type StageFiles = z.infer<typeof StageFilesSchema>;

export const StageRecordSchema = z.object({
  users: z.number().int().positive(),
  status: z.enum(STAGE_STATUSES),
  /** Why it ended that way, in one line (empty when completed). */
  why: z.string().optional(),
  startedAt: z.iso.datetime().optional(),
  endedAt: z.iso.datetime().optional(),
  /** The engine's exit code, when it ran. */
  exitCode: z.number().int().optional(),
  files: StageFilesSchema,
});
export type StageRecord = z.infer<typeof StageRecordSchema>;

/**
 * The optional open-model stage (`--open-stage <factor>`): after the closed stages, a
 * constant-arrival-rate stage at factor × the target stage's measured iteration rate.
 * `status` reads as a closed stage's; `skipped` with `why` when it could not be run (target stage
 * failed or measured no iteration rate, a script that does not build its options from env, an
 * earlier interrupt or engine failure).
 */
export const OpenStageRecordSchema = z.object({
  kind: z.literal('open'),
  executor: z.literal('constant-arrival-rate'),
  factor: z.number().positive(),
  /** The target stage it was sized from. */
  afterStage: z.number().int().positive(),
  status: z.enum(STAGE_STATUSES),
  why: z.string().optional(),
  /** The target stage's measured iteration rate, per second (absent when it had none). */
  baseRatePerS: z.number().nonnegative().optional(),
  /** The arrival rate asked of the engine: `rate` iterations per `timeUnit` (= ratePerS per second). */
  rate: z.number().int().positive().optional(),
  timeUnit: z.string().optional(),
  ratePerS: z.number().positive().optional(),
  preAllocatedVUs: z.number().int().positive().optional(),
  maxVUs: z.number().int().positive().optional(),
  holdMs: z.number().int().positive(),
  startedAt: z.iso.datetime().optional(),
  endedAt: z.iso.datetime().optional(),
  exitCode: z.number().int().optional(),
  files: StageFilesSchema.optional(),
  /** Its figures over the hold (from stage-open.stats.json), when it ran and its CSV was read. */
  figures: z
    .object({
      /** Key transaction p50, p95 and p99, ms (null without samples). */
      keyP50Ms: z.number().nullable(),
      keyP95Ms: z.number().nullable(),
      keyP99Ms: z.number().nullable(),
      keyCount: z.number().int().nonnegative(),
      /** All requests over the hold. */
      requests: z.number().int().nonnegative(),
      throughputPerS: z.number().nonnegative(),
      errorRate: z.number().min(0).max(1),
      /** Iterations completed per second over the hold. */
      iterationsPerS: z.number().nonnegative(),
      /** k6's `dropped_iterations`: arrivals the executor could not start (no free VU), whole stage. */
      droppedIterations: z.number().int().nonnegative(),
      /** droppedIterations / (dropped + started); 0 when none. */
      droppedPct: z.number().min(0).max(100),
    })
    .optional(),
});
export type OpenStageRecord = z.infer<typeof OpenStageRecordSchema>;

export const RunManifestSchema = z.object({
  kind: z.literal('run-manifest'),
  /** 2: `environment` added (in version 1 the environment was `label`). */
  schemaVersion: z.literal(2),
  /** Sorts by time: `2026-11-22T0301Z-ab12`. */
  id: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{4}Z-[0-9a-z]{4}$/),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime().optional(),
  /** The host with any credentials removed (see runner/redact.ts). */
  host: z.string(),
  /**
   * The environment the run measured ("staging", "demo"): a decision or report reads the runs of
   * one environment only. Runs against the embedded demo target are always "demo".
   */
  environment: z.string().min(1),
  /** A free note given with `--label` (e.g. "after deploy 1.4"); not used to group runs. */
  label: z.string().optional(),
  scenario: z.object({
    /** A name under scenarios/ or the path of the user's script as given. */
    name: z.string(),
    /** sha256 of the bundle the engine ran (hex). */
    bundleSha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  plan: z.object({
    stages: z.array(StagePlanSchema).min(1),
    holdMs: z.number().int().positive(),
    /** Users per second during each stage's ramp. */
    spawnRate: z.number().positive(),
    targetStage: z.number().int().positive(),
    keyTransaction: z.string().min(1),
    /** The key transaction's custom Trend (formats/key-transaction.ts); absent: HTTP requests (http_req_duration). */
    keyMetric: z.string().min(1).optional(),
    /**
     * The statistics' window length and warm-up (after the shrink for short holds), so that
     * `collect` reads a stage's CSV as the run did (added field: absent in older files).
     */
    windows: z.object({ windowMs: z.number().positive(), warmupMs: z.number().nonnegative() }).optional(),
    /** `--open-stage <factor>` (added field: absent when not asked for). */
    openStage: z.object({ factor: z.number().positive() }).optional(),
  }),
  engine: z.object({ name: z.string(), version: z.string() }),
  gitCommit: z.string().optional(),
  status: z.enum(RUN_STATUSES),
  /** One line on why the run ended as it did (required unless completed). */
  why: z.string().optional(),
  stages: z.array(StageRecordSchema),
  /**
   * The open-model stage (added field: absent when not asked for). Kept apart from `stages`,
   * which are the closed-model levels the decision scores: this one is reported, not scored.
   */
  openStage: OpenStageRecordSchema.optional(),
});
export type RunManifest = z.infer<typeof RunManifestSchema>;

/** The environment of a version-1 run.json without a label: the config's default then. */
export const VERSION_1_DEFAULT_ENVIRONMENT = 'staging';

/** Version 1 (no `environment`): its `label` was the environment (written from the config's when not given). */
export function upgradeManifestV1(raw: Record<string, unknown>): unknown {
  const { label, ...rest } = raw;
  const environment = typeof label === 'string' && label.length > 0 ? label : VERSION_1_DEFAULT_ENVIRONMENT;
  return { ...rest, schemaVersion: 2, environment };
}

export const runManifestFormat = jsonFormat(
  'run-manifest',
  2,
  RunManifestSchema,
  'run.json is written by `npm run stages`; it cannot be regenerated',
  {
    1: upgradeManifestV1,
  },
);

/** The file names of a stage, relative to its run folder (all of them, whether written or not). */
export function stageFiles(users: number): Required<StageFiles> {
  return {
    csv: `stage-${users}.csv.gz`,
    summary: `stage-${users}.summary.json`,
    log: `stage-${users}.log`,
    stats: `stage-${users}.stats.json`,
  };
}

/** The file names of the open-model stage, relative to its run folder (all of them). */
export function openStageFiles(): Required<StageFiles> {
  return {
    csv: 'stage-open.csv.gz',
    summary: 'stage-open.summary.json',
    log: 'stage-open.log',
    stats: 'stage-open.stats.json',
  };
}

import { z } from 'zod';
import { jsonFormat } from './json-format.ts';
import { STAGE_STATUSES } from './run-manifest.ts';
import { StageStatsSchema } from './stage-stats.ts';

/**
 * `results/runs/<run-id>/summary.json`: a run's statistics across its stages, rewritten after
 * each stage. The decision reads it beside run.json.
 * Version 2: saturation and capacity on goodput (successful requests per second) and beyond
 * noise (SPEC §2): the signals that fired with their figures, capacity in users, the USL
 * estimate's uncertainty and where it stops.
 */

/**
 * The saturation signals of SPEC §2, going up one stage:
 * - `goodput-flat-p95-up`: goodput grew by less than a quarter of the proportional gain while the
 *   key p95 rose by more than 25 %;
 * - `error-rate-left-green`: the error rate reached the green bound (1 %);
 * - `error-rate-rise`: a one-sided two-proportion test finds the error rate's rise significant
 *   (α 0.05) and it is at least 0.5 percentage points.
 */
export const SATURATION_SIGNALS = ['goodput-flat-p95-up', 'error-rate-left-green', 'error-rate-rise'] as const;
export type SaturationSignal = (typeof SATURATION_SIGNALS)[number];

export const SaturationStepSchema = z.object({
  fromUsers: z.number().int(),
  toUsers: z.number().int(),
  /** Goodput gain as a fraction of the proportional gain (1 = goodput followed users). */
  goodputGainRatio: z.number().nullable(),
  /** Key transaction p95 change, percent. */
  p95RisePct: z.number().nullable(),
  /** Failed / all requests at each stage, 0–1. */
  fromErrorRate: z.number().min(0).max(1),
  toErrorRate: z.number().min(0).max(1),
  /** One-sided two-proportion z-test that the error rate rose: its p-value; null when it did not rise. */
  errorRiseP: z.number().min(0).max(1).nullable(),
  /** The signals that fired (none: not saturated). */
  signals: z.array(z.enum(SATURATION_SIGNALS)),
  saturated: z.boolean(),
  /** The step in words, with the figures of each signal that fired (or of why none did). */
  why: z.string(),
});
export type SaturationStep = z.infer<typeof SaturationStepSchema>;

export const CapacityEstimateSchema = z.object({
  model: z.literal('usl'),
  /** Universal Scalability Law X(N) = λN / (1 + σ(N−1) + κN(N−1)), X the goodput (successful requests/s). */
  lambda: z.number(),
  sigma: z.number(),
  kappa: z.number(),
  r2: z.number(),
  residuals: z.array(z.object({ users: z.number(), observed: z.number(), fitted: z.number() })),
  /** Goodput at `usersAtPeak` by the model. */
  peakGoodputPerS: z.number(),
  /** The model's peak, or `limit.users` when the model still rises there (see peakIsCapped). */
  usersAtPeak: z.number(),
  /**
   * How far the estimate may go: the first stage whose error rate is red (past capacity:
   * never extrapolated beyond), else 1.5 × the largest stage.
   */
  limit: z.object({ users: z.number(), reason: z.enum(['red-error-rate', 'extrapolation']) }),
  /** Range of the peak over refits leaving one stage out; null with fewer than 4 stages. */
  uncertainty: z
    .object({
      method: z.literal('leave-one-stage-out'),
      refits: z.number().int().positive(),
      peakGoodputLowPerS: z.number(),
      peakGoodputHighPerS: z.number(),
      usersAtPeakLow: z.number(),
      usersAtPeakHigh: z.number(),
    })
    .nullable(),
  /** Users at which the key p95 would cross the green bound; null when beyond `limit.users`. */
  usersAtP95Green: z.number().nullable(),
});
export type CapacityEstimate = z.infer<typeof CapacityEstimateSchema>;

export const RunSummarySchema = z.object({
  kind: z.literal('run-summary'),
  schemaVersion: z.literal(2),
  runId: z.string(),
  keyName: z.string(),
  stages: z.array(
    z.object({
      users: z.number().int().positive(),
      status: z.enum(STAGE_STATUSES),
      /** null when the stage produced no readable CSV. */
      stats: StageStatsSchema.nullable(),
    }),
  ),
  saturation: z.object({
    /** The first stage showing a signal of SPEC §2, or null. */
    firstStage: z.number().int().nullable(),
    /** The signals that fired there. */
    signals: z.array(z.enum(SATURATION_SIGNALS)),
    steps: z.array(SaturationStepSchema),
    /** One line on why `firstStage` is what it is, with the figures. */
    why: z.string(),
  }),
  capacity: z.object({
    /**
     * SPEC §2 capacity: the largest stage that held (completed its hold) with the key p95 and
     * the error rate within their green bounds; null when none did.
     */
    users: z.number().int().positive().nullable(),
    /** In words: "holds 100 users; at 150 users 13.2 % of requests fail (≥ 1 %)". */
    words: z.string(),
    /** Model estimate on goodput (reported beside `users`, never instead of it). */
    estimate: CapacityEstimateSchema.nullable(),
    /** Why there is no estimate, or notes on the one given. */
    note: z.string(),
  }),
  /** Stages failing the Little's law check: suspect data (each stage's `littlesLaw.why` says why). */
  suspectStages: z.array(z.number().int()),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

export const runSummaryFormat = jsonFormat('run-summary', 2, RunSummarySchema, 'regenerate with `npm run collect -- --run <run folder>`');

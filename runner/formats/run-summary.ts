import { z } from 'zod';
import { jsonFormat } from './json-file.ts';
import { STAGE_STATUSES } from './manifest.ts';
import { StageStatsSchema } from './stage-stats.ts';

/**
 * `results/runs/<run-id>/summary.json`: a run's statistics across its stages, rewritten after
 * each stage. The decision reads it beside run.json.
 */

export const SaturationStepSchema = z.object({
  fromUsers: z.number().int(),
  toUsers: z.number().int(),
  /** Throughput gain as a fraction of the proportional gain (1 = throughput followed users). */
  throughputGainRatio: z.number().nullable(),
  /** Key transaction p95 change, percent. */
  p95RisePct: z.number().nullable(),
  /** Failures appeared at `toUsers` where `fromUsers` had none. */
  errorsAppeared: z.boolean(),
  saturated: z.boolean(),
  why: z.string(),
});
export type SaturationStep = z.infer<typeof SaturationStepSchema>;

export const CapacityEstimateSchema = z.object({
  model: z.literal('usl'),
  /** Universal Scalability Law X(N) = λN / (1 + σ(N−1) + κN(N−1)). */
  lambda: z.number(),
  sigma: z.number(),
  kappa: z.number(),
  r2: z.number(),
  residuals: z.array(z.object({ users: z.number(), observed: z.number(), fitted: z.number() })),
  peakThroughputPerS: z.number(),
  usersAtPeak: z.number(),
  /** Users at which the key p95 would cross the green bound; null when beyond 1.5 × the largest stage. */
  usersAtP95Green: z.number().nullable(),
});
export type CapacityEstimate = z.infer<typeof CapacityEstimateSchema>;

export const RunSummarySchema = z.object({
  kind: z.literal('run-summary'),
  schemaVersion: z.literal(1),
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
    /** The first stage showing the signal of SPEC §2, or null. */
    firstStage: z.number().int().nullable(),
    steps: z.array(SaturationStepSchema),
    /** One line on why `firstStage` is what it is (added field: optional for older files). */
    why: z.string().optional(),
  }),
  capacity: z.object({
    estimate: CapacityEstimateSchema.nullable(),
    /** Why there is no estimate, or notes on the one given. */
    note: z.string(),
  }),
  /** Stages failing the Little's law check: suspect data. */
  suspectStages: z.array(z.number().int()),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

export const runSummaryFormat = jsonFormat('run-summary', 1, RunSummarySchema, 'regenerate with `npm run collect -- --run <run folder>`');

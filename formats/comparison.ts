import { z } from 'zod';
import { CRITERIA, DECISIONS, LEVELS } from './decision.ts';
import { jsonFormat } from './json-format.ts';

/**
 * The migration comparison (issue 17): two environments' decisions side by side, each over its
 * own last comparable runs (a run's environment decides which side it enters), the p95
 * difference at the target stage with its 95 % interval, and one verdict in words.
 */

export const SideSchema = z.object({
  environment: z.string(),
  decision: z.enum(DECISIONS),
  /** Per criterion: the consolidated level and the median of the runs' figures (null when none has one). */
  criteria: z.partialRecord(z.enum(CRITERIA), z.object({ level: z.enum(LEVELS), figure: z.number().nullable() })),
  /** Users held on goodput (SPEC §2), the median over the runs; null when unknown. */
  capacityUsers: z.number().nonnegative().nullable(),
  runs: z.array(z.string()),
  /** ISO weeks the runs fall in, e.g. "2026-W49". */
  weeks: z.array(z.string()),
});
export type ComparisonSide = z.infer<typeof SideSchema>;

export const P95DifferenceSchema = z.object({
  /** candidate − current, ms (mean of per-run p95s). */
  differenceMs: z.number(),
  lowMs: z.number(),
  highMs: z.number(),
  /** The interval spans zero. */
  measurable: z.boolean(),
});
export type P95Difference = z.infer<typeof P95DifferenceSchema>;

export const ComparisonSchema = z.object({
  kind: z.literal('comparison'),
  schemaVersion: z.literal(1),
  current: SideSchema,
  candidate: SideSchema,
  /** Null when either side has fewer than 2 runs with a p95 (no interval can be drawn). */
  p95Difference: P95DifferenceSchema.nullable(),
  verdict: z.string(),
});
export type Comparison = z.infer<typeof ComparisonSchema>;

export const comparisonFormat = jsonFormat('comparison', 1, ComparisonSchema, 'regenerate with `npm run compare -- --json`');

import { z } from 'zod';
import { jsonFormat } from './json-format.ts';

/**
 * The decision (`npm run decide -- --json`, and what the report and notifications read):
 * per criterion, its consolidated level and each run's level with the evidence behind it.
 * Implements ../SPEC §2–§3 (see decision/README or the module docs for the rules).
 */

export const LEVELS = ['green', 'orange', 'red'] as const;
export type Level = (typeof LEVELS)[number];

export const CRITERIA = ['p95', 'errorRate', 'held'] as const;
export type CriterionId = (typeof CRITERIA)[number];

export const DECISIONS = ['go', 'watch', 'no-go', 'insufficient-data'] as const;
export type DecisionValue = (typeof DECISIONS)[number];

export const READINGS = ['ok', 'attention', 'migrate'] as const;
export type Reading = (typeof READINGS)[number];

/** One run's level on one criterion, with what it rests on. */
export const RunLevelSchema = z.object({
  runId: z.string(),
  level: z.enum(LEVELS),
  /** The figure held against the bounds (ms for p95, percent for the error rate, null for held). */
  figure: z.number().nullable(),
  /** e.g. "green ≤ 2500 ms, orange ≤ 4000 ms". */
  bound: z.string(),
  /** The rule that fired, in words, e.g. "Mann–Kendall p = 0.003, Theil–Sen +14 % over the hold → continuous degradation → orange". */
  rule: z.string(),
  /** The confidence interval crosses a bound: the level is the point estimate's. */
  borderline: z.boolean(),
  /** For p95: its 95 % confidence interval. */
  ci: z.object({ lowMs: z.number(), highMs: z.number() }).nullable(),
});
export type RunLevel = z.infer<typeof RunLevelSchema>;

export const CriterionResultSchema = z.object({
  /** Consolidated over the runs: the median severity (reached or exceeded by at least 2 of 3). */
  level: z.enum(LEVELS),
  runs: z.array(RunLevelSchema),
});
export type CriterionResult = z.infer<typeof CriterionResultSchema>;

export const DecisionSchema = z.object({
  kind: z.literal('decision'),
  schemaVersion: z.literal(1),
  decision: z.enum(DECISIONS),
  /** Fewer comparable runs than `runsToCompare`: the decision rests on `runs.length` runs. */
  provisional: z.boolean(),
  /** 2 × red + 1 × orange on consolidated levels; null with insufficient data. */
  score: z.number().int().nonnegative().nullable(),
  reading: z.enum(READINGS).nullable(),
  /** Why this decision, one sentence each (e.g. "target stage not held in 2 of 3 runs"). */
  reasons: z.array(z.string()),
  /** Empty object with insufficient data. */
  criteria: z.partialRecord(z.enum(CRITERIA), CriterionResultSchema),
  /** The comparable runs used, newest first. */
  runs: z.array(z.string()),
  /** The run the others were compared to. */
  baseline: z.string().nullable(),
  excluded: z.array(z.object({ id: z.string(), reason: z.string() })),
  runsToCompare: z.number().int().positive(),
  environment: z.string(),
  targetStage: z.number().int().positive().nullable(),
  keyTransaction: z.string(),
  /** The action for next week, from the config's `actions` (with the provisional note when provisional). */
  action: z.string().optional(),
  /** What a reader should know that does not change the decision (config and runs disagree, suspect data). */
  warnings: z.array(z.string()).optional(),
});
export type Decision = z.infer<typeof DecisionSchema>;

export const decisionFormat = jsonFormat('decision', 1, DecisionSchema, 'regenerate with `npm run decide -- --json`');

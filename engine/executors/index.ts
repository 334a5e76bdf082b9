/**
 * The executors, by the name a script gives in `executor`: the one place that lists them. The
 * scenario schema (a discriminated union on `executor`), the `Scenario` type and every question
 * about a scenario (its duration, VUs, description, run) derive from this map.
 */
import { z } from 'zod';
import { expected } from '../option-values.ts';
import { constantArrivalRate } from './constant-arrival-rate.ts';
import { constantVus } from './constant-vus.ts';
import type { Executor } from './executor.ts';
import { perVuIterations } from './per-vu-iterations.ts';
import { rampingArrivalRate } from './ramping-arrival-rate.ts';
import { rampingVus } from './ramping-vus.ts';
import { sharedIterations } from './shared-iterations.ts';

export const EXECUTORS = {
  'constant-vus': constantVus,
  'ramping-vus': rampingVus,
  'per-vu-iterations': perVuIterations,
  'shared-iterations': sharedIterations,
  'constant-arrival-rate': constantArrivalRate,
  'ramping-arrival-rate': rampingArrivalRate,
} as const;

type Registry = typeof EXECUTORS;
type ExecutorName = keyof Registry;
type ScenarioOf<K extends ExecutorName> = Registry[K] extends Executor<infer S, unknown> ? S : never;
/** A scenario to run: its name and its executor's options, in ms. */
export type Scenario = { [K in ExecutorName]: ScenarioOf<K> }[ExecutorName];

export const EXECUTOR_NAMES = Object.keys(EXECUTORS) as ExecutorName[];

/** A scenario's options without its name (the key it has in `options.scenarios`). */
type UnnamedScenario = Scenario extends infer S ? (S extends Scenario ? Omit<S, 'name'> : never) : never;

type Member = z.ZodType<UnnamedScenario, unknown> & Parameters<typeof z.discriminatedUnion>[1][number];
/** One scenario's options (without its name, the key it has in `options.scenarios`). */
export const ScenarioSchema = z.discriminatedUnion(
  'executor',
  Object.values(EXECUTORS).map((e) => e.schema as Member) as [Member, ...Member[]],
  {
    error: (iss) =>
      typeof iss.input !== 'object' || iss.input === null
        ? expected('an object', iss.input)
        : expected(`one of ${EXECUTOR_NAMES.join(', ')} (the embedded engine runs these)`, (iss.input as { executor?: unknown })?.executor),
  },
);

/** The executor of a scenario, typed for it (the map's key and the scenario's `executor` agree by the schema). */
export function executorOf<S extends Scenario>(s: S): Executor<S, unknown> {
  return EXECUTORS[s.executor] as unknown as Executor<S, unknown>;
}

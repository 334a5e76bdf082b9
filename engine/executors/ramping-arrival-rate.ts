/**
 * ramping-arrival-rate: the rate of iterations goes linearly from `startRate` through the stages'
 * targets (per timeUnit) (k6's lib/executor/ramping_arrival_rate.go).
 */
import { z } from 'zod';
import { stages, wholeNumber } from '../option-values.ts';
import { arrivalOffsets, arrivalShape, arrivalVUs, runArrivals, vuRange } from './arrival-rate.ts';
import { base, baseShape, formatMs, type Executor, type ScenarioBase } from './executor.ts';

export const schema = z
  .object({
    executor: z.literal('ramping-arrival-rate'),
    ...baseShape,
    ...arrivalShape,
    startRate: wholeNumber(0),
    stages: stages({ nonEmpty: 'at least one {duration, target}' }),
  })
  .transform(({ executor, startRate, stages, timeUnit, preAllocatedVUs, maxVUs, ...o }, ctx) => ({
    executor,
    ...base(o),
    ...arrivalVUs({ timeUnit, preAllocatedVUs, maxVUs }, ctx),
    startRate,
    stages,
  }));

export type RampingArrivalRate = ScenarioBase & z.output<typeof schema>;

const durationOf = (s: RampingArrivalRate): number => s.stages.reduce((a, x) => a + x.durationMs, 0);
const offsets = (s: RampingArrivalRate) => arrivalOffsets(s.startRate, s.timeUnitMs, s.stages);

export const rampingArrivalRate: Executor<RampingArrivalRate, Generator<number>> = {
  schema,
  lendsIterations: false,
  durationMs: durationOf,
  maxVUs: (s) => s.maxVUs,
  initialVUs: (s) => s.preAllocatedVUs,
  plan: offsets,
  describe: (s) =>
    `Up to ${((Math.max(s.startRate, ...s.stages.map((x) => x.target)) * 1000) / s.timeUnitMs).toFixed(2)} iterations/s for ${formatMs(durationOf(s))} over ${s.stages.length} stages (maxVUs: ${vuRange(s)}, gracefulStop: ${formatMs(s.gracefulStopMs)})`,
  run: (s, run) => runArrivals(run, s.maxVUs, offsets(s)),
};

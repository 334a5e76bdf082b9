/** constant-arrival-rate: `rate` iterations per timeUnit for `duration` (k6's lib/executor/constant_arrival_rate.go). */
import { z } from 'zod';
import { durationMs, wholeNumber } from '../option-values.ts';
import { arrivalOffsets, arrivalShape, arrivalVUs, runArrivals, vuRange } from './arrival-rate.ts';
import { base, baseShape, formatMs, type Executor, type ScenarioBase } from './executor.ts';

export const schema = z
  .object({
    executor: z.literal('constant-arrival-rate'),
    ...baseShape,
    ...arrivalShape,
    rate: wholeNumber(undefined, { above0: 'a whole number above 0' }),
    duration: durationMs(undefined, { above0: 'a duration above 0 like "30s"' }),
  })
  .transform(({ executor, rate, duration, timeUnit, preAllocatedVUs, maxVUs, ...o }, ctx) => ({
    executor,
    ...base(o),
    ...arrivalVUs({ timeUnit, preAllocatedVUs, maxVUs }, ctx),
    rate,
    durationMs: duration,
  }));

export type ConstantArrivalRate = ScenarioBase & z.output<typeof schema>;

/** The plan: one flat stage. */
const offsets = (s: ConstantArrivalRate) => arrivalOffsets(s.rate, s.timeUnitMs, [{ durationMs: s.durationMs, target: s.rate }]);

export const constantArrivalRate: Executor<ConstantArrivalRate, Generator<number>> = {
  schema,
  lendsIterations: false,
  durationMs: (s) => s.durationMs,
  maxVUs: (s) => s.maxVUs,
  initialVUs: (s) => s.preAllocatedVUs,
  plan: offsets,
  describe: (s) =>
    `${((s.rate * 1000) / s.timeUnitMs).toFixed(2)} iterations/s for ${formatMs(s.durationMs)} (maxVUs: ${vuRange(s)}, gracefulStop: ${formatMs(s.gracefulStopMs)})`,
  run: (s, run) => runArrivals(run, s.maxVUs, offsets(s)),
};

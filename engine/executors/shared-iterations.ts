/** shared-iterations: `vus` VUs share `iterations` iterations, within maxDuration (k6's lib/executor/shared_iterations.go). */
import { z } from 'zod';
import { durationMs, wholeNumber } from '../option-values.ts';
import { DEFAULT_MAX_DURATION_MS, base, baseShape, formatMs, type Executor, type ScenarioBase } from './executor.ts';

/** The options of the iteration-counting executors (per-vu-iterations has the same). */
export const iterationsShape = { vus: wholeNumber(1), iterations: wholeNumber(1), maxDuration: durationMs(DEFAULT_MAX_DURATION_MS) };

export const schema = z
  .object({ executor: z.literal('shared-iterations'), ...baseShape, ...iterationsShape })
  .transform(({ executor, vus, iterations, maxDuration, ...o }) => ({ executor, ...base(o), vus, iterations, maxDurationMs: maxDuration }))
  .superRefine((s, ctx) => {
    if (s.vus > s.iterations)
      ctx.addIssue({
        code: 'custom',
        message: `the number of VUs (${s.vus}) can't be more than the number of iterations (${s.iterations})`,
      });
  });

export type SharedIterations = ScenarioBase & z.output<typeof schema>;

export const sharedIterations: Executor<SharedIterations, { vus: number; iterations: number }> = {
  schema,
  lendsIterations: false,
  durationMs: (s) => s.maxDurationMs,
  maxVUs: (s) => s.vus,
  initialVUs: (s) => s.vus,
  plan: (s) => ({ vus: s.vus, iterations: s.iterations }),
  describe: (s) =>
    `${s.iterations} iterations shared among ${s.vus} VUs (maxDuration: ${formatMs(s.maxDurationMs)}, gracefulStop: ${formatMs(s.gracefulStopMs)})`,
  async run(s, run) {
    let left = s.iterations;
    await Promise.all(run.vus.map((v) => run.loop(v, () => left-- > 0)));
  },
};

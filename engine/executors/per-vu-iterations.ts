/** per-vu-iterations: each of `vus` VUs runs `iterations` iterations, within maxDuration (k6's lib/executor/per_vu_iterations.go). */
import { z } from 'zod';
import { base, baseShape, formatMs, type Executor, type ScenarioBase } from './executor.ts';
import { iterationsShape } from './shared-iterations.ts';

export const schema = z
  .object({ executor: z.literal('per-vu-iterations'), ...baseShape, ...iterationsShape })
  .transform(({ executor, vus, iterations, maxDuration, ...o }) => ({ executor, ...base(o), vus, iterations, maxDurationMs: maxDuration }));

export type PerVuIterations = ScenarioBase & z.output<typeof schema>;

export const perVuIterations: Executor<PerVuIterations, { vus: number; iterationsPerVu: number; total: number }> = {
  schema,
  lendsIterations: false,
  durationMs: (s) => s.maxDurationMs,
  maxVUs: (s) => s.vus,
  initialVUs: (s) => s.vus,
  plan: (s) => ({ vus: s.vus, iterationsPerVu: s.iterations, total: s.vus * s.iterations }),
  describe: (s) =>
    `${s.iterations} iterations for each of ${s.vus} VUs (maxDuration: ${formatMs(s.maxDurationMs)}, gracefulStop: ${formatMs(s.gracefulStopMs)})`,
  async run(s, run) {
    await Promise.all(
      run.vus.map((v) => {
        let n = 0;
        return run.loop(v, () => n++ < s.iterations);
      }),
    );
  },
};

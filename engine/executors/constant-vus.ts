/** constant-vus: `vus` VUs loop over the iterations for `duration` (k6's lib/executor/constant_vus.go). */
import { z } from 'zod';
import { durationMs, wholeNumber } from '../option-values.ts';
import { base, baseShape, formatMs, type Executor, type ScenarioBase } from './executor.ts';

export const schema = z
  .object({ executor: z.literal('constant-vus'), ...baseShape, vus: wholeNumber(1), duration: durationMs() })
  .transform(({ executor, vus, duration, ...o }) => ({ executor, ...base(o), vus, durationMs: duration }));

export type ConstantVus = ScenarioBase & z.output<typeof schema>;

export const constantVus: Executor<ConstantVus, { vus: number; durationMs: number }> = {
  schema,
  lendsIterations: true,
  durationMs: (s) => s.durationMs,
  maxVUs: (s) => s.vus,
  initialVUs: (s) => s.vus,
  plan: (s) => ({ vus: s.vus, durationMs: s.durationMs }),
  describe: (s) => `${s.vus} looping VUs for ${formatMs(s.durationMs)} (gracefulStop: ${formatMs(s.gracefulStopMs)})`,
  async run(_s, run) {
    await Promise.all(run.vus.map((v) => run.loop(v, () => true)));
  },
};

/**
 * ramping-vus: the number of looping VUs follows the stages linearly (k6's
 * lib/executor/ramping_vus.go); VUs ramped down finish their iteration within gracefulRampDown.
 */
import { z } from 'zod';
import { DEFAULT_GRACEFUL_MS, base, baseShape, formatMs, type Executor, type ScenarioBase, type ScenarioRun } from './executor.ts';
import { durationMs, stages, wholeNumber, type Stage } from '../option-values.ts';

export const schema = z
  .object({
    executor: z.literal('ramping-vus'),
    ...baseShape,
    startVUs: wholeNumber(1),
    stages: stages(),
    gracefulRampDown: durationMs(DEFAULT_GRACEFUL_MS),
  })
  .transform(({ executor, startVUs, stages, gracefulRampDown, ...o }) => ({
    executor,
    ...base(o),
    startVUs,
    stages,
    gracefulRampDownMs: gracefulRampDown,
  }));

export type RampingVus = ScenarioBase & z.output<typeof schema>;

export interface VuStep {
  atMs: number;
  vus: number;
}

/**
 * The plan: the times (ms from the scenario's start) at which the number of active VUs changes,
 * and the new number. A VU is added when the linear ramp reaches it and removed when the ramp
 * goes below it, as k6 steps VUs.
 */
export function rampingSteps(startVUs: number, stages: readonly Stage[]): VuStep[] {
  const steps = [{ atMs: 0, vus: startVUs }];
  let t = 0;
  let cur = startVUs;
  for (const st of stages) {
    const from = cur;
    const to = st.target;
    if (st.durationMs === 0) {
      if (to !== from) steps.push({ atMs: t, vus: to });
    } else if (to > from) {
      for (let v = from + 1; v <= to; v++) steps.push({ atMs: t + (st.durationMs * (v - from)) / (to - from), vus: v });
    } else if (to < from) {
      for (let v = from - 1; v >= to; v--) steps.push({ atMs: t + (st.durationMs * (from - v)) / (from - to), vus: v });
    }
    t += st.durationMs;
    cur = to;
  }
  return steps;
}

/** The VUs a ramping-vus scenario holds at `atMs` (pure, from the steps). */
export function vusAt(steps: readonly VuStep[], atMs: number): number {
  let v = 0;
  for (const s of steps) {
    if (s.atMs > atMs) break;
    v = s.vus;
  }
  return v;
}

const durationOf = (s: RampingVus): number => s.stages.reduce((a, x) => a + x.durationMs, 0);
const maxOf = (s: RampingVus): number => Math.max(s.startVUs, ...s.stages.map((x) => x.target));

export const rampingVus: Executor<RampingVus, VuStep[]> = {
  schema,
  lendsIterations: true,
  durationMs: durationOf,
  maxVUs: maxOf,
  initialVUs: maxOf,
  plan: (s) => rampingSteps(s.startVUs, s.stages),
  describe: (s) =>
    `Up to ${maxOf(s)} looping VUs for ${formatMs(durationOf(s))} over ${s.stages.length} stages (gracefulRampDown: ${formatMs(s.gracefulRampDownMs)}, gracefulStop: ${formatMs(s.gracefulStopMs)})`,
  async run(s, run) {
    const loops = walkSteps(s, run);
    await run.untilEnd();
    // Loops may start late (a step just before the end): wait until none is left.
    for (let n = 0; n < loops.length; n = loops.length) await Promise.all(loops.slice(n));
  },
};

/** Starts and holds VUs at each step of the plan; returns the loops started (the list grows). */
function walkSteps(s: RampingVus, run: ScenarioRun): Array<Promise<void>> {
  const { vus } = run;
  const loops: Array<Promise<void>> = [];
  const looping = new Set<number>();
  let target = 0;
  const apply = (vusTarget: number): void => {
    const before = target;
    target = vusTarget;
    for (let i = 0; i < Math.min(target, vus.length); i++) {
      if (looping.has(i)) continue;
      looping.add(i);
      const idx = i;
      loops.push(run.loop(vus[idx]!, () => idx < target).finally(() => looping.delete(idx)));
    }
    // VUs ramped down finish their iteration within gracefulRampDown, then are stopped.
    for (let i = target; i < before; i++) {
      const v = vus[i]!;
      v.hold(true);
      const mine = run.iteration(v);
      if (mine === undefined) continue;
      const idx = i;
      run.after(s.gracefulRampDownMs, () => {
        if (idx >= target && run.iteration(v) === mine) v.interrupt();
      });
    }
  };
  for (const st of rampingSteps(s.startVUs, s.stages)) {
    if (st.atMs === 0) apply(st.vus);
    else run.after(st.atMs - run.elapsedMs(), () => apply(st.vus));
  }
  return loops;
}

/**
 * What the two arrival-rate executors share (k6's open model): their VU options, their plan (the
 * offsets at which iterations start) and its run: an iteration starts on the plan's schedule on a
 * free VU; with none free it is dropped (dropped_iterations) and, below maxVUs, one more VU is
 * allocated for later ones. Nothing is queued, so the model stays open.
 */
import type { z } from 'zod';
import type { Vu } from '../vu.ts';
import { durationMs, expected, wholeNumber, wholeNumberOrUnset, type Stage } from '../option-values.ts';
import type { ScenarioRun } from './executor.ts';

export const arrivalShape = {
  timeUnit: durationMs(1000, { above0: 'a duration above 0' }),
  preAllocatedVUs: wholeNumber(undefined, { missing: 'a whole number ≥ 0 (required by arrival-rate executors)' }),
  maxVUs: wholeNumberOrUnset,
};

/** The VU options in ms, maxVUs defaulting to preAllocatedVUs; refuses fewer than preAllocatedVUs, or none. */
export function arrivalVUs(o: { timeUnit: number; preAllocatedVUs: number; maxVUs: number | null }, ctx: z.RefinementCtx) {
  const maxVUs = o.maxVUs ?? o.preAllocatedVUs;
  if (maxVUs < o.preAllocatedVUs)
    ctx.addIssue({ code: 'custom', message: `maxVUs (${maxVUs}) can't be less than preAllocatedVUs (${o.preAllocatedVUs})` });
  else if (maxVUs === 0)
    ctx.addIssue({
      code: 'custom',
      path: ['maxVUs'],
      message: expected('at least 1 VU (preAllocatedVUs or maxVUs)', o.maxVUs ?? undefined),
    });
  return { timeUnitMs: o.timeUnit, preAllocatedVUs: o.preAllocatedVUs, maxVUs };
}

/**
 * The plan: the offsets (ms from the scenario's start) at which iterations start, in order, all
 * before the end of the stages. The rate (iterations per timeUnit) goes linearly from one stage's
 * target to the next; iteration i starts when the integral of the rate reaches i, so the first
 * one starts at 0 unless the rate starts at 0.
 */
export function* arrivalOffsets(startRate: number, timeUnitMs: number, stages: readonly Stage[]): Generator<number> {
  let r0 = startRate / timeUnitMs; // iterations per ms
  let t0 = 0;
  let done = 0; // the integral of the rate up to t0
  let i = r0 > 0 ? 0 : 1;
  for (const st of stages) {
    const r1 = st.target / timeUnitMs;
    const d = st.durationMs;
    if (d === 0) {
      r0 = r1;
      continue;
    }
    // Within the stage: count(τ) = r0·τ + (r1−r0)·τ²/(2d), increasing; solve count(τ) = i − done.
    const total = ((r0 + r1) / 2) * d;
    const a = (r1 - r0) / (2 * d);
    // (the epsilon keeps float noise from starting a stage's boundary iteration in the stage before)
    while (i - done < total - 1e-9) {
      const k = i - done;
      const tau = Math.abs(a) < 1e-15 ? k / r0 : (-r0 + Math.sqrt(Math.max(0, r0 * r0 + 4 * a * k))) / (2 * a);
      yield t0 + Math.min(tau, d);
      i++;
    }
    done += total;
    t0 += d;
    r0 = r1;
  }
}

/** k6's "maxVUs: 3-5" (or "5" when preAllocatedVUs equals maxVUs). */
export function vuRange(s: { preAllocatedVUs: number; maxVUs: number }): string {
  return s.preAllocatedVUs === s.maxVUs ? String(s.maxVUs) : `${s.preAllocatedVUs}-${s.maxVUs}`;
}

/** Runs the plan's arrivals; every VU of the scenario counts as active until its last iteration has ended (as k6). */
export async function runArrivals(run: ScenarioRun, maxVUs: number, offsets: Iterator<number>): Promise<void> {
  const { vus } = run;
  const free: Vu[] = [...vus];
  /** Iterations and VU allocations in flight (a set: a long test starts millions). */
  const running = new Set<Promise<void>>();
  let allocating = 0;
  run.addActive(vus.length);
  const track = (p: Promise<void>): void => {
    running.add(p);
    void p.finally(() => running.delete(p));
  };
  const release = (v: Vu): void => {
    if (!v.exited) free.push(v);
  };
  const allocate = (): void => {
    allocating++;
    track(
      run.allocate().then((nv) => {
        allocating--;
        if (!nv) return;
        vus.push(nv);
        run.addActive(1);
        if (run.over()) nv.hold(true);
        else free.push(nv);
      }),
    );
  };
  let next = offsets.next();
  const pump = (final = false): void => {
    if (run.over()) return;
    const now = final ? Infinity : run.elapsedMs(); // the plan ends with the scenario
    while (!next.done && next.value <= now) {
      const v = free.pop();
      if (v)
        track(
          run.iterate(v).then(
            () => release(v),
            () => release(v),
          ),
        );
      else {
        run.dropped();
        if (vus.length + allocating < maxVUs) allocate();
      }
      next = offsets.next();
    }
    // One pending timer at a time (not one kept per arrival: long tests at high rates).
    if (!next.done && !final) run.after(next.value - run.elapsedMs(), pump);
  };
  // Arrivals due before the end that a lagging event loop has not reached yet are started (or
  // dropped) at the end, so none is silently lost on a busy machine.
  run.onEnd(() => pump(true));
  pump();
  await run.untilEnd();
  while (running.size) await Promise.all(running);
  run.addActive(-vus.length);
}

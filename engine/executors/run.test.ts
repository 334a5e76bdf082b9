import { describe, expect, it } from 'vitest';
import { deriveScenarios, type Scenario } from '../scenarios.ts';
import type { Vu } from '../vu.ts';
import type { ScenarioRun } from './executor.ts';
import { executorOf } from './index.ts';

/**
 * Each executor's run on a virtual clock: a fake ScenarioRun whose iterations take `iterMs` of
 * virtual time, so that what an executor starts, drops and allocates is checked against its plan
 * in milliseconds of real time, without workers or sockets.
 */
function virtualRun(s: Scenario, iterMs: number, allocMs = 0) {
  let now = 0;
  let ended = false;
  const queue: Array<{ at: number; seq: number; fn: () => void }> = [];
  let seq = 0;
  const at = (t: number, fn: () => void): void => void queue.push({ at: t, seq: seq++, fn });
  const onEnd: Array<() => void> = [];
  const starts: Array<{ vu: number; atMs: number }> = [];
  const log = { starts, dropped: 0, allocated: 0, active: 0, maxActive: 0 };
  let nextId = 1;
  const newVu = (): Vu => ({ id: nextId++, exited: false, hold() {}, interrupt() {} }) as unknown as Vu;
  const e = executorOf(s);
  const vus = Array.from({ length: e.initialVUs(s) }, newVu);
  const iterate = (vu: Vu): Promise<boolean> =>
    new Promise((res) => {
      starts.push({ vu: vu.id, atMs: now });
      at(now + iterMs, () => res(true));
    });
  const addActive = (n: number): void => {
    log.active += n;
    log.maxActive = Math.max(log.maxActive, log.active);
  };
  const untilEnd = new Promise<void>((res) =>
    at(e.durationMs(s), () => {
      for (const fn of onEnd) fn();
      ended = true;
      res();
    }),
  );
  const run: ScenarioRun = {
    vus,
    iterate,
    async loop(vu, canStart) {
      addActive(1);
      while (!ended && canStart()) await iterate(vu);
      addActive(-1);
    },
    iteration: () => undefined,
    elapsedMs: () => now,
    after: (delayMs, fn) => at(now + delayMs, fn),
    over: () => ended,
    onEnd: (fn) => void onEnd.push(fn),
    untilEnd: () => untilEnd,
    addActive,
    dropped: () => void log.dropped++,
    allocate: () =>
      new Promise((res) =>
        at(now + allocMs, () => {
          log.allocated++;
          res(newVu());
        }),
      ),
  };
  const drive = async (): Promise<typeof log> => {
    let finished = false;
    const done = e.run(s, run).then(() => void (finished = true));
    const settle = () => new Promise((r) => setImmediate(r));
    await settle();
    while (!finished && queue.length) {
      queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const ev = queue.shift()!;
      now = Math.max(now, ev.at);
      ev.fn();
      await settle();
    }
    await done;
    return log;
  };
  return drive;
}

const scenario = (o: Record<string, unknown>): Scenario =>
  deriveScenarios({ scenarios: { s: o } }, { vus: null, durationMs: null, iterations: null, stages: null })[0]!;

describe('executors run their plan (virtual clock)', () => {
  it('shared-iterations: exactly `iterations` among the VUs, then the scenario ends', async () => {
    const log = await virtualRun(scenario({ executor: 'shared-iterations', vus: 3, iterations: 10 }), 100)();
    expect(log.starts).toHaveLength(10);
    expect(new Set(log.starts.map((x) => x.vu))).toEqual(new Set([1, 2, 3]));
    expect(Math.max(...log.starts.map((x) => x.atMs))).toBe(300); // 4 rounds of 100 ms on 3 VUs
  });

  it('per-vu-iterations: `iterations` on each VU', async () => {
    const log = await virtualRun(scenario({ executor: 'per-vu-iterations', vus: 2, iterations: 3 }), 50)();
    const per = (id: number) => log.starts.filter((x) => x.vu === id).length;
    expect([per(1), per(2), log.starts.length]).toEqual([3, 3, 6]);
  });

  it('constant-vus: every VU loops until the duration is over, none starts after', async () => {
    const log = await virtualRun(scenario({ executor: 'constant-vus', vus: 2, duration: '1s' }), 300)();
    expect(log.starts.map((x) => x.atMs)).toEqual([0, 0, 300, 300, 600, 600, 900, 900]);
    expect([log.maxActive, log.active]).toEqual([2, 0]);
  });

  it('ramping-vus: VUs start at their step of the plan', async () => {
    const s = scenario({ executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '1s', target: 2 }], gracefulRampDown: '0s' });
    const log = await virtualRun(s, 2000)();
    // 0→2 over 1 s: one VU at 500 ms, the second at 1 s (the end: it starts no iteration).
    expect(log.starts).toEqual([{ vu: 1, atMs: 500 }]);
  });

  it('constant-arrival-rate: starts at the planned offsets while VUs are free, drops and allocates when none is', async () => {
    const s = scenario({ executor: 'constant-arrival-rate', rate: 4, timeUnit: '1s', duration: '1s', preAllocatedVUs: 1, maxVUs: 2 });
    const log = await virtualRun(s, 600, 0)();
    // Plan: 0, 250, 500, 750. VU 1 busy 0–600: 250 dropped (VU 2 allocated), 500 on VU 2, 750 on VU 1.
    expect(log.starts).toEqual([
      { vu: 1, atMs: 0 },
      { vu: 2, atMs: 500 },
      { vu: 1, atMs: 750 },
    ]);
    expect([log.dropped, log.allocated, log.active]).toEqual([1, 1, 0]);
  });

  it('ramping-arrival-rate: every planned iteration started or dropped, never beyond maxVUs', async () => {
    const s = scenario({
      executor: 'ramping-arrival-rate',
      startRate: 0,
      preAllocatedVUs: 1,
      maxVUs: 1,
      stages: [{ duration: '2s', target: 10 }],
    });
    const planned = [...(executorOf(s).plan(s) as Iterable<number>)].length;
    const log = await virtualRun(s, 150)();
    expect(log.starts.length + log.dropped).toBe(planned);
    expect([log.allocated, log.maxActive]).toEqual([0, 1]);
    expect(log.dropped).toBeGreaterThan(0);
  });
});

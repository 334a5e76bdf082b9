import type { Scenario } from '../../engine/scenarios.ts';
import type { Vu } from '../../engine/vu.ts';
import type { ScenarioRun } from '../../engine/executors/executor.ts';
import { executorOf } from '../../engine/executors/index.ts';

/**
 * Each executor's run on a virtual clock: a fake ScenarioRun whose iterations take `iterMs` of
 * virtual time, so that what an executor starts, drops and allocates is checked against its plan
 * in milliseconds of real time, without workers or sockets.
 */
export function virtualRun(s: Scenario, iterMs: number, allocMs = 0) {
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

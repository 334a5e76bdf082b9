/**
 * Runs the scenarios: each at its startTime on VUs from the pool, its executor walking its plan
 * through a `ScenarioRun`; at the end of its duration its VUs are held (no new iteration), at the
 * end of its gracefulStop interrupted. Counts the active VUs and each scenario's progress.
 */
import type { Log } from './engine-io.ts';
import { COUNTER, type VuCommand } from './protocol.ts';
import type { ScenarioProgress } from './progress.ts';
import type { RunControl } from './run-control.ts';
import type { SampleSink } from './sample-sink.ts';
import { executorOf } from './executors/index.ts';
import type { ScenarioRun } from './executors/executor.ts';
import { initialVUs, maxVUs, scenarioDurationMs, type Scenario } from './scenarios.ts';
import type { VuPool } from './vu-pool.ts';
import type { SocketBytes, Vu } from './vu.ts';

const nowMs = (): number => performance.timeOrigin + performance.now();

export interface ScenarioRunnerDeps {
  pool: VuPool;
  sink: SampleSink;
  control: RunControl;
  log: Log;
  /** setup()'s result, as JSON (null without setup). */
  data: string | null;
  /** options.tags: on every sample. */
  globalTags: Record<string, string>;
  /** systemTags enable vu / iter: into each sample's metadata. */
  sysMeta: { vu: boolean; iter: boolean } | null;
  /** What a VU's sockets moved so far (its iterations' data_sent / data_received). */
  socketBytes: (vu: Vu) => SocketBytes;
}

export class ScenarioRunner {
  /** VUs busy with a scenario now (the `vus` metric). */
  active = 0;
  /** Each scenario's own VUs and times, for its progress bar. */
  readonly bars: ScenarioProgress[];
  private startedAt = 0;

  constructor(
    private readonly scenarios: readonly Scenario[],
    private readonly deps: ScenarioRunnerDeps,
  ) {
    this.bars = scenarios.map((s) => ({
      name: s.name,
      active: 0,
      maxVUs: maxVUs(s),
      durationMs: scenarioDurationMs(s),
      startedMs: null,
      endedMs: null,
    }));
  }

  /** ms since the test started (0 before). */
  sinceStart(): number {
    return this.startedAt ? performance.now() - this.startedAt : 0;
  }

  /** Runs every scenario; resolves when all have ended. */
  async run(): Promise<void> {
    this.startedAt = performance.now();
    await Promise.all(this.scenarios.map((s, i) => this.runScenario(s, i)));
  }

  private async runScenario(s: Scenario, index: number): Promise<void> {
    const { control, pool, log } = this.deps;
    await control.wait(s.startTimeMs);
    if (control.stopped) return;
    const vus = pool.take(initialVUs(s));
    // The plan counts the VUs each scenario needs; a shortfall (a VU that exited) is allocated.
    while (vus.length < initialVUs(s)) {
      const v = await this.allocate(s, log);
      if (!v) break;
      vus.push(v);
    }
    const bar = this.bars[index]!;
    bar.startedMs = this.sinceStart();
    try {
      await this.runExecutor(s, index, vus);
    } finally {
      bar.endedMs = this.sinceStart();
      pool.giveBack(vus);
    }
  }

  private async allocate(s: Scenario, log: Log): Promise<Vu | null> {
    const v = await this.deps.pool.allocate();
    if (!('error' in v)) return v;
    log('error', `scenario ${s.name}: a VU allocated during the test failed to initialise: ${v.error}`);
    return null;
  }

  private async runExecutor(s: Scenario, index: number, vus: Vu[]): Promise<void> {
    const { control, sink } = this.deps;
    const executor = executorOf(s);
    const start = performance.now();
    const endAt = start + executor.durationMs(s);
    const timers = new Set<NodeJS.Timeout>();
    const after = (delayMs: number, fn: () => void): void => {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, delayMs);
      timers.add(t);
    };
    // One flag decides the end: a timer may fire a fraction of a ms before performance.now()
    // reaches endAt, and a VU sent on after its hold was set would go on iterating on its lease.
    let ended = false;
    const onEnd: Array<() => void> = [];
    after(endAt - performance.now(), () => {
      for (const fn of onEnd) fn();
      ended = true;
      for (const v of vus) v.hold(true);
    });
    after(endAt + s.gracefulStopMs - performance.now(), () => {
      for (const v of vus) v.interrupt();
    });
    const over = (): boolean => ended || control.stopped;
    const addActive = (n: number): void => {
      this.active += n;
      this.bars[index]!.active += n;
    };
    const iter = this.iterations(s, index);
    const run: ScenarioRun = {
      vus,
      iterate: iter.iterate,
      async loop(vu, canStart) {
        addActive(1);
        try {
          while (!over() && canStart()) if (!(await iter.iterate(vu))) break;
        } finally {
          addActive(-1);
        }
      },
      iteration: (vu) => iter.current.get(vu),
      elapsedMs: () => performance.now() - start,
      after,
      over,
      onEnd: (fn) => void onEnd.push(fn),
      untilEnd: () => control.wait(endAt - performance.now()),
      addActive,
      dropped: () => sink.add('dropped_iterations', 1, nowMs(), { ...this.deps.globalTags, ...s.tags, scenario: s.name }),
      allocate: () => this.allocate(s, this.deps.log),
    };
    try {
      await executor.run(s, run);
    } finally {
      for (const t of timers) clearTimeout(t);
    }
  }

  /** How a scenario's iterations are started on a VU, and which iteration each VU is in. */
  private iterations(s: Scenario, index: number) {
    const { pool, sink, control, data, sysMeta, socketBytes } = this.deps;
    const scenarioStartMs = nowMs();
    const tags = { ...this.deps.globalTags, ...s.tags };
    const env = Object.keys(s.env).length > 0 ? { env: s.env } : {};
    const lease = executorOf(s).lendsIterations;
    const current = new Map<Vu, number>();
    let seq = 0;
    /** One iteration (or, on a lease, several) on a VU; false when the VU is gone. */
    const iterate = async (vu: Vu): Promise<boolean> => {
      vu.clearInterrupt();
      vu.hold(false);
      const cmd: VuCommand = {
        op: 'iterate',
        scenario: s.name,
        scenarioIndex: index,
        executor: s.executor,
        exec: s.exec,
        iterInScenario: Atomics.add(pool.counters, COUNTER.scenarioBase + index, 1),
        iterInTest: Atomics.add(pool.counters, COUNTER.iterInTest, 1),
        scenarioStartMs,
        data,
        lease,
        tags,
        ...env,
        ...(sysMeta ? { sysMeta } : {}),
      };
      vu.startIteration(s.name, socketBytes(vu));
      current.set(vu, ++seq);
      const done = await vu.command(cmd);
      current.delete(vu);
      if (done.op !== 'done') return !vu.exited;
      const end = done.endMs ?? nowMs();
      sink.addIteration(
        {
          startMs: done.startMs ?? end,
          endMs: end,
          tags: done.tags ?? {},
          ...(done.metadata ? { metadata: done.metadata } : {}),
          ...(done.interrupted ? { interrupted: true } : {}),
        },
        s.name,
        vu.takeBytes(socketBytes(vu)),
      );
      if (done.abort !== undefined) control.abort(done.abort);
      return !vu.exited;
    };
    return { iterate, current };
  }
}

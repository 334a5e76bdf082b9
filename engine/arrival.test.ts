import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deriveScenarios, describeScenario, initialVUs, maxVUs, peakVUs, scenarioDurationMs, type Scenario } from './scenarios.ts';
import { executorOf } from './executors/index.ts';
import { csvRows, loopback, runEngineInProcess, type CsvRow, type Loopback } from '../test/testkit/engine-runs.ts';
import { virtualRun } from '../test/testkit/virtual-clock.ts';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));

const plan = (o: Record<string, unknown>) =>
  deriveScenarios({ scenarios: { s: o } }, { vus: null, durationMs: null, iterations: null, stages: null })[0]!;
/** An arrival-rate executor's plan: the offsets at which its iterations start. */
const offsets = (s: Scenario): number[] => [...(executorOf(s).plan(s) as Iterable<number>)];

describe('arrival-rate executors as data', () => {
  it('constant-arrival-rate starts rate iterations per timeUnit, evenly, from 0', () => {
    const o = { executor: 'constant-arrival-rate', rate: 3, timeUnit: '500ms', duration: '1s', preAllocatedVUs: 2 };
    const s = plan({ ...o, maxVUs: 5 });
    expect(offsets(s).map((x) => Number(x.toFixed(6)))).toEqual([0, 166.666667, 333.333333, 500, 666.666667, 833.333333]);
    expect([initialVUs(s), maxVUs(s), scenarioDurationMs(s)]).toEqual([2, 5, 1000]);
    expect(describeScenario(s)).toBe('6.00 iterations/s for 1s (maxVUs: 2-5, gracefulStop: 30s)');
    expect(describeScenario(plan({ ...o, maxVUs: 2 }))).toBe('6.00 iterations/s for 1s (maxVUs: 2, gracefulStop: 30s)');
  });
  it('ramping-arrival-rate follows the integral of a linear rate across stages', () => {
    const s = plan({
      executor: 'ramping-arrival-rate',
      startRate: 0,
      timeUnit: '1s',
      preAllocatedVUs: 1,
      stages: [
        { target: 4, duration: '2s' },
        { target: 4, duration: '1s' },
        { target: 0, duration: '1s' },
      ],
    });
    const t = offsets(s);
    // 0→4/s over 2 s: 4 iterations, the n-th when 4·τ²/(2·2 s) = n, i.e. τ = √n s.
    expect(t.slice(0, 3).map((x) => Math.round(x))).toEqual([1000, 1414, 1732]);
    // then 4/s flat from 2 s, then 4→0 over the last second (integral 2: 2 more).
    expect(t.slice(3, 7).map((x) => Math.round(x))).toEqual([2000, 2250, 2500, 2750]);
    expect(t.length).toBe(3 + 4 + 2);
    expect(t.every((x, i) => i === 0 || x > t[i - 1]!)).toBe(true);
    expect(Math.max(...t)).toBeLessThan(4000);
  });
  it('a step (0 s stage) changes the rate at once; startRate > 0 starts at 0', () => {
    const s = plan({
      executor: 'ramping-arrival-rate',
      startRate: 2,
      preAllocatedVUs: 1,
      stages: [
        { target: 2, duration: '1s' },
        { target: 4, duration: '0s' },
        { target: 4, duration: '1s' },
      ],
    });
    expect(offsets(s)).toEqual([0, 500, 1000, 1250, 1500, 1750]);
  });
  it.each([
    [{ executor: 'constant-arrival-rate', rate: 10, duration: '1s' }, 'preAllocatedVUs'],
    [{ executor: 'constant-arrival-rate', rate: 0, duration: '1s', preAllocatedVUs: 1 }, 'rate'],
    [{ executor: 'constant-arrival-rate', rate: 1, preAllocatedVUs: 1 }, 'duration'],
    [
      { executor: 'constant-arrival-rate', rate: 1, duration: '1s', preAllocatedVUs: 3, maxVUs: 2 },
      "maxVUs (2) can't be less than preAllocatedVUs (3)",
    ],
    [{ executor: 'ramping-arrival-rate', preAllocatedVUs: 1, stages: [] }, 'stages'],
    [{ executor: 'ramping-arrival-rate', preAllocatedVUs: 1, timeUnit: '0s', stages: [{ target: 1, duration: '1s' }] }, 'timeUnit'],
  ])('rejects %j naming %s', (o, what) => {
    expect(() => plan(o)).toThrow(what);
  });
});

describe('VUs shared by scenarios that do not overlap', () => {
  it('holds the peak of the VUs the running scenarios need, a scenario running until the end of its gracefulStop', () => {
    const all = deriveScenarios(
      {
        scenarios: {
          a: { executor: 'constant-vus', vus: 3, duration: '10s', gracefulStop: '0s' },
          b: { executor: 'constant-vus', vus: 5, duration: '10s', startTime: '10s' },
          c: { executor: 'constant-arrival-rate', rate: 1, duration: '5s', preAllocatedVUs: 2, maxVUs: 4, startTime: '12s' },
          d: { executor: 'constant-vus', vus: 1, duration: '1s', startTime: '2s', gracefulStop: '1s' },
        },
      },
      { vus: null, durationMs: null, iterations: null, stages: null },
    );
    // a+d = 4 early; b+c from 12 s: 5+2 initialised, 5+4 at most.
    expect(peakVUs(all, initialVUs)).toBe(7);
    expect(peakVUs(all, maxVUs)).toBe(9);
  });
});

/** The scenarios of __fixtures__/arrival-rate.js, as its options give them. */
const FIXTURE = {
  steady: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '2s', preAllocatedVUs: 2, maxVUs: 4 },
  ramp: { executor: 'ramping-arrival-rate', startRate: 0, timeUnit: '500ms', stages: [{ target: 5, duration: '1s' }], preAllocatedVUs: 1 },
};

describe("the fixture's arrival-rate scenarios on a virtual clock (what they start, drop and allocate)", () => {
  it('steady: 20/s for 2 s on 2–4 VUs busy 0.3 s each: every arrival started or dropped, VUs allocated up to maxVUs', async () => {
    const log = await virtualRun(plan(FIXTURE.steady), 301)();
    expect(log.starts.length + log.dropped).toBe(40);
    expect(log.dropped).toBeGreaterThan(0);
    // 2 preallocated + 2 allocated = maxVUs (4); with the ramp's VU, the test's vus_max of 5.
    expect([log.allocated, log.maxActive]).toEqual([2, 4]);
  });
  it('ramp: 0→5 per 500 ms over 1 s: integral 5, the first at 0 not started (rate 0): 4 iterations, none dropped', async () => {
    const log = await virtualRun(plan(FIXTURE.ramp), 5)();
    expect([log.starts.length, log.dropped, log.allocated]).toEqual([4, 0, 0]);
  });
});

/**
 * The fixture on the engine, against a loopback server. What depends on how fast the machine is
 * (how many arrivals find a free VU, when an allocated VU is ready) is asserted on the virtual clock
 * above; here, what holds however loaded the machine is: each arrival is started or dropped (the
 * plan's arrivals still due at the end are started or dropped then, and a started one finishes
 * within the graceful stop), the first arrival of each scenario finds its preallocated VU free, a
 * late scenario never starts before its startTime.
 */
describe('arrival-rate executors on a loopback server', () => {
  let srv: Loopback;
  let dir = '';
  let rows: CsvRow[] = [];
  let code: number | null = null;
  beforeAll(async () => {
    srv = await loopback((_req, res) => res.end('ok'));
    dir = mkdtempSync(join(tmpdir(), 'k6-arrival-'));
    const r = await runEngineInProcess(
      ['run', '-q', '-e', `BASE=${srv.base}`, '--out', 'csv=out.csv', join(fixtures, 'arrival-rate.js')],
      dir,
    );
    code = r.code;
    if (r.code !== 0) console.error(r.stderr);
    rows = csvRows(readFileSync(join(dir, 'out.csv'), 'utf8'));
  });
  afterAll(async () => {
    await srv?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const of = (metric: string, scenario?: string): CsvRow[] =>
    rows.filter((r) => r.metric_name === metric && (scenario === undefined || r.scenario === scenario));

  it('exits 0', () => expect(code).toBe(0));
  it('starts every planned iteration or counts it in dropped_iterations (tagged with the scenario)', () => {
    // 20/s for 2 s; 4 VUs at most, each busy 0.3 s per iteration: some are dropped.
    const done = of('iterations', 'steady').length;
    const dropped = of('dropped_iterations', 'steady');
    expect(done + dropped.length).toBe(40);
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped.every((r) => r.extra_tags === 'kind=open' && r.metric_value === '1.000000')).toBe(true);
    // The ramp's 4 arrivals (1 VU): started or dropped, the first one started.
    expect(of('iterations', 'ramp').length + of('dropped_iterations', 'ramp').length).toBe(4);
    expect(of('iterations', 'ramp').length).toBeGreaterThan(0);
  });
  it("runs each scenario's exec with its env and tags, and starts late scenarios at startTime", () => {
    expect(of('http_reqs', 'ramp').length).toBeGreaterThan(0);
    expect(of('http_reqs', 'ramp').every((r) => r.url!.endsWith('/ramp'))).toBe(true);
    expect(of('http_reqs', 'steady').every((r) => r.url!.endsWith('/steady') && r.extra_tags === 'kind=open')).toBe(true);
    // setup() ends before the scenarios start: its request is a time no later than the test's start.
    const [setup] = rows.filter((r) => r.metric_name === 'http_reqs' && r.url!.endsWith('/setup'));
    const firstRamp = Math.min(...of('http_reqs', 'ramp').map((r) => Number(r.timestamp)));
    // The ramp's first iteration is planned at 1 s (startTime) + √(1/5)·1 s ≈ 1447 ms after the test
    // starts, never earlier (later when the machine lags); without its startTime it would be 447 ms.
    expect(firstRamp - Number(setup!.timestamp)).toBeGreaterThan(1000);
  });
  it('allocates VUs up to maxVUs when none is free; vus_max follows', () => {
    // 2 + 1 preallocated; up to 2 more for "steady" (how many are ready before the end: the virtual clock above).
    const vmax = of('vus_max').map((r) => Number(r.metric_value));
    expect(Math.min(...vmax)).toBeGreaterThanOrEqual(3);
    expect(Math.max(...vmax)).toBeLessThanOrEqual(5);
    expect(Math.max(...of('vus').map((r) => Number(r.metric_value)))).toBeLessThanOrEqual(5);
  });
});

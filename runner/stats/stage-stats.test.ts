import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { stageStatsFormat } from '../../formats/stage-stats.ts';
import { CSV_COLUMNS, csvField } from '../../formats/k6/csv.ts';
import { percentile } from './samples.ts';
import { computeStageStats } from './stage-stats.ts';
import { windowParams } from '../../formats/window-rule.ts';

const tmp = mkdtempSync(join(tmpdir(), 'stage-stats-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const T0 = 1_795_355_090_000;
type Cols = Partial<Record<(typeof CSV_COLUMNS)[number], string>>;
const line = (c: Cols) => CSV_COLUMNS.map((k) => csvField(c[k] ?? '')).join(',');

/**
 * A synthetic stage, ms timestamps: 10 users, 10 s ramp, 100 s hold (→ 5 s windows after a 10 s
 * warm-up: 18 windows). Each user iterates every second: one `search` and one `home` request.
 * Search latency is `searchMs(t)`; the ramp and the time after the hold carry absurd latencies
 * that must not reach the figures.
 */
function stage(opts: { searchMs: (tHoldMs: number) => number; failEvery?: number; endAtMs?: number }) {
  const rows = [CSV_COLUMNS.join(',')];
  const inHold: number[] = [];
  let failures = 0;
  let n = 0;
  const end = opts.endAtMs ?? 125_000;
  for (let t = 0; t < end; t += 100) {
    const ts = String(T0 + t);
    const holding = t >= 10_000 && t < 110_000;
    const search = holding ? opts.searchMs(t - 10_000) : 9_999;
    n++;
    const fail = holding && opts.failEvery !== undefined && n % opts.failEvery === 0;
    const timeout = fail && n % (2 * opts.failEvery!) === 0;
    const status = timeout ? '0' : fail ? '500' : '200';
    const code = timeout ? '1050' : fail ? '1500' : '';
    const tags = { error_code: code, status, name: 'search', url: 'search', check: '', error: timeout ? 'request timeout, after 60s' : '' };
    rows.push(line({ metric_name: 'http_reqs', timestamp: ts, metric_value: '1.000000', ...tags }));
    rows.push(line({ metric_name: 'http_req_duration', timestamp: ts, metric_value: search.toFixed(6), ...tags }));
    rows.push(line({ metric_name: 'http_req_failed', timestamp: ts, metric_value: fail ? '1.000000' : '0.000000', ...tags }));
    rows.push(line({ metric_name: 'checks', timestamp: ts, metric_value: fail ? '0.000000' : '1.000000', check: 'status is 200, "ok"' }));
    rows.push(line({ metric_name: 'http_req_duration', timestamp: ts, metric_value: '10.000000', name: 'home', status: '200' }));
    rows.push(line({ metric_name: 'http_req_failed', timestamp: ts, metric_value: '0.000000', name: 'home', status: '200' }));
    // 10 users each finishing a 1 s iteration every second: 10 iterations/s × 1 s = 10 users.
    rows.push(line({ metric_name: 'data_sent', timestamp: ts, metric_value: '100.000000' }));
    rows.push(line({ metric_name: 'iteration_duration', timestamp: ts, metric_value: '1000.000000' }));
    rows.push(line({ metric_name: 'iterations', timestamp: ts, metric_value: '1.000000' }));
    if (holding) {
      inHold.push(search);
      if (fail) failures++;
    }
  }
  return { text: `${rows.join('\n')}\n`, inHold, failures };
}

const params = {
  users: 10,
  rampMs: 10_000,
  holdMs: 100_000,
  keyName: 'search',
  windowMs: 30_000,
  warmupMs: 60_000,
  outlierMads: 3.5,
  trendMinWindows: 10,
  trendMinKeyRequests: 20,
};

/** The stage's params as a run plans them: configured windows shrunk for short holds by the one rule (SPEC §2). */
function planned(over: Partial<typeof params> = {}) {
  const p = { ...params, ...over };
  return { ...p, ...windowParams(p.holdMs, { windowMs: p.windowMs, warmupMs: p.warmupMs }) };
}

async function statsOf(text: string, name: string, gzip = false, over: Partial<typeof params> = {}) {
  const file = join(tmp, name);
  writeFileSync(file, gzip ? gzipSync(text) : text);
  return computeStageStats({ file, ...planned(over) });
}

describe('computeStageStats', () => {
  it('keeps the hold only, and computes k6 percentiles, rates, windows, iterations and errors', async () => {
    let seed = 42;
    // A fixed pseudo-random latency (LCG), so windows differ as in a real stage.
    const s0 = stage({ searchMs: () => 200 + ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 10_000) / 100, failEvery: 50 });
    const s = await statsOf(s0.text, 'flat.csv');
    expect(() => stageStatsFormat.parse(stageStatsFormat.stringify(s), 'x')).not.toThrow();
    expect(s.hold).toMatchObject({
      testStartMs: T0,
      startMs: T0 + 10_000,
      endMs: T0 + 110_000,
      heldMs: 100_000,
      windowMs: 5_000,
      warmupMs: 10_000,
    });
    expect(s.source.timeResolutionMs).toBe(1);
    expect(s.key.count).toBe(s0.inHold.length);
    expect(s.key.p95Ms).toBe(percentile(s0.inHold, 0.95));
    expect(s.key.maxMs).toBeLessThan(9_999);
    expect(s.key.failures).toBe(s0.failures);
    expect(s.key.throughputPerS).toBeCloseTo(10, 9);
    expect(s.byName.home!.p95Ms).toBe(10);
    expect(s.all.count).toBe(2 * s0.inHold.length);
    expect(s.windows).toHaveLength(18);
    expect(s.windows.every((w) => w.count === 100 && w.keyCount === 50)).toBe(true);
    expect(s.p95Ci!.windows).toBe(18);
    expect(s.p95Ci!.lowMs).toBeLessThan(s.key.p95Ms!);
    expect(s.p95Ci!.highMs).toBeGreaterThan(s.key.p95Ms!);
    expect(s.latencyTrend!.pValue).toBeGreaterThan(0.05);
    expect(s.outlierWindows).toEqual([]);
    expect(s.iterations).toEqual({ count: 1000, ratePerS: 10, meanDurationMs: 1000 });
    expect(s.littlesLaw).toMatchObject({ estimatedUsers: 10, deviationPct: 0, ok: true });
    expect(s.littlesLaw.why).toBe(
      "Little's law: 10.00 iterations/s × 1.00 s mean iteration = 10.0 busy users for 10 run (+0.0 %, within ±10 %)",
    );
    // Goodput: the successful requests only, per second of the hold.
    expect(s.all.goodputPerS).toBeCloseTo((2 * s0.inHold.length - s0.failures) / 100, 9);
    expect(s.all.throughputPerS).toBeCloseTo((2 * s0.inHold.length) / 100, 9);
    expect(s.windows.reduce((a, w) => a + w.goodputPerS * 5, 0)).toBeCloseTo(
      s.windows.reduce((a, w) => a + w.count * (1 - w.errorRate), 0),
      6,
    );
    expect(s.trendTestable).toEqual({ testable: true, windows: 18, windowsAfterWarmup: 18, minWindows: 10, minKeyRequests: 20 });
    expect(s.errors.byCode).toEqual({ 1050: s0.failures / 2, 1500: s0.failures / 2 });
    expect(s.errors.byStatus).toEqual({ 0: s0.failures / 2, 500: s0.failures / 2 });
    expect(s.errors.timeouts).toBe(s0.failures / 2);
    expect(s.checks).toEqual({ passes: 1000 - s0.failures, fails: s0.failures });
    expect(s.data.sentBytes).toBe(100_000);
    // Whole-file metrics include the ramp and the tail.
    expect(s.metrics.http_req_duration!.max).toBe(9_999);
    expect(s.metrics.http_req_duration!.count).toBe(2 * 1250);
  });

  it('sees a continuous degradation: latency growing 30 % over the hold', async () => {
    const s = await statsOf(stage({ searchMs: (t) => 1000 * (1 + (0.3 * t) / 100_000) }).text, 'growing.csv.gz', true);
    const t = s.latencyTrend!;
    expect(t.pValue).toBeLessThan(0.05);
    // Windows span 10 s → 100 s of the hold: the line grows by 0.3 × 85/100 over 17 windows, relative to its value at window 0.
    expect(t.changePctOverHold).toBeCloseTo(((0.3 * 85_000) / 100_000 / (1 + (0.3 * 12_450) / 100_000)) * 100, 0);
    expect(s.throughputTrend!.pValue).toBeGreaterThan(0.05);
  });

  it.each([
    // 5 s hold: 18 windows of 250 ms with 2–3 key requests each.
    { name: 'a 5 s hold', over: { holdMs: 5_000 }, testable: false, windows: 0 },
    // 100 s hold, 50 key requests per window, but 60 asked of each window.
    { name: 'windows sparser than asked', over: { trendMinKeyRequests: 60 }, testable: false, windows: 0 },
    { name: 'fewer windows than asked', over: { trendMinWindows: 19 }, testable: false, windows: 18 },
    { name: 'just enough', over: { trendMinWindows: 18, trendMinKeyRequests: 50 }, testable: true, windows: 18 },
  ])('trend tests only where testable: $name', async ({ over, testable, windows }) => {
    const s = await statsOf(stage({ searchMs: (t) => 1000 * (1 + (0.3 * t) / 100_000) }).text, 'testable.csv', false, over);
    expect(s.trendTestable.testable).toBe(testable);
    expect(s.trendTestable.windows).toBe(windows);
    expect(s.latencyTrend === null).toBe(!testable);
    expect(s.throughputTrend === null).toBe(!testable);
  });

  it('flags an outlier window of key p95', async () => {
    // Window 7 covers hold time [45 s, 50 s).
    const s = await statsOf(stage({ searchMs: (t) => (t >= 45_000 && t < 50_000 ? 5000 : 200 + (t % 700) / 10) }).text, 'spike.csv');
    expect(s.outlierWindows).toEqual([7]);
    expect(s.latencyTrend!.pValue).toBeGreaterThan(0.05);
  });

  it('clips the hold to the data when the stage stopped early', async () => {
    const s = await statsOf(stage({ searchMs: () => 100, endAtMs: 60_000 }).text, 'short.csv');
    // The last row is stamped 59.9 s with 1 ms resolution: the data end at 59.901 s.
    expect(s.hold.heldMs).toBe(49_901);
    expect(s.hold.plannedHoldMs).toBe(100_000);
    // Whole windows only: [20 s, 25 s) … [50 s, 55 s); [55 s, 60 s) is cut.
    expect(s.windows).toHaveLength(7);
    expect(s.key.throughputPerS).toBeCloseTo(10, 1);
  });

  it('gives figures over what was read, and says so, for a cut gzip', async () => {
    const gz = gzipSync(stage({ searchMs: () => 100 }).text);
    const file = join(tmp, 'cut.csv.gz');
    writeFileSync(file, gz.subarray(0, Math.floor(gz.length / 2)));
    const s = await computeStageStats({ file, ...planned() });
    expect(s.source.truncated).toBe(true);
    expect(s.source.warnings.join(' ')).toMatch(/gzip ends early/);
    expect(s.hold.heldMs).toBeLessThan(100_000);
  });

  it('a custom Trend as the key transaction (a WebSocket action): its samples are the key, failed sessions count in the error rate', async () => {
    // Each 100 ms: one HTTP request named `rerun` (not the key: another metric), one action of
    // `ws_action_duration{name:rerun}` (the key) and, each second, one session (every 4th failed).
    const rows = [CSV_COLUMNS.join(',')];
    const actions: number[] = [];
    let sessions = 0;
    let failed = 0;
    for (let t = 0; t < 110_000; t += 100) {
      const ts = String(T0 + t);
      const ms = 50 + (t % 1000) / 10;
      rows.push(line({ metric_name: 'http_req_duration', timestamp: ts, metric_value: '7000.000000', name: 'rerun', status: '200' }));
      rows.push(line({ metric_name: 'http_req_failed', timestamp: ts, metric_value: '0.000000', name: 'rerun', status: '200' }));
      rows.push(line({ metric_name: 'ws_action_duration', timestamp: ts, metric_value: ms.toFixed(6), name: 'rerun' }));
      const holding = t >= 10_000;
      if (holding) actions.push(ms);
      if (t % 1000 === 0) {
        const bad = (t / 1000) % 4 === 0;
        rows.push(line({ metric_name: 'ws_session_failed', timestamp: ts, metric_value: bad ? '1.000000' : '0.000000', name: 'rerun' }));
        if (holding) {
          sessions++;
          if (bad) failed++;
        }
      }
    }
    const s = await statsOf(`${rows.join('\n')}\n`, 'ws-key.csv', false, { keyName: 'rerun', keyMetric: 'ws_action_duration' } as Partial<
      typeof params
    >);
    expect(s.keyMetric).toBe('ws_action_duration');
    expect(s.key.count).toBe(actions.length);
    expect(s.key.p95Ms).toBe(percentile(actions, 0.95));
    expect(s.key.maxMs).toBeLessThan(7000);
    // Attempts: the HTTP requests, the actions and the sessions; failures: the failed sessions.
    expect(s.all.count).toBe(2 * actions.length + sessions);
    expect(s.all.failures).toBe(failed);
    expect(s.all.errorRate).toBeCloseTo(failed / (2 * actions.length + sessions), 12);
    expect(s.windows.every((w) => w.keyCount === 50 && w.keyP95Ms !== null && w.keyP95Ms < 7000)).toBe(true);
    expect(s.windows.reduce((n, w) => n + w.count, 0)).toBe(s.windows.length * (100 + 5));
    // The same rows read with the HTTP key of that name: the key is the HTTP request again.
    const http = await statsOf(`${rows.join('\n')}\n`, 'ws-key-http.csv', false, { keyName: 'rerun' });
    expect(http.key.p95Ms).toBe(7000);
    expect(http.keyMetric).toBeUndefined();
  });
});

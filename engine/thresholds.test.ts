import { describe, expect, it } from 'vitest';
import { UsageError, parseRunArgs } from './flags.ts';
import { summaryOptions } from './options.ts';
import { MetricStore, bindThresholds, evaluateThresholds, parseThresholds } from './metrics.ts';
import { junitSummary, summaryData, summaryExport, textSummary } from './summary.ts';
import { Writable } from 'node:stream';

const ms = (s: string): number => (s.endsWith('ms') ? Number(s.slice(0, -2)) : Number(s.slice(0, -1)) * 1000);
const sink = new Writable({ write: (_c, _e, cb) => cb() });

/** A few samples of each metric type. */
function fill(st: MetricStore): void {
  for (const v of [10, 20, 30, 40]) st.add('http_req_duration', v, { name: v > 20 ? 'search' : 'home', expected_response: 'true' });
  for (let i = 0; i < 8; i++) st.add('http_reqs', 1, {});
  st.add('vus', 3, {});
  st.add('vus', 5, {});
  for (const v of [0, 0, 0, 1]) st.add('http_req_failed', v, {});
}

describe('thresholds: every k6 aggregation per metric type', () => {
  it.each([
    // trend: avg 25, min 10, max 40, med 25, p(90) = 10 + 0.9·3·10 = 37
    ['http_req_duration', 'avg==25', true],
    ['http_req_duration', 'min>=10', true],
    ['http_req_duration', 'max<40', false],
    ['http_req_duration', 'med==25', true],
    ['http_req_duration', 'p(90)<=37', true],
    ['http_req_duration', 'p(99.9)<39', false],
    // counter: count 8 over 2 s → rate 4
    ['http_reqs', 'count==8', true],
    ['http_reqs', 'rate>4', false],
    ['http_reqs', 'rate>=4', true],
    // gauge: last value 5
    ['vus', 'value==5', true],
    ['vus', 'value<5', false],
    // rate: 1 non-zero of 4
    ['http_req_failed', 'rate<0.25', false],
    ['http_req_failed', 'rate<=0.25', true],
    // submetric of a trend: search = [30, 40]
    ['http_req_duration{name:search}', 'avg==35', true],
    ['http_req_duration{name:search}', 'min>30', false],
  ] as const)('%s %s → passes: %s', (metric, expr, ok) => {
    // Bound before the samples, as in a run: submetrics collect from their declaration on.
    const st = new MetricStore();
    const tb = bindThresholds(st, parseThresholds({ [metric]: [expr] }, ms));
    fill(st);
    expect(evaluateThresholds(tb, 2).length === 0).toBe(ok);
  });
  it.each([
    ['http_reqs', 'avg<1', 'counter metric does not have (expected count, rate)'],
    ['vus', 'max<10', 'gauge metric does not have (expected value)'],
    ['http_req_failed', 'count<1', 'rate metric does not have (expected rate)'],
    ['http_req_duration', 'rate<1', 'trend metric does not have'],
    ['nope', 'rate<1', 'no metric named "nope"'],
  ])('rejects %s: %s, naming why', (metric, expr, why) => {
    expect(() => bindThresholds(new MetricStore(), parseThresholds({ [metric]: [expr] }, ms))).toThrow(why);
  });
});

describe('summaries', () => {
  const run = (trendStats = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'], timeUnit = '') => {
    const st = new MetricStore();
    const th = bindThresholds(st, parseThresholds({ 'http_req_duration{name:search}': ['p(95)<35'], http_req_duration: ['avg<100'] }, ms));
    for (const v of [10, 20, 30, 40]) st.add('http_req_duration', v, { name: v > 20 ? 'search' : 'home', expected_response: 'true' });
    st.add('iterations', 1, {});
    evaluateThresholds(th, 1);
    return summaryData(st, th, 1000, { trendStats, timeUnit, noColor: true }, sink);
  };
  it('shows tag-filtered submetrics with their thresholds in the data, the export and the text', () => {
    const d = run();
    expect(d.metrics['http_req_duration{name:search}']).toMatchObject({
      type: 'trend',
      contains: 'time',
      values: { avg: 35, min: 30, max: 40 },
      thresholds: { 'p(95)<35': { ok: false } },
    });
    expect(d.metrics.http_req_duration!.thresholds).toEqual({ 'avg<100': { ok: true } });
    const ex = summaryExport(d);
    expect(ex.metrics['http_req_duration{name:search}']).toMatchObject({ avg: 35, thresholds: { 'p(95)<35': true } });
    const text = textSummary(d, { color: false });
    expect(text).toMatch(/✓ http_req_duration\.+: avg=25ms/);
    expect(text).toMatch(/✗ \{ name:search \}\.+: avg=35ms/);
  });
  it('uses --summary-trend-stats and --summary-time-unit (flags over options)', () => {
    const f = parseRunArgs(['--summary-trend-stats', 'avg,p(99),count', '--summary-time-unit', 's', 'x.js']);
    const o = summaryOptions({ summaryTrendStats: ['min'], summaryTimeUnit: 'ms' }, f);
    expect(o).toEqual({ trendStats: ['avg', 'p(99)', 'count'], timeUnit: 's' });
    expect(
      summaryOptions({ summaryTrendStats: ['min'], summaryTimeUnit: 'us' }, { summaryTrendStats: null, summaryTimeUnit: null }),
    ).toEqual({ trendStats: ['min'], timeUnit: 'us' });
    const d = run(o.trendStats, o.timeUnit);
    expect(d.options).toEqual({ summaryTrendStats: ['avg', 'p(99)', 'count'], summaryTimeUnit: 's', noColor: true });
    expect(Object.keys(d.metrics.http_req_duration!.values)).toEqual(['avg', 'p(99)', 'count']);
    expect(textSummary(d, { color: false })).toMatch(/http_req_duration\.+: avg=0\.03s +p\(99\)=0\.04s +count=4/);
    expect(() => parseRunArgs(['--summary-trend-stats', 'p95', 'x.js'])).toThrow(UsageError);
    expect(() => parseRunArgs(['--summary-time-unit', 'm', 'x.js'])).toThrow('expected s, ms or us');
    expect(() => summaryOptions({ summaryTrendStats: ['mean'] }, { summaryTrendStats: null, summaryTimeUnit: null })).toThrow(
      '"mean" is not a trend stat',
    );
  });
  it('reports a threshold on a metric without samples (evaluated on its empty sink at the end, as k6)', () => {
    const st = new MetricStore();
    const th = bindThresholds(st, parseThresholds({ checks: ['rate>0.9'], vus: ['value<10'] }, ms));
    expect(evaluateThresholds(th, 1).map((t) => t.metricKey)).toEqual(['checks']);
    const d = summaryData(st, th, 1000, { trendStats: ['avg'], timeUnit: '', noColor: true }, sink);
    expect(d.metrics.checks).toMatchObject({ values: { rate: 0, passes: 0, fails: 0 }, thresholds: { 'rate>0.9': { ok: false } } });
    expect(d.metrics.vus).toMatchObject({ values: { value: 0, min: 0, max: 0 }, thresholds: { 'value<10': { ok: true } } });
    expect(d.metrics.http_reqs).toBeUndefined();
  });
  it('writes thresholds as JUnit test cases', () => {
    const x = junitSummary(run(), { name: 'suite' });
    expect(x).toContain('<testsuites tests="2" failures="1">');
    expect(x).toContain('<testcase name="http_req_duration{name:search} - p(95)&lt;35"><failure');
    expect(x).toContain('<testcase name="http_req_duration - avg&lt;100" />');
  });
});

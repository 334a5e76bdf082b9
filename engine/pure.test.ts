import { describe, expect, it } from 'vitest';
import { UsageError, parseRunArgs } from './flags.ts';
import { deriveScenarios } from './scenarios.ts';
import { rampingSteps, vusAt } from './executors/ramping-vus.ts';
import { csvRow } from './csv-output.ts';
import { MetricStore, bindThresholds, evaluateThresholds, parseThresholds, percentile } from './metrics.ts';
import { formatBytes, formatTime } from './summary.ts';
import { progressText, type ScenarioProgress } from './progress.ts';

describe('k6 run flags', () => {
  it('reads every flag the runner passes, in k6 syntax', () => {
    const f = parseRunArgs([
      '--no-color',
      '--quiet',
      '-e',
      'HOST=http://x',
      '--env=USERS=5',
      '--stage',
      '30s:10,1m:10',
      '--out',
      'csv=a.csv',
      '--out=csv=b.csv.gz',
      '--summary-export',
      's.json',
      '-u',
      '3',
      'script.js',
    ]);
    expect(f).toMatchObject({
      script: 'script.js',
      env: { HOST: 'http://x', USERS: '5' },
      csvOutputs: ['a.csv', 'b.csv.gz'],
      summaryExport: 's.json',
      vus: 3,
      stages: [
        { durationMs: 30_000, target: 10 },
        { durationMs: 60_000, target: 10 },
      ],
      quiet: true,
      noColor: true,
    });
  });
  it.each([
    [['--abort-on-fail', 'x.js'], 'unknown flag: --abort-on-fail'],
    [['--vus', 'many', 'x.js'], 'invalid argument "many" for "--vus"'],
    [['--stage', '30s', 'x.js'], 'expected <duration>:<target>'],
    [['--out', 'json=x', 'x.js'], 'supports only csv'],
    [['-e', 'NOEQUALS', 'x.js'], 'expected KEY=VALUE'],
    [[], 'received 0'],
    [['a.js', 'b.js'], 'received 2'],
  ])('rejects %j as bad usage', (args, message) => {
    expect(() => parseRunArgs(args)).toThrow(UsageError);
    expect(() => parseRunArgs(args)).toThrow(message);
  });
});

describe('scenarios, as k6 derives them', () => {
  const script = { scenarios: { s: { executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '5s', target: 10 }] } } };
  it("shortcut flags replace the script's scenarios with one named default", () => {
    const [s, ...rest] = deriveScenarios(script, {
      vus: null,
      durationMs: null,
      iterations: null,
      stages: [{ durationMs: 1000, target: 3 }],
    });
    expect(rest).toHaveLength(0);
    expect(s).toMatchObject({ name: 'default', executor: 'ramping-vus', startVUs: 1, stages: [{ durationMs: 1000, target: 3 }] });
    expect(deriveScenarios(script, { vus: 2, durationMs: 5000, iterations: null, stages: null })[0]).toMatchObject({
      name: 'default',
      executor: 'constant-vus',
      vus: 2,
      durationMs: 5000,
    });
    expect(deriveScenarios(script, { vus: 2, durationMs: null, iterations: 7, stages: null })[0]).toMatchObject({
      executor: 'shared-iterations',
      vus: 2,
      iterations: 7,
    });
  });
  it("keeps the script's scenarios otherwise, with k6's defaults", () => {
    expect(deriveScenarios(script, { vus: null, durationMs: null, iterations: null, stages: null })[0]).toMatchObject({
      name: 's',
      startVUs: 0,
      gracefulRampDownMs: 30_000,
      gracefulStopMs: 30_000,
    });
    expect(deriveScenarios({}, { vus: null, durationMs: null, iterations: null, stages: null })[0]).toMatchObject({
      executor: 'shared-iterations',
      vus: 1,
      iterations: 1,
    });
  });
  it('names the bad option', () => {
    expect(() =>
      deriveScenarios(
        { scenarios: { x: { executor: 'externally-controlled' } } },
        { vus: null, durationMs: null, iterations: null, stages: null },
      ),
    ).toThrow('options.scenarios.x.executor');
  });
});

describe('ramping-vus plan', () => {
  it('adds a VU when the linear ramp reaches it and removes it when the ramp goes below it', () => {
    const steps = rampingSteps(0, [
      { durationMs: 5000, target: 10 },
      { durationMs: 10_000, target: 10 },
      { durationMs: 2000, target: 0 },
    ]);
    // As real k6 showed for 0→10 over 5 s: 1 VU at 1.0 s, 3 at 2.0 s (a VU starts every 0.5 s).
    expect(vusAt(steps, 999)).toBe(1);
    expect(vusAt(steps, 1999)).toBe(3);
    expect(vusAt(steps, 5000)).toBe(10);
    expect(vusAt(steps, 15_100)).toBe(10);
    expect(vusAt(steps, 15_200)).toBe(9);
    expect(vusAt(steps, 17_000)).toBe(0);
  });
});

describe('metrics and thresholds', () => {
  it("uses k6's percentile (linear interpolation at p·(n−1))", () => {
    const v = Float64Array.from([1, 2, 3, 4]);
    expect(percentile(v, 50)).toBe(2.5);
    expect(percentile(v, 95)).toBeCloseTo(3.85, 10);
    expect(percentile(Float64Array.from([7]), 90)).toBe(7);
  });
  it('evaluates thresholds on metrics and submetrics', () => {
    const store = new MetricStore();
    const th = bindThresholds(
      store,
      parseThresholds(
        {
          http_req_duration: ['p(95)<100', 'avg<50'],
          'http_req_duration{name:search}': [{ threshold: 'max<=30', abortOnFail: true, delayAbortEval: '10s' }],
        },
        (s) => (s === '10s' ? 10_000 : NaN),
      ),
    );
    for (const [v, name] of [
      [10, 'home'],
      [20, 'search'],
      [200, 'home'],
    ] as const)
      store.add('http_req_duration', v, { name });
    const crossed = evaluateThresholds(th, 1);
    expect(crossed.map((t) => t.expr)).toEqual(['p(95)<100', 'avg<50']);
    expect(th[2]).toMatchObject({ abortOnFail: true, delayAbortEvalMs: 10_000, failed: false });
    expect(() => parseThresholds({ x: ['p95 < 1'] }, Number)).toThrow('threshold "p95 < 1" on x');
  });
});

describe('output formats', () => {
  it("writes a row in k6's column order, extra tags and metadata as k=v&k=v", () => {
    expect(csvRow('http_reqs', 1795355090123, 1, { name: 'a,b', status: '200', mytag: 'v' }, { trace_id: 'abc' }, 'unix')).toBe(
      'http_reqs,1795355090,1.000000,,,,,,,"a,b",,,,200,,,,mytag=v,trace_id=abc\n',
    );
  });
  it('prints times and bytes like k6', () => {
    expect([formatTime(0), formatTime(0.000711), formatTime(0.00436), formatTime(12.83), formatTime(1500)]).toEqual([
      '0s',
      '711ns',
      '4.36µs',
      '12.83ms',
      '1.5s',
    ]);
    expect([formatBytes(727), formatBytes(9200), formatBytes(95_222)]).toEqual(['727 B', '9.2 kB', '95 kB']);
  });
});

describe('progress lines', () => {
  // Two scenarios as in k6's example: a = constant-vus 2 VUs 1 s; b = per-vu-iterations 1 VU, startTime 500ms.
  const a = { name: 'a', maxVUs: 2, durationMs: 1000, startedMs: 0 };
  const b = { name: 'b', maxVUs: 1, durationMs: 600_000, startedMs: 500 };
  it.each<[string, number, ScenarioProgress[], string[]]>([
    [
      'b not started yet',
      400,
      [
        { ...a, active: 2, endedMs: null },
        { ...b, active: 0, startedMs: null, endedMs: null },
      ],
      ['a   [  40% ] 2/2 VUs  0.4s/1.0s', 'b   [   0% ] 0/1 VUs  0.0s/600.0s'],
    ],
    [
      'b running its own VU and time',
      800,
      [
        { ...a, active: 2, endedMs: null },
        { ...b, active: 1, endedMs: null },
      ],
      ['a   [  80% ] 2/2 VUs  0.8s/1.0s', 'b   [   0% ] 1/1 VUs  0.3s/600.0s'],
    ],
    [
      'a in its graceful stop, b finished: 100 % at its own elapsed time',
      1500,
      [
        { ...a, active: 1, endedMs: null },
        { ...b, active: 0, endedMs: 600 },
      ],
      ['a ↓ [ 100% ] 1/2 VUs  1.0s/1.0s', 'b ✓ [ 100% ] 0/1 VUs  0.1s/600.0s'],
    ],
  ])('%s', (_, elapsedMs, bars, expected) => {
    const lines = progressText(elapsedMs, { active: 3, vusMax: 3, completed: 4, interrupted: 0 }, bars).split('\n');
    expect(lines[0]).toBe(`running (${(elapsedMs / 1000).toFixed(1).padStart(4, '0')}s), 3/3 VUs, 4 complete and 0 interrupted iterations`);
    expect(lines.slice(1, 3)).toEqual(expected);
  });
});

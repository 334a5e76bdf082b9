import { describe, expect, it } from 'vitest';
import {
  k6StagesOf,
  openStageEnv,
  parseOpenStageFactor,
  parseUserList,
  planOpenStage,
  planStages,
  plannedRunMs,
  scriptSupportsOpenStage,
} from './plan.ts';
import { parseHost, redactUrlText } from '../redact.ts';
import { newRunId } from '../run-id.ts';
import { RunManifestSchema } from '../../formats/run-manifest.ts';

describe('planStages', () => {
  it('ramps each stage at the spawn rate, rounded up to whole seconds, then holds', () => {
    const plan = planStages({ users: [5, 20, 50, 75, 100, 150], holdMs: 600_000, spawnRate: 5, targetStage: 100 });
    expect(plan.map((s) => s.rampMs)).toEqual([1000, 4000, 10_000, 15_000, 20_000, 30_000]);
    expect(plan.every((s) => s.holdMs === 600_000)).toBe(true);
    expect(plannedRunMs(plan)).toBe(80_000 + 6 * 600_000);
    expect(planStages({ users: [7], holdMs: 1000, spawnRate: 2, targetStage: 7 })[0]!.rampMs).toBe(4000);
  });

  it.each([
    [{ users: [], holdMs: 1000, spawnRate: 5, targetStage: 5 }, /--users: .*empty/],
    [{ users: [5, 5], holdMs: 1000, spawnRate: 5, targetStage: 5 }, /--users: expected increasing/],
    [{ users: [20, 5], holdMs: 1000, spawnRate: 5, targetStage: 5 }, /--users: expected increasing/],
    [{ users: [0, 5], holdMs: 1000, spawnRate: 5, targetStage: 5 }, /--users: expected positive/],
    [{ users: [5, 20], holdMs: 1000, spawnRate: 0, targetStage: 5 }, /--spawn-rate/],
    [{ users: [5, 20], holdMs: 0, spawnRate: 5, targetStage: 5 }, /--duration/],
    [{ users: [5, 20], holdMs: 1000, spawnRate: 5, targetStage: 100 }, /--target-stage: expected one of the stages \(5, 20\), got 100/],
  ])('refuses %j', (request, message) => {
    expect(() => planStages(request)).toThrow(message);
  });

  it('gives k6 a ramp and a hold per stage', () => {
    expect(k6StagesOf({ users: 50, rampMs: 10_000, holdMs: 600_000 })).toEqual([
      { durationMs: 10_000, target: 50 },
      { durationMs: 600_000, target: 50 },
    ]);
  });

  it('parses user lists and names the flag on bad input', () => {
    expect(parseUserList('5, 20,50')).toEqual([5, 20, 50]);
    expect(() => parseUserList('5,x')).toThrow(/--users: expected a comma-separated list/);
    expect(() => parseUserList('5,-1')).toThrow(/--users/);
  });
});

describe('parseHost', () => {
  it('keeps credentials apart from what is shown', () => {
    const h = parseHost('https://alice:s3cr%40t@app.example.com/base/');
    expect(h).toEqual({
      display: 'https://app.example.com/base',
      base: 'https://app.example.com/base',
      username: 'alice',
      password: 's3cr@t',
    });
    expect(parseHost('http://127.0.0.1:8080').display).toBe('http://127.0.0.1:8080');
  });

  it.each(['ftp://example.com', 'example.com', 'not a url', ''])('refuses %j with one line', (text) => {
    expect(() => parseHost(text)).toThrow(/^--host: expected an http/);
  });

  it.each(['https://app.example.com/?token=abc', 'https://app.example.com/#x'])(
    'refuses a query or fragment in %j (it would split every URL)',
    (text) => {
      expect(() => parseHost(text)).toThrow(/^--host: expected a base URL without a query string/);
    },
  );

  it('never echoes a password from unparsable input', () => {
    expect(() => parseHost('https://bob:hunter2@exa mple.com')).toThrow(/^(?![\s\S]*hunter2)/);
    expect(redactUrlText('see https://bob:hunter2@example.com/x')).toBe('see https://***@example.com/x');
  });
});

describe('newRunId', () => {
  it('sorts by time and fits the manifest schema', () => {
    const a = newRunId(Date.UTC(2026, 10, 22, 3, 1), new Uint8Array([0, 1, 35, 36]));
    expect(a).toBe('2026-11-22T0301Z-01z0');
    const b = newRunId(Date.UTC(2026, 10, 22, 3, 2));
    expect([b, a].sort()).toEqual([a, b]);
    expect(RunManifestSchema.shape.id.safeParse(b).success).toBe(true);
  });
});

describe('the open-model stage plan', () => {
  it.each([
    ['1', 1],
    ['1.5', 1.5],
    [2, 2],
    [' 0.5 ', 0.5],
  ])('reads --open-stage %j as %d', (value, factor) => {
    expect(parseOpenStageFactor(value)).toBe(factor);
  });

  it.each([['0'], [0], ['-1'], [-1], ['x'], [''], ['1,5'], [Number.NaN], [Number.POSITIVE_INFINITY], [101], [undefined], [true]])(
    'refuses --open-stage %j in one line',
    (value) => {
      expect(() => parseOpenStageFactor(value)).toThrow(/^--open-stage: expected a factor/);
      try {
        parseOpenStageFactor(value);
      } catch (e) {
        expect((e as Error).message).not.toContain('\n');
      }
    },
  );

  it.each([
    // factor, measured rate/s, mean iteration ms → rate, time unit, rate/s, pre-allocated, max VUs
    [1.5, 0.5, 6000, 45, '1m', 0.75, 6, 14],
    [1, 20, 5000, 20, '1s', 20, 120, 300],
    [2, 10, 100, 20, '1s', 20, 3, 6],
    [1, 0.001, 1000, 1, '1m', 1 / 60, 1, 1],
    [3, 300, 20_000, 900, '1s', 900, 2000, 2000],
  ] as const)('factor %d × %d/s with %d ms iterations: %d per %s', (factor, base, iterMs, rate, unit, perS, pre, max) => {
    const r = planOpenStage({ factor, baseRatePerS: base, meanIterationMs: iterMs, holdMs: 3000, targetUsers: 3 });
    expect(r).toEqual({
      ok: true,
      plan: { factor, baseRatePerS: base, rate, timeUnit: unit, ratePerS: perS, preAllocatedVUs: pre, maxVUs: max, holdMs: 3000 },
    });
  });

  it("sizes VUs by Little's law on the target stage when no iteration duration was measured", () => {
    const r = planOpenStage({ factor: 1, baseRatePerS: 2, meanIterationMs: null, holdMs: 1000, targetUsers: 10 });
    // 10 users at 2 iterations/s: 5 s per iteration; 2/s × 5 s = 10 busy VUs.
    expect(r.ok && [r.plan.preAllocatedVUs, r.plan.maxVUs]).toEqual([12, 30]);
  });

  it.each([[null], [0]])('says why it cannot plan without an iteration rate (%j)', (base) => {
    expect(planOpenStage({ factor: 1, baseRatePerS: base, meanIterationMs: 100, holdMs: 1000, targetUsers: 4 })).toEqual({
      ok: false,
      why: 'the target stage (4 users) measured no iteration rate',
    });
  });

  it('gives the scenario its plan as env', () => {
    const r = planOpenStage({ factor: 1.5, baseRatePerS: 0.5, meanIterationMs: 6000, holdMs: 90_000, targetUsers: 3 });
    if (!r.ok) throw new Error(r.why);
    expect(openStageEnv(r.plan)).toEqual({
      EXECUTOR: 'constant-arrival-rate',
      RATE: '45',
      TIME_UNIT: '1m',
      PRE_ALLOCATED_VUS: '6',
      MAX_VUS: '14',
      HOLD: '1m30s',
    });
  });

  it('tells a script that builds its options from the open env from one that does not', () => {
    const lib =
      'var e=__ENV.EXECUTOR;if(e==="constant-arrival-rate"){r=__ENV.RATE;t=__ENV.TIME_UNIT;p=__ENV.PRE_ALLOCATED_VUS;m=__ENV.MAX_VUS}';
    expect(scriptSupportsOpenStage(lib)).toBe(true);
    expect(scriptSupportsOpenStage('export const options={vus:10,duration:"30s"};')).toBe(false);
    expect(scriptSupportsOpenStage('export const options={scenarios:{a:{executor:"constant-arrival-rate",rate:5}}};')).toBe(false);
  });
});

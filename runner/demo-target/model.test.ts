import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OPTIONS,
  PRESETS,
  PRESET_NAMES,
  driftFactor,
  estimateKnee,
  estimateSessionKnee,
  logNormal,
  optionProblems,
  seededRandom,
} from './model.ts';

describe('capacity model', () => {
  it('the defaults put the knee of the default scenario between 75 and 150 users', () => {
    const knee = estimateKnee(DEFAULT_OPTIONS);
    expect(knee).toBeGreaterThan(75);
    expect(knee).toBeLessThan(150);
  });

  it.each([
    // workers, service ms (home, search, result), think s → knee users
    [4, [30, 130, 50], 6, 4 / 0.07 / (3 / 6.21)],
    [1, [100, 100, 100], 6, 1 / 0.1 / (3 / 6.3)],
    [8, [30, 130, 50], 6, 8 / 0.07 / (3 / 6.21)],
  ])('estimateKnee(%i workers, %j ms, think %d s)', (workers, [home, search, result], thinkS, expected) => {
    expect(
      estimateKnee({ workers, serviceMs: { home: home!, search: search!, result: result! } }, { requestsPerIteration: 3, thinkS }),
    ).toBeCloseTo(expected, 6);
  });

  it.each([
    // workers, home ms, action ms, actions, think s → users at utilisation 1
    [18, 30, 70, 5, 0.4, 18 / (0.38 / 2.38)],
    [1, 0, 100, 1, 0.9, 10],
  ])(
    'estimateSessionKnee(%i workers, home %d ms, action %d ms, %i actions, think %d s)',
    (workers, home, actionMs, actions, thinkS, expected) => {
      const o = { workers, actionMs, serviceMs: { ...DEFAULT_OPTIONS.serviceMs, home } };
      expect(estimateSessionKnee(o, { actions, thinkS })).toBeCloseTo(expected, 6);
    },
  );

  it('the knee scales with the workers', () => {
    expect(estimateKnee({ ...DEFAULT_OPTIONS, workers: 8 })).toBeCloseTo(2 * estimateKnee(DEFAULT_OPTIONS), 6);
  });

  it.each([
    [0, 0, 1],
    [60, 60_000, 1.6],
    [60, 30_000, 1.3],
    [100, 180_000, 4],
    [50, -5, 1],
  ])('driftFactor(%d %%/min, %d ms) = %d', (pct, elapsed, factor) => {
    expect(driftFactor(pct, elapsed)).toBeCloseTo(factor, 9);
  });
});

describe('service times', () => {
  it('a seed gives the same sequence', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('log-normal draws have the asked mean and a right skew', () => {
    const random = seededRandom(7);
    const n = 20_000;
    const xs = Array.from({ length: n }, () => logNormal(100, 0.6, random)).sort((x, y) => x - y);
    const mean = xs.reduce((s, x) => s + x, 0) / n;
    const median = xs[n / 2]!;
    expect(mean).toBeGreaterThan(95);
    expect(mean).toBeLessThan(105);
    expect(median).toBeLessThan(mean); // right-skewed: most requests faster than the mean
    expect(xs[Math.floor(n * 0.95)]! / median).toBeGreaterThan(2.2);
    expect(xs[n - 1]!).toBeLessThanOrEqual(2000);
  });

  it('σ = 0 gives the mean exactly', () => {
    expect(logNormal(130, 0, seededRandom(1))).toBe(130);
  });
});

describe('presets', () => {
  it('every preset is valid', () => {
    for (const name of PRESET_NAMES) expect(optionProblems(PRESETS[name])).toEqual([]);
  });

  it('saturating has far less capacity than healthy', () => {
    expect(estimateKnee(PRESETS.saturating)).toBeLessThan(estimateKnee(PRESETS.healthy) / 50);
  });

  it.each([
    [{ workers: 0 }, /^--workers: expected a whole number ≥ 1, got 0$/],
    [{ port: 70000 }, /^--port: expected 0–65535/],
    [{ errorRate: 1.5 }, /^--error-rate: expected a share between 0 and 1, got 1.5$/],
    [{ spread: -1 }, /^--spread: /],
    [{ queueLength: -1 }, /^--queue: /],
    [{ timeoutMs: 0 }, /^--timeout: /],
    [{ driftPctPerMin: -3 }, /^--drift: /],
    [{ serviceMs: { home: 1, search: -1, result: 1 } }, /^--search-ms: /],
    [{ actionMs: -1 }, /^--action-ms: /],
    [{ stallAfterMs: Number.NaN }, /^--stall-after: /],
  ])('optionProblems(%j)', (change, message) => {
    const problems = optionProblems({ ...DEFAULT_OPTIONS, ...change });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });
});

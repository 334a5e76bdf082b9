import { describe, expect, it } from 'vitest';
import { openStageFigures } from './open-stage.ts';
import { requestStats, stageStats } from '../../test/testkit/runs.ts';

describe('openStageFigures', () => {
  it.each([
    // k6 counters over the whole file → dropped iterations and their share of arrivals
    [{ dropped_iterations: { count: 25 }, iterations: { count: 75 } }, 25, 25],
    [{ iterations: { count: 40 } }, 0, 0],
    [{ dropped_iterations: { count: 4 }, iterations: { count: 0 } }, 4, 100],
    [{}, 0, 0],
  ])('counters %j: %i dropped (%d %%)', (metrics, dropped, pct) => {
    const stats = {
      ...stageStats({ count: 300, failures: 3 }),
      key: requestStats({ count: 300, failures: 3, p50Ms: 320, p95Ms: 640, p99Ms: 768 }),
      metrics,
    };
    const f = openStageFigures(stats);
    expect(f).toEqual({
      keyP50Ms: 320,
      keyP95Ms: 640,
      keyP99Ms: 768,
      keyCount: 300,
      requests: 300,
      throughputPerS: stats.all.throughputPerS,
      errorRate: 0.01,
      iterationsPerS: stats.iterations.ratePerS,
      droppedIterations: dropped,
      droppedPct: pct,
    });
  });

  it('falls back on the iterations ended in the hold when the iterations counter is absent', () => {
    const base = stageStats();
    const stats = { ...base, iterations: { ...base.iterations, count: 30 }, metrics: { dropped_iterations: { count: 10 } } };
    expect(openStageFigures(stats).droppedPct).toBe(25);
  });

  it('has no p95 without key samples', () => {
    expect(openStageFigures(stageStats({ p95Ms: null, count: 0 })).keyP95Ms).toBeNull();
  });
});

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ProgressWriter, elapsedAgainstPlan, formatProgress, runTimeLeftMs, stagePhase, type ProgressState } from './progress.ts';
import { LiveStats } from './live-stats.ts';
import { formatClock } from './format.ts';

describe('stagePhase', () => {
  it.each([
    [null, 'starting'],
    [0, 'ramp'],
    [1999, 'ramp'],
    [2000, 'hold'],
    [11_999, 'hold'],
    [12_000, 'stopping'],
  ] as const)('%s ms after the first sample of a 2 s ramp + 10 s hold → %s', (elapsed, phase) => {
    expect(stagePhase(elapsed, 2000, 10_000)).toBe(phase);
  });
});

describe('progress', () => {
  it('formats one line with the live figures of the key transaction', () => {
    const live = new LiveStats('search', 10_000);
    for (let i = 0; i < 100; i += 1) {
      const t = 1_000_000 + i * 100;
      live.add({ metric: 'http_reqs', timeMs: t, value: 1, name: i % 2 ? 'search' : 'home' });
      live.add({ metric: 'http_req_failed', timeMs: t, value: i < 5 ? 1 : 0, name: '' });
      if (i % 2) live.add({ metric: 'http_req_duration', timeMs: t, value: i, name: 'search' });
    }
    const f = live.figures();
    expect(f.requests).toBe(100);
    expect(f.errorRate).toBeCloseTo(0.05);
    expect(f.requestsPerS).toBeCloseTo(100 / 9.9, 1);
    expect(live.firstSampleMs).toBe(1_000_000);
    const line = formatProgress({
      stageIndex: 2,
      stageCount: 6,
      users: 50,
      stageElapsedMs: 42_000,
      stagePlannedMs: 70_000,
      runElapsedMs: 130_000,
      stageWallMs: 45_000,
      laterStagesPlannedMs: 402_000,
      laterStages: 3,
      extraPerStageMs: 0,
      phase: 'hold',
      keyName: 'search',
      live: f,
    });
    expect(line).toBe(
      `stage 3/6 · 50 users · errors 5.0% · p95 search ${Math.round(f.keyP95Ms!)} ms · 10.1 req/s · hold · stage 0:42 elapsed, 0:28 left · run 2:10 elapsed, 7:07 left`,
    );
    expect(formatClock(3_725_000)).toBe('1:02:05');
    // The open-model stage names its rate instead of users.
    const open = formatProgress({
      stageIndex: 6,
      stageCount: 7,
      users: 100,
      label: 'open 17.00 it/s',
      stageElapsedMs: 1000,
      stagePlannedMs: 4000,
      runElapsedMs: 9000,
      stageWallMs: 1000,
      laterStagesPlannedMs: 0,
      laterStages: 0,
      extraPerStageMs: 0,
      phase: 'hold',
      keyName: 'search',
      live: f,
    });
    expect(open).toMatch(/^stage 7\/7 · open 17\.00 it\/s · errors 5\.0% · .* · hold · stage 0:01 elapsed, 0:03 left · /);
    // A stage past its plan: the run's time left is the later stages' plans, never "over".
    const late = formatProgress({
      stageIndex: 1,
      stageCount: 3,
      users: 20,
      stageElapsedMs: 9000,
      stagePlannedMs: 8000,
      runElapsedMs: 20_000,
      stageWallMs: 9000,
      laterStagesPlannedMs: 8000,
      laterStages: 1,
      extraPerStageMs: 0,
      phase: 'stopping',
      keyName: 'search',
      live: f,
    });
    expect(late).toMatch(/ · stage 0:09 elapsed, 0:01 over plan · run 0:20 elapsed, 0:08 left$/);
  });

  it.each([
    [3000, 4000, '0:03 elapsed, 0:01 left'],
    [4000, 4000, '0:04 elapsed, 0:00 left'],
    // Engine start-up and graceful stop are not in the plan: past it, never "0:05/0:04".
    [5000, 4000, '0:05 elapsed, 0:01 over plan'],
    [10_400, 8000, '0:10 elapsed, 0:02 over plan'],
    [-200, 8000, '0:00 elapsed, 0:08 left'],
  ])('%i ms elapsed of %i ms planned → %s', (elapsed, planned, text) => {
    expect(elapsedAgainstPlan(elapsed, planned)).toBe(text);
  });

  it('shows no p95 when every request of the key transaction failed (k6 records them as 0 ms)', () => {
    const live = new LiveStats('search', 10_000);
    for (let i = 0; i < 10; i += 1) {
      live.add({ metric: 'http_reqs', timeMs: 1000 + i, value: 1, name: 'search' });
      live.add({ metric: 'http_req_duration', timeMs: 1000 + i, value: 0, name: 'search' });
      live.add({ metric: 'http_req_failed', timeMs: 1000 + i, value: 1, name: 'search' });
    }
    const line = formatProgress({
      stageIndex: 0,
      stageCount: 1,
      users: 2,
      stageElapsedMs: 0,
      stagePlannedMs: 1000,
      stageWallMs: 0,
      runElapsedMs: 0,
      laterStagesPlannedMs: 0,
      laterStages: 0,
      extraPerStageMs: 0,
      phase: 'hold',
      keyName: 'search',
      live: live.figures(),
    });
    expect(line).toMatch(/^stage 1\/1 · 2 users · errors 100\.0% · p95 search n\/a, all failed · /);
    live.add({ metric: 'http_req_duration', timeMs: 1011, value: 80, name: 'search' });
    live.add({ metric: 'http_req_failed', timeMs: 1011, value: 0, name: 'search' });
    expect(live.figures().keyAllFailed).toBe(false);
  });

  it.each([
    // Before any stage ended: the plan alone.
    [
      'first stage, mid-hold',
      { stagePlannedMs: 10_000, stageWallMs: 4000, laterStagesPlannedMs: 20_000, laterStages: 2, extraPerStageMs: 0 },
      26_000,
    ],
    // Earlier stages took 7 s beyond their plan: every stage left, this one included, will too.
    [
      'after a stage with a 7 s graceful stop',
      { stagePlannedMs: 10_000, stageWallMs: 4000, laterStagesPlannedMs: 20_000, laterStages: 2, extraPerStageMs: 7000 },
      47_000,
    ],
    // In this stage's graceful stop: what is left of its expected extra, then the later stages.
    [
      'in the graceful stop',
      { stagePlannedMs: 10_000, stageWallMs: 13_000, laterStagesPlannedMs: 10_000, laterStages: 1, extraPerStageMs: 7000 },
      21_000,
    ],
    [
      'later than expected: never negative',
      { stagePlannedMs: 10_000, stageWallMs: 30_000, laterStagesPlannedMs: 0, laterStages: 0, extraPerStageMs: 7000 },
      0,
    ],
  ])('run time left, %s → %i ms', (_, s, left) => {
    expect(runTimeLeftMs(s)).toBe(left);
  });

  it.each([
    [
      Infinity,
      'stage 2/6 · 20 users · errors 1.5% · p95 search 84 ms · 41.2 req/s · hold · stage 0:42 elapsed, 0:28 left · run 2:10 elapsed, 7:10 left',
    ],
    // A 100-column terminal (99 usable): the run's clock is what goes.
    [99, 'stage 2/6 · 20 users · errors 1.5% · p95 search 84 ms · 41.2 req/s · hold'],
    [60, 'stage 2/6 · 20 users · errors 1.5% · p95 search 84 ms'],
    [40, 'stage 2/6 · 20 users · errors 1.5%'],
    [8, 'stage 2/'],
  ])('fits %s columns, key figures first, whole parts only', (width, line) => {
    const s: ProgressState = {
      stageIndex: 1,
      stageCount: 6,
      users: 20,
      stageElapsedMs: 42_000,
      stagePlannedMs: 70_000,
      stageWallMs: 42_000,
      runElapsedMs: 130_000,
      laterStagesPlannedMs: 402_000,
      laterStages: 4,
      extraPerStageMs: 0,
      phase: 'hold',
      keyName: 'search',
      live: { requests: 100, requestsPerS: 41.2, errorRate: 0.015, keyP95Ms: 84, keyAllFailed: false },
    };
    expect(formatProgress(s, width)).toBe(line);
    expect(formatProgress(s, width).length).toBeLessThanOrEqual(width);
  });

  it('writes plain lines every few seconds and at each phase change, none while the engine starts', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c) => (text += c));
    let now = 0;
    const writer = new ProgressWriter(out, () => now, 5000);
    const steps: Array<[number, 'starting' | 'ramp' | 'hold' | 'stopping']> = [
      [1000, 'starting'],
      [2000, 'ramp'],
      [3000, 'ramp'],
      [4000, 'hold'],
      [5000, 'hold'],
      [9000, 'hold'],
      [10_000, 'stopping'],
    ];
    for (const [t, phase] of steps) {
      now = t;
      writer.update(`${t} ${phase}`, phase);
    }
    expect(text.split('\n').filter(Boolean)).toEqual(['2000 ramp', '4000 hold', '9000 hold', '10000 stopping']);
    expect(text).not.toMatch(/[\r\x1b]/);
  });

  it('rewrites one line in place on a terminal, cut to its width', () => {
    const out = Object.assign(new PassThrough(), { isTTY: true, columns: 21 });
    let text = '';
    out.on('data', (c) => (text += c));
    const writer = new ProgressWriter(out, () => 0);
    writer.update('a'.repeat(50), 'hold');
    writer.done();
    expect(text).toBe(`\r\x1b[2K${'a'.repeat(20)}\n`);
  });
});

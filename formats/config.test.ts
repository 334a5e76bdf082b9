import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UserError } from './errors.ts';
import { userErrorOf } from '../test/testkit/user-error.ts';
import { CapacityConfigSchema, DEFAULT_CONFIG, applyOverrides, configDurationsMs, parseConfig, windowsForHold } from './config.ts';

/** The example file of issue #5, which is SPEC.md's grid. */
const SPEC_EXAMPLE = {
  environment: 'staging',
  stages: [5, 20, 50, 75, 100, 150],
  duration: '10m',
  spawnRate: 5,
  targetStage: 100,
  keyTransaction: { name: 'search' },
  criteria: {
    p95Ms: { green: 2500, orange: 4000 },
    errorRatePct: { green: 1, orange: 3 },
    held: { trendAlpha: 0.05, trendMinPct: 10, trendRedPct: 25, window: '30s', warmup: '60s', outlierMads: 3.5 },
  },
  runsToCompare: 3,
};

describe('defaults reproduce SPEC.md', () => {
  it('has the plan, criteria and consolidation of the SPEC', () => {
    expect(DEFAULT_CONFIG).toMatchObject(SPEC_EXAMPLE);
    expect(Object.keys(DEFAULT_CONFIG.actions).sort()).toEqual(['go', 'insufficientData', 'noGo', 'provisional', 'watch']);
  });

  it('the issue’s example file is valid and equals the defaults', () => {
    expect(parseConfig(SPEC_EXAMPLE)).toEqual(DEFAULT_CONFIG);
  });

  it('fills what a partial file leaves out, at every depth', () => {
    const c = parseConfig({ criteria: { p95Ms: { green: 2000 } } });
    expect(c.criteria.p95Ms).toEqual({ green: 2000, orange: 4000 });
    expect(c.criteria.errorRatePct).toEqual(DEFAULT_CONFIG.criteria.errorRatePct);
    expect(c.stages).toEqual(DEFAULT_CONFIG.stages);
  });

  it('DEFAULT_CONFIG cannot be changed by accident', () => {
    expect(() => {
      (DEFAULT_CONFIG.criteria.p95Ms as { green: number }).green = 1;
    }).toThrow(TypeError);
    expect(CapacityConfigSchema.parse({}).criteria.p95Ms.green).toBe(2500);
  });

  it('durations in milliseconds', () => {
    expect(configDurationsMs(DEFAULT_CONFIG)).toEqual({ holdMs: 600_000, windowMs: 30_000, warmupMs: 60_000 });
  });

  it.each([
    [600_000, 30_000, 60_000],
    [900_000, 30_000, 60_000],
    [599_999, 599_999 / 20, 599_999 / 10],
    [60_000, 3_000, 6_000],
    [20_000, 1_000, 2_000],
  ])('a %d ms hold has windows of %d ms after a %d ms warm-up', (hold, windowMs, warmupMs) => {
    expect(windowsForHold(hold, DEFAULT_CONFIG)).toEqual({ windowMs, warmupMs });
  });
});

describe('a bad config is one line naming the key', () => {
  it.each([
    [
      { foo: 1 },
      'foo: unknown key; expected one of environment, environments, stages, duration, spawnRate, targetStage, keyTransaction, criteria, runsToCompare, actions, report',
    ],
    [
      { criteria: { held: { alpha: 0.1 } } },
      'criteria.held.alpha: unknown key; expected one of trendAlpha, trendMinPct, trendRedPct, trendMinWindows, trendMinKeyRequests, window, warmup, outlierMads, bulkTimeoutsPct, collapseRatio',
    ],
    [{ criteria: { p95Ms: { orange: 2000 } } }, 'criteria.p95Ms.orange: must be above green (got 2000 ≤ 2500)'],
    [{ criteria: { p95Ms: { green: 4000 } } }, 'criteria.p95Ms.orange: must be above green (got 4000 ≤ 4000)'],
    [{ criteria: { errorRatePct: { green: 5 } } }, 'criteria.errorRatePct.orange: must be above green (got 3 ≤ 5)'],
    [{ criteria: { errorRatePct: { orange: 101 } } }, 'criteria.errorRatePct.orange: must be at most 100 (got 101)'],
    [{ criteria: { p95Ms: { green: '2500' } } }, 'criteria.p95Ms.green: expected number (got "2500")'],
    [{ criteria: { p95Ms: { green: -1 } } }, 'criteria.p95Ms.green: must be above 0 (got -1)'],
    [{ criteria: { held: { trendAlpha: 1 } } }, 'criteria.held.trendAlpha: must be below 1 (got 1)'],
    [{ criteria: { held: { trendRedPct: 5 } } }, 'criteria.held.trendRedPct: must be above trendMinPct (got 5 ≤ 10)'],
    [
      { criteria: { held: { window: '30 seconds' } } },
      'criteria.held.window: expected a duration like 90s, 10m or 1h30m (got "30 seconds")',
    ],
    [
      { criteria: { held: { window: '4m' } } },
      'criteria.held.window: leaves 2 window(s) of 4m in a 10m hold after a 1m warm-up; the trend test needs at least 4',
    ],
    [{ targetStage: 80 }, 'targetStage: must be one of the stages 5, 20, 50, 75, 100, 150 (got 80)'],
    [{ stages: [5, 50, 20, 100] }, 'stages: must increase with no repeats (got 5, 50, 20, 100)'],
    [{ stages: [] }, 'stages: expected at least 1 item(s) (got [])'],
    [{ stages: [5, 'x'] }, 'stages.1: expected number (got "x")'],
    [{ stages: [5, 20.5] }, 'stages.1: expected an integer (got 20.5)'],
    [{ duration: '10 minutes' }, 'duration: expected a duration like 90s, 10m or 1h30m (got "10 minutes")'],
    [{ duration: '0s' }, 'duration: must be longer than 0 (got "0s")'],
    [{ spawnRate: 0 }, 'spawnRate: must be above 0 (got 0)'],
    [{ runsToCompare: 0 }, 'runsToCompare: must be above 0 (got 0)'],
    [{ runsToCompare: 2.5 }, 'runsToCompare: expected an integer (got 2.5)'],
    [{ keyTransaction: { name: '' } }, 'keyTransaction.name: must not be empty'],
    [{ keyTransaction: 'search' }, 'keyTransaction: expected object (got "search")'],
    [
      { report: { weekday: 'fri' } },
      'report.weekday: expected one of monday, tuesday, wednesday, thursday, friday, saturday, sunday (got "fri")',
    ],
    [[], '(root): expected object (got [])'],
  ])('%j → %s', (raw, message) => {
    const error = userErrorOf(() => parseConfig(raw, 'capacity.config.json'));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(`capacity.config.json: ${message}`);
  });

  it.each([
    [{ a: 1, spawnRate: 'x' }, ['spawnRate: expected number (got "x")', 'a: unknown key; expected one of']],
    [
      { stages: [5, 5], targetStage: 7, criteria: { p95Ms: { orange: 100 } } },
      ['stages: must increase', 'targetStage: must be one of', 'criteria.p95Ms.orange: must be above green'],
    ],
    // The windows rule needs durations that parse: only the durations are reported.
    [
      { duration: 'soon', criteria: { held: { window: '0s' } } },
      ['duration: expected a duration', 'criteria.held.window: must be longer than 0'],
    ],
    // Seven problems: four listed, then how many more.
    [
      { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7 },
      ['a: unknown key', 'b: unknown key', 'c: unknown key', 'd: unknown key', '… and 3 more problems'],
    ],
  ])('%j → every problem on a line of its own', (raw, starts) => {
    const lines = userErrorOf(() => parseConfig(raw, 'c.json')).message.split('\n');
    expect(lines).toHaveLength(starts.length);
    lines.forEach((line, i) => expect(line.startsWith(`c.json: ${starts[i]}`), line).toBe(true));
  });

  it('points to documents that exist', () => {
    const { hint } = userErrorOf(() => parseConfig({ a: 1 }));
    const docs = hint!.match(/\S+\.md\b/g)!;
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) expect(existsSync(fileURLToPath(new URL(`../${doc}`, import.meta.url))), doc).toBe(true);
  });

  it('accepts a $schema key for editors', () => {
    expect(parseConfig({ $schema: './capacity.schema.json' }).$schema).toBe('./capacity.schema.json');
  });
});

describe('flags override the file', () => {
  it('merges and validates again', () => {
    const file = parseConfig({ stages: [10, 20, 40], targetStage: 20 });
    const c = applyOverrides(file, { targetStage: 40, criteria: { p95Ms: { green: 1000 } }, spawnRate: undefined });
    expect(c.targetStage).toBe(40);
    expect(c.stages).toEqual([10, 20, 40]);
    expect(c.criteria.p95Ms).toEqual({ green: 1000, orange: 4000 });
    expect(c.spawnRate).toBe(5);
  });

  it('a flag breaking a rule is named as the source', () => {
    expect(() => applyOverrides(DEFAULT_CONFIG, { targetStage: 7 }, '--target-stage')).toThrow(
      '--target-stage: targetStage: must be one of the stages 5, 20, 50, 75, 100, 150 (got 7)',
    );
  });

  it('an array replaces the file’s, it does not merge into it', () => {
    expect(applyOverrides(DEFAULT_CONFIG, { stages: [100] }).stages).toEqual([100]);
  });
});

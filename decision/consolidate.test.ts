import { describe, expect, it } from 'vitest';
import { consolidate, reading, score, verdict } from './consolidate.ts';
import type { Level } from '../formats/decision.ts';

const L = (s: string): Level[] => s.split(' ').map((c) => ({ G: 'green', O: 'orange', R: 'red' })[c] as Level);

describe('consolidate: the level at least half of the runs (rounded up) reach or exceed', () => {
  it.each([
    // SPEC §3's own examples
    ['R R G', 'red'],
    ['R G G', 'green'],
    ['G O R', 'orange'],
    // order does not matter
    ['G R R', 'red'],
    ['G G R', 'green'],
    ['O O G', 'orange'],
    ['O G G', 'green'],
    ['O O R', 'orange'],
    ['R R R', 'red'],
    ['G G G', 'green'],
    // provisional: one run is its own level; two runs take the upper median (a red cannot be outvoted by one green)
    ['R', 'red'],
    ['O', 'orange'],
    ['R G', 'red'],
    ['O G', 'orange'],
    ['G G', 'green'],
    // runsToCompare 5: at least 3 of 5
    ['R R G G G', 'green'],
    ['R R R G G', 'red'],
    ['R O O G G', 'orange'],
  ])('%s → %s', (levels, expected) => {
    expect(consolidate(L(levels))).toBe(expected);
  });

  it('refuses an empty list (the caller decides insufficient data before)', () => {
    expect(() => consolidate([])).toThrow(/no levels/);
  });
});

describe('score and reading', () => {
  it.each([
    ['G G G', 0, 'ok'],
    ['O G G', 1, 'ok'],
    ['O O G', 2, 'attention'],
    ['R G G', 2, 'attention'],
    ['O O O', 3, 'migrate'],
    ['R O G', 3, 'migrate'],
    ['R G R', 4, 'migrate'],
    ['R R R', 6, 'migrate'],
  ])('%s → score %i, %s', (levels, expectedScore, expectedReading) => {
    const s = score(L(levels));
    expect(s).toBe(expectedScore);
    expect(reading(s)).toBe(expectedReading);
  });
});

describe('verdict', () => {
  it('No-Go when the target is not held in 2 runs even if another criterion alone would not say so', () => {
    // 5 runs to compare: held red in 2 of 5 consolidates to green, but "not held in 2 runs" is a No-Go.
    const v = verdict({ p95: L('G G G G G'), errorRate: L('G G G G G'), held: L('R R G G G') });
    expect(v.consolidated.held).toBe('green');
    expect(v.decision).toBe('no-go');
    expect(v.reasons[0]).toBe('target stage not held in 2 of 5 runs');
  });

  it('names the outvoted bad run in its reasons', () => {
    const v = verdict({ p95: L('R G G'), errorRate: L('G G G'), held: L('G G G') });
    expect(v.decision).toBe('go');
    expect(v.reasons).toContain('p95 at the target stage: red in 1 of 3 runs only, consolidated green (one bad run is noise)');
  });

  it('Watch names its two orange criteria', () => {
    const v = verdict({ p95: L('O O G'), errorRate: L('O O G'), held: L('G G G') });
    expect(v.decision).toBe('watch');
    expect(v.reasons[0]).toBe('2 orange criteria (p95 at the target stage, error rate up to the target), no red');
  });
});

import { describe, expect, it } from 'vitest';
import { comparisonFormat } from '../formats/comparison.ts';
import type { Decision, DecisionValue, Level } from '../formats/decision.ts';
import { compareEnvironments, p95Difference } from './compare.ts';

const LEVEL_OF: Record<'go' | 'watch' | 'no-go', Level> = { go: 'green', watch: 'orange', 'no-go': 'red' };

function decision(environment: string, value: DecisionValue, p95s: number[] = [1000, 1100, 1200]): Decision {
  const runs = p95s.map((_, i) => `2026-11-2${i}T0301Z-ab1${i}`);
  const level = value === 'insufficient-data' ? 'green' : LEVEL_OF[value];
  const runLevel = (figure: number, i: number) => ({
    runId: runs[i] as string,
    level,
    figure,
    bound: '',
    rule: '',
    borderline: false,
    ci: null,
  });
  return {
    kind: 'decision',
    schemaVersion: 1,
    decision: value,
    provisional: false,
    score: 0,
    reading: null,
    reasons: [],
    criteria: value === 'insufficient-data' ? {} : { p95: { level, runs: p95s.map(runLevel) } },
    runs: value === 'insufficient-data' ? [] : runs,
    baseline: null,
    excluded: [],
    runsToCompare: 3,
    environment,
    targetStage: 3,
    keyTransaction: 'checkout',
  };
}

const side = (env: string, value: DecisionValue, p95s?: number[]) => ({
  decision: decision(env, value, p95s),
  capacityUsers: [80, 100, 90],
  weeks: ['2026-W48', '2026-W47', '2026-W47'],
});

describe('the verdict grid, every pair of decisions', () => {
  const cases: [DecisionValue, DecisionValue, string][] = [
    ['go', 'go', 'current: Go; candidate: Go — both Go: no capacity reason to migrate'],
    [
      'go',
      'watch',
      'current: Go; candidate: Watch (p95 at the target stage orange) — the current host holds the target, the candidate does not: do not migrate to it',
    ],
    [
      'go',
      'no-go',
      'current: Go; candidate: No-Go (p95 at the target stage red) — the current host holds the target, the candidate does not: do not migrate to it',
    ],
    [
      'watch',
      'go',
      'current: Watch (p95 at the target stage orange); candidate: Go — the candidate holds the target, the current host does not',
    ],
    ['watch', 'watch', 'both Watch: the candidate does not clearly hold more; compare the p95 difference'],
    ['watch', 'no-go', 'the candidate is worse than the current host: do not migrate to it'],
    [
      'no-go',
      'go',
      'current: No-Go (p95 at the target stage red); candidate: Go — the candidate holds the target, the current host does not',
    ],
    ['no-go', 'watch', 'the candidate is better but does not clearly hold the target either'],
    ['no-go', 'no-go', 'both No-Go: migrating to this candidate does not fix capacity'],
  ];
  it.each(cases)('%s × %s', (cur, cand, words) => {
    const c = compareEnvironments(side('current', cur), side('candidate', cand));
    expect(c.verdict).toContain(words);
    expect(comparisonFormat.parse(comparisonFormat.stringify(c), 'test')).toEqual(c);
  });
});

describe('p95 difference (Welch on per-run p95s)', () => {
  const cases: [string, number[], number[], boolean | null][] = [
    ['overlapping noisy runs: no measurable difference', [1000, 1400, 1200], [1100, 1300, 1050], false],
    ['clearly faster candidate', [2000, 2050, 1980], [1000, 1020, 990], true],
    ['clearly slower candidate', [1000, 1020, 990], [2000, 2050, 1980], true],
    ['one run a side: no interval', [1000], [900], null],
  ];
  it.each(cases)('%s', (_, cur, cand, measurable) => {
    const d = p95Difference(cur, cand);
    expect(d?.measurable ?? null).toBe(measurable);
    if (d) expect(d.lowMs <= d.differenceMs && d.differenceMs <= d.highMs).toBe(true);
  });
});

describe('what a comparison rests on', () => {
  it('states runs, weeks and capacity of each side', () => {
    const c = compareEnvironments(side('current', 'go'), side('candidate', 'go'));
    expect(c.current.runs).toHaveLength(3);
    expect(c.current.weeks).toEqual(['2026-W47', '2026-W48']);
    expect(c.candidate.capacityUsers).toBe(90);
    expect(c.current.criteria.p95?.figure).toBe(1100);
  });
  it('refuses in one line when one side has no usable run', () => {
    expect(() => compareEnvironments(side('current', 'go'), side('candidate', 'insufficient-data'))).toThrow(
      /environment "candidate" has no usable run to compare/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import type { DecisionValue } from '../../formats/decision.ts';
import { environmentSide } from '../../test/testkit/report-builders.ts';
import { caseInput } from '../../test/testkit/report-cases.ts';
import { buildMigrationView } from './migration-view.ts';
import type { EnvironmentSide } from './report-input.ts';
import { buildReportView } from './view-model.ts';

const view = (...environments: EnvironmentSide[]) => buildMigrationView({ ...caseInput('go'), environments })!;
const cells = (v: ReturnType<typeof view>, label: string) => v.rows.find((r) => r.label.startsWith(label))?.cells;

describe('the migration section of the report (view model)', () => {
  it('is absent with one environment or none: the report is as without the list', () => {
    expect(buildMigrationView(caseInput('go'))).toBeUndefined();
    expect(buildMigrationView({ ...caseInput('go'), environments: [environmentSide('current', 'go', [1000])] })).toBeUndefined();
    expect('migration' in buildReportView(caseInput('go'))).toBe(false);
  });

  const cases: [string, [DecisionValue, number[]], [DecisionValue, number[]], Record<string, string[]>, RegExp, RegExp][] = [
    [
      'current red, candidate green, a measurable gain',
      ['no-go', [4000, 4100, 4200]],
      ['go', [1000, 1050, 1100]],
      {
        decision: ['No-Go', 'Go'],
        'p95 of search': ['red (4100 ms)', 'green (1050 ms)'],
        'error rate': ['green (0.10 %)', 'green (0.10 %)'],
      },
      /^p95 at 100 users, candidate − current: −3050 ms \(95 % interval −3\d\d\d ms to −2\d\d\d ms\)$/,
      /candidate: Go — the candidate holds the target, the current host does not$/,
    ],
    [
      'both green, overlapping runs',
      ['go', [1000, 1400, 1200]],
      ['go', [1100, 1300, 1250]],
      { decision: ['Go', 'Go'], 'p95 of search': ['green (1200 ms)', 'green (1250 ms)'] },
      /: \+17 ms \(95 % interval −\d+ ms to \+\d+ ms\) — no measurable difference$/,
      /both Go: no capacity reason to migrate$/,
    ],
    [
      'both red',
      ['no-go', [4500, 4600, 4700]],
      ['no-go', [4400, 4500, 4650]],
      { decision: ['No-Go', 'No-Go'], 'p95 of search': ['red (4600 ms)', 'red (4500 ms)'] },
      /no measurable difference$/,
      /both No-Go: migrating to this candidate does not fix capacity$/,
    ],
    [
      'one run a side: no interval',
      ['go', [1000]],
      ['watch', [3000]],
      { runs: ['1', '1'], 'p95 of search': ['green (1000 ms)', 'orange (3000 ms)'] },
      /: not estimated \(fewer than 2 runs with a p95 on one side\)$/,
      /the current host holds the target, the candidate does not: do not migrate to it$/,
    ],
  ];
  it.each(cases)('%s', (_, [curValue, curP95s], [candValue, candP95s], expected, difference, verdict) => {
    const v = view(environmentSide('current', curValue, curP95s), environmentSide('candidate', candValue, candP95s));
    expect(v.missing).toEqual([]);
    expect(v.columns).toEqual(['current', 'candidate']);
    for (const [label, want] of Object.entries(expected)) expect(cells(v, label), label).toEqual(want);
    expect(v.comparisons).toHaveLength(1);
    expect(v.comparisons[0]!.difference).toMatch(difference);
    expect(v.comparisons[0]!.verdict).toMatch(verdict);
    expect(v.chart?.path).toBe('staging-2026-W47/environments-vs-users.svg');
  });

  it('states the capacity in users held, and the runs and weeks each side rests on', () => {
    const v = view(environmentSide('current', 'no-go', [4000, 4100, 4200]), environmentSide('candidate', 'go', [1000, 1050]));
    expect(cells(v, 'capacity')).toEqual(['50 users', '100 users']);
    expect(cells(v, 'runs')).toEqual(['3', '2']);
    expect(cells(v, 'weeks')).toEqual(['2026-W47', '2026-W47']);
    expect(v.runs).toEqual([
      'current: 3 runs (`2026-11-22T0300Z-cu00`, `2026-11-20T0300Z-cu01`, `2026-11-18T0300Z-cu02`)',
      'candidate: 2 runs (`2026-11-22T0300Z-ca00`, `2026-11-20T0300Z-ca01`)',
    ]);
  });

  it.each([
    ['the candidate', [environmentSide('current', 'go', [1000, 1100]), environmentSide('candidate', 'insufficient-data', [])], 'candidate'],
    ['the current host', [environmentSide('current', 'insufficient-data', []), environmentSide('candidate', 'go', [1000])], 'current'],
  ])('says in one line when %s has no usable run, and compares nothing', (_, sides, empty) => {
    const v = view(...sides);
    expect(v.missing).toEqual([
      `${empty} has no usable run up to the end of week 2026-W47, so it is not compared: run \`npm run stages -- --environment ${empty}\`.`,
    ]);
    expect(v).toMatchObject({ hasTable: false, rows: [], comparisons: [], chart: null });
  });

  it('compares the current host with each candidate that has runs, and names the one that has none', () => {
    const v = view(
      environmentSide('current', 'no-go', [4000, 4100]),
      environmentSide('spare', 'insufficient-data', []),
      environmentSide('candidate', 'go', [1000, 1100]),
    );
    expect(v.environments).toBe('current vs spare vs candidate');
    expect(v.missing).toHaveLength(1);
    expect(v.missing[0]).toMatch(/^spare has no usable run/);
    expect(v.columns).toEqual(['current', 'candidate']);
    expect(v.comparisons.map((c) => c.candidate)).toEqual(['candidate']);
    expect(v.chart?.path).toBe('staging-2026-W47/environments-vs-users.svg');
  });
});

import type { Decision } from '../../formats/decision.ts';
import type { ReportInput, ReportRun } from '../../runner/report/report-input.ts';
import { decision, healthyShape, run, SETTINGS, type StageShape } from './report-builders.ts';

/**
 * The five fixed report cases of the snapshot tests (Go, Watch, No-Go, provisional,
 * insufficient data), week 2026-W47, generated on Monday 2026-11-23 08:00 UTC.
 */

export const WEEK = { year: 2026, week: 47 } as const;
export const GENERATED_AT = Date.parse('2026-11-23T08:00:00Z');
const CHARTS_DIR = 'staging-2026-W47';

const slower =
  (factor: number, errorRate?: number) =>
  (users: number): StageShape => {
    const base = healthyShape(users);
    return {
      ...base,
      p95Ms: Math.round(base.p95Ms * factor),
      errorRate: errorRate !== undefined && users <= 100 ? errorRate : base.errorRate,
    };
  };

/** Runs of week 46 (the trend's earlier week), healthy. */
const W46_RUNS: readonly ReportRun[] = [
  run({ id: '2026-11-09T0300Z-aa01', startedAt: '2026-11-09T03:00:00Z' }),
  run({ id: '2026-11-12T0300Z-aa02', startedAt: '2026-11-12T03:00:00Z', shape: slower(1.1) }),
];

const INTERRUPTED = run({
  id: '2026-11-19T1000Z-bb02',
  startedAt: '2026-11-19T10:00:00Z',
  status: 'interrupted',
  why: 'stopped by the operator (Ctrl-C) during stage 75',
});
const EXCLUDED = [
  { id: INTERRUPTED.id, reason: 'interrupted by the operator: stopped by the operator (Ctrl-C) during stage 75 (not comparable)' },
];
const IDS = ['2026-11-22T0300Z-bb04', '2026-11-20T0300Z-bb03', '2026-11-18T0300Z-bb01'] as const;
const STARTS = ['2026-11-22T03:00:00Z', '2026-11-20T03:00:00Z', '2026-11-18T03:00:00Z'] as const;

/** Week 46 as it stood: a provisional Go on two runs. */
const W46: Decision = decision({
  decision: 'go',
  provisional: true,
  runIds: ['2026-11-12T0300Z-aa02', '2026-11-09T0300Z-aa01'],
  score: 0,
  reading: 'ok',
  reasons: ['provisional: rests on 2 comparable runs of the 3 to compare', '0 red and 0 orange criteria'],
  levels: {
    p95: {
      consolidated: 'green',
      runs: [
        { level: 'green', figure: 2090 },
        { level: 'green', figure: 1900 },
      ],
    },
    errorRate: {
      consolidated: 'green',
      runs: [
        { level: 'green', figure: 0.1 },
        { level: 'green', figure: 0.1 },
      ],
    },
    held: { consolidated: 'green', runs: [{ level: 'green' }, { level: 'green' }] },
  },
});

type Lv = 'green' | 'orange' | 'red';
interface RunCase {
  /** p95 factor over the healthy shape (1900 ms at 100 users) and error rate up to the target (0–1). */
  factor: number;
  errorRate: number;
  levels: [Lv, Lv, Lv];
  heldRule?: string;
  borderline?: boolean;
}

/** Builds week 47's runs of a case and the decision over them (figures consistent with the runs). */
function weekCase(options: {
  decision: Decision['decision'];
  provisional?: boolean;
  runs: RunCase[];
  consolidated: [Lv, Lv, Lv];
  score: number;
  reading: Decision['reading'];
  reasons: string[];
  extraExcluded?: { id: string; reason: string }[];
}): { runs: ReportRun[]; decision: Decision } {
  const runs = options.runs.map((c, i) =>
    run({
      id: IDS[i]!,
      startedAt: STARTS[i]!,
      shape: slower(c.factor, c.errorRate),
      ...(i === 0 ? { host: 'https://ops:s3cret@app.example.com/?token=abc123' } : {}),
      ...(c.levels[2] === 'red' ? { saturatedFrom: 75 } : {}),
      ...(i === 1 ? { suspectStages: [150] } : {}),
    }),
  );
  const p95Of = (r: ReportRun) => r.summary!.stages.find((s) => s.users === 100)!.stats!.key.p95Ms!;
  const d = decision({
    decision: options.decision,
    provisional: options.provisional ?? false,
    runIds: runs.map((r) => r.id),
    score: options.score,
    reading: options.reading,
    reasons: options.reasons,
    excluded: [...EXCLUDED, ...(options.extraExcluded ?? [])],
    levels: {
      p95: {
        consolidated: options.consolidated[0],
        runs: options.runs.map((c, i) => ({
          level: c.levels[0],
          figure: p95Of(runs[i]!),
          borderline: c.borderline ?? false,
          rule: `${p95Of(runs[i]!)} ms → ${c.levels[0]}`,
        })),
      },
      errorRate: {
        consolidated: options.consolidated[1],
        runs: options.runs.map((c) => ({
          level: c.levels[1],
          figure: Number((c.errorRate * 100).toFixed(2)),
          rule: `${(c.errorRate * 100).toFixed(2)} % → ${c.levels[1]}`,
        })),
      },
      held: {
        consolidated: options.consolidated[2],
        runs: options.runs.map((c) => ({
          level: c.levels[2],
          rule: c.heldRule ?? 'held for 10m, no trend (Mann–Kendall p = 0.41), no outlier window → green',
        })),
      },
    },
  });
  return { runs: [...runs, INTERRUPTED], decision: d };
}

const CASE_DATA = {
  go: weekCase({
    decision: 'go',
    runs: [
      { factor: 1.2, errorRate: 0.004, levels: ['green', 'green', 'green'] },
      { factor: 1.4, errorRate: 0.006, levels: ['orange', 'green', 'green'] },
      { factor: 1.1, errorRate: 0.002, levels: ['green', 'green', 'green'] },
    ],
    consolidated: ['green', 'green', 'green'],
    score: 0,
    reading: 'ok',
    reasons: ['0 red and 0 orange criteria: Go'],
  }),
  watch: weekCase({
    decision: 'watch',
    runs: [
      { factor: 1.4, errorRate: 0.012, levels: ['orange', 'orange', 'green'], borderline: true },
      { factor: 1.5, errorRate: 0.015, levels: ['orange', 'orange', 'green'] },
      { factor: 1.2, errorRate: 0.004, levels: ['green', 'green', 'green'] },
    ],
    consolidated: ['orange', 'orange', 'green'],
    score: 2,
    reading: 'attention',
    reasons: ['0 red and 2 orange criteria: Watch'],
  }),
  'no-go': weekCase({
    decision: 'no-go',
    runs: [
      {
        factor: 2.2,
        errorRate: 0.035,
        levels: ['red', 'red', 'red'],
        heldRule: 'Mann–Kendall p = 0.002, Theil–Sen +31 % over the hold → not stable → red',
      },
      {
        factor: 1.4,
        errorRate: 0.012,
        levels: ['orange', 'orange', 'red'],
        heldRule: 'throughput collapsed: last windows at 41 % of the first → red',
      },
      { factor: 1.2, errorRate: 0.004, levels: ['green', 'green', 'green'] },
    ],
    consolidated: ['orange', 'orange', 'red'],
    score: 4,
    reading: 'migrate',
    reasons: ['1 red criterion: No-Go', 'target stage not held in 2 of 3 runs'],
  }),
  provisional: weekCase({
    decision: 'watch',
    provisional: true,
    runs: [
      { factor: 1.4, errorRate: 0.012, levels: ['orange', 'orange', 'green'] },
      { factor: 1.5, errorRate: 0.015, levels: ['orange', 'orange', 'green'] },
    ],
    consolidated: ['orange', 'orange', 'green'],
    score: 2,
    reading: 'attention',
    reasons: ['provisional: rests on 2 comparable runs of the 3 to compare', '0 red and 2 orange criteria: Watch'],
    extraExcluded: [{ id: '2026-11-18T0300Z-bb01', reason: 'not comparable with 2026-11-22T0300Z-bb04: engine k6 1.3.0 vs k6 1.4.2' }],
  }),
  'insufficient-data': {
    runs: [INTERRUPTED],
    decision: decision({
      decision: 'insufficient-data',
      runIds: [],
      score: null,
      reading: null,
      reasons: ['no comparable run up to 2026-11-22T23:59:59.999Z'],
      excluded: EXCLUDED,
      levels: {},
    }),
  },
} satisfies Record<string, { runs: ReportRun[]; decision: Decision }>;

export type CaseName = keyof typeof CASE_DATA;
export const CASES: readonly CaseName[] = ['go', 'watch', 'no-go', 'provisional', 'insufficient-data'];

/** The report input of a case: week 47's decision, week 46 before it. */
export function caseInput(name: CaseName): ReportInput {
  return {
    week: WEEK,
    settings: SETTINGS,
    decision: CASE_DATA[name].decision,
    runs: [...W46_RUNS, ...CASE_DATA[name].runs],
    previousWeeks: [{ week: { year: 2026, week: 46 }, decision: W46 }],
    chartsDir: CHARTS_DIR,
    generatedAtMs: GENERATED_AT,
  };
}

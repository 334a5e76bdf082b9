import { keyLabel } from '../../formats/key-transaction.ts';
import type { StageStats } from '../../formats/stage-stats.ts';
import { median } from '../stats/samples.ts';
import { GOODPUT_AXIS, goodputOf, p95Bounds, round, type ChartSpec, type LineSeries } from './chart-data.ts';
import type { EnvironmentSide, ReportSettings } from './report-input.ts';

/**
 * The migration rehearsal's side-by-side chart (issue 17): p95 (top panel) and goodput (bottom
 * panel) by users, one colour per environment. Each environment's line is, per stage, the median
 * over the runs its decision rests on: the same runs and the same consolidation (a median) as
 * the figures of the comparison table. Pure.
 */

/** Per stage users, the median of `pick` over the runs (stages without a figure in any run left out). */
function medianByUsers(side: EnvironmentSide, pick: (st: StageStats) => number | null, digits: number): [number, number][] {
  const byUsers = new Map<number, number[]>();
  for (const id of side.decision.runs) {
    for (const stage of side.runs.find((r) => r.id === id)?.summary?.stages ?? []) {
      const v = stage.stats ? pick(stage.stats) : null;
      if (v != null && Number.isFinite(v)) byUsers.set(stage.users, [...(byUsers.get(stage.users) ?? []), v]);
    }
  }
  return [...byUsers].sort(([a], [b]) => a - b).map(([users, values]) => [users, round(median(values), digits)]);
}

/** The chart, or null when fewer than two environments have a run with statistics to draw. */
export function environmentChart(sides: readonly EnvironmentSide[], settings: ReportSettings): ChartSpec | null {
  const line = (side: EnvironmentSide, i: number, points: [number, number][]): LineSeries => ({
    name: side.environment,
    run: i,
    points,
    dashed: false,
    symbols: true,
  });
  const drawn = sides.flatMap((side, i) => {
    const p95 = medianByUsers(side, (st) => st.key.p95Ms, 0);
    return p95.length
      ? [
          {
            side,
            p95: line(side, i, p95),
            goodput: line(
              side,
              i,
              medianByUsers(side, (st) => goodputOf(st.all), 1),
            ),
          },
        ]
      : [];
  });
  if (drawn.length < 2) return null;
  const key = keyLabel(settings.keyTransaction.name, settings.keyTransaction.metric);
  const target = sides.find((s) => s.decision.targetStage !== null)?.decision.targetStage ?? settings.targetStage;
  const names = drawn.map((d) => d.side.environment).join(' and ');
  return {
    id: 'environments-vs-users',
    file: 'environments-vs-users.svg',
    title: `${names}: p95 of ${key} and goodput by users`,
    alt:
      `p95 of ${key} (ms, top panel) and goodput (successful requests/s, bottom panel) against users, one line per environment ` +
      `(${names}), each the median per stage over its own last comparable runs, with the green and orange p95 bounds`,
    xAxis: { name: 'users' },
    panels: [
      { yAxis: { name: `p95 of ${key} (ms)` }, series: drawn.map((d) => d.p95), bounds: p95Bounds(settings) },
      { yAxis: { name: GOODPUT_AXIS }, series: drawn.map((d) => d.goodput), bounds: [] },
    ],
    runs: [],
    environments: drawn.map((d) => ({ name: d.side.environment, runs: d.side.decision.runs })),
    markers: [{ label: `target ${target} users`, x: target }],
  };
}

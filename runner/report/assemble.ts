import { runStartMs } from '../../formats/run-order.ts';
import type { Decision } from '../../formats/decision.ts';
import type { CapacityConfig } from '../../formats/config.ts';
import type { ReportRun, WeekDecision } from './report-input.ts';
import type { ReportView } from './view-model.ts';
import { buildReportView, TREND_WEEKS } from './view-model.ts';
import { buildChartSpecs, type ChartSpec } from './chart-data.ts';
import { environmentChart } from './environment-chart.ts';
import { environmentSides } from './environment-sides.ts';
import { compareIsoWeeks, formatIsoWeek, isoWeekEnd, isoWeekOf, type IsoWeek } from './iso-week.ts';

/**
 * From the runs of a results folder to everything the report shows (pure): the week, the
 * decision at the end of that week, the decisions at the end of earlier weeks (the trend),
 * the view and the chart specs. The decision function is a parameter so that this module
 * stays apart from how the decision is computed (decision/decide.ts in the command).
 */

export interface AssembleRun extends ReportRun {
  readonly problem: string | null;
}

export type DecideFn = (runs: readonly AssembleRun[], config: CapacityConfig, options: { until: string }) => Decision;

export interface AssembledReport {
  readonly week: IsoWeek;
  readonly decision: Decision;
  readonly previousWeeks: readonly WeekDecision[];
  readonly view: ReportView;
  readonly charts: readonly ChartSpec[];
}

/** The week of the newest run, or null with no dated run. */
export function newestRunWeek(runs: readonly ReportRun[]): IsoWeek | null {
  const starts = runs.map(runStartMs).filter((t): t is number => t !== null);
  return starts.length ? isoWeekOf(Math.max(...starts)) : null;
}

/** The last instant of a week, as the decision's inclusive `until`. */
export function weekUntil(week: IsoWeek): string {
  return new Date(isoWeekEnd(week) - 1).toISOString();
}

export function assembleReport(options: {
  runs: readonly AssembleRun[];
  /**
   * The config's environments, the current host first, and the runs of every environment: with
   * two or more, each is decided over its own runs for the report's migration section.
   */
  environments?: { readonly names: readonly string[]; readonly runs: readonly AssembleRun[] };
  config: CapacityConfig;
  week: IsoWeek;
  decide: DecideFn;
  chartsDir: string;
  generatedAtMs: number;
}): AssembledReport {
  const { runs, config, week } = options;
  const decision = options.decide(runs, config, { until: weekUntil(week) });
  // Earlier weeks that have runs: each gets the decision as it stood at its end.
  const earlier = new Map<string, IsoWeek>();
  for (const r of runs) {
    const t = runStartMs(r);
    if (t === null) continue;
    const w = isoWeekOf(t);
    if (compareIsoWeeks(w, week) < 0) earlier.set(formatIsoWeek(w), w);
  }
  const previousWeeks = [...earlier.values()]
    .sort(compareIsoWeeks)
    .slice(-TREND_WEEKS)
    .map((w) => ({ week: w, decision: options.decide(runs, config, { until: weekUntil(w) }) }));
  const input = {
    week,
    settings: config,
    decision,
    runs,
    previousWeeks,
    chartsDir: options.chartsDir,
    generatedAtMs: options.generatedAtMs,
    ...(options.environments && options.environments.names.length > 1
      ? {
          environments: environmentSides(options.environments.names, options.environments.runs, config, (own, c) =>
            options.decide(own, c, { until: weekUntil(week) }),
          ),
        }
      : {}),
  };
  const sideBySide = input.environments ? environmentChart(input.environments, config) : null;
  const charts = [...buildChartSpecs(input), ...(sideBySide ? [sideBySide] : [])];
  return { week, decision, previousWeeks, view: buildReportView(input), charts };
}

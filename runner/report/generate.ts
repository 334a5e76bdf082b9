import { join } from 'node:path';
import { decideRuns } from '../decide-runs.ts';
import type { Decision } from '../../formats/decision.ts';
import { UserError } from '../../formats/errors.ts';
import type { CapacityConfig } from '../../formats/config.ts';
import { listRuns, type StoredRun } from '../results-store.ts';
import { assembleReport, newestRunWeek, type DecideFn } from './assemble.ts';
import { renderChartSvg } from './charts.ts';
import type { IsoWeek } from './iso-week.ts';
import { loadReportTemplate } from './render.ts';
import { reportFileStem, type ReportView } from './view-model.ts';
import { reportPaths, writeReport, type ReportPaths } from './write.ts';

/**
 * The weekly report end to end, for `npm run report` and `npm run demo`: read the results
 * folder, decide at the end of the week, build the view, and (unless `dryRun`) render and
 * write the Markdown and its charts.
 */

export interface GenerateReportOptions {
  /** Absolute results folder (holds `runs/`). */
  readonly resultsDir: string;
  /** The runs reported on (one environment's: see selectResults); default every run of resultsDir. */
  readonly runs?: readonly StoredRun[];
  readonly config: CapacityConfig;
  /**
   * The environments of a migration rehearsal, the current host first (the config's list): with
   * two or more, the report gains a section comparing them, each over its own runs of resultsDir.
   */
  readonly environments?: readonly string[];
  /** Every run of resultsDir when `runs` holds one environment's (selectResults' allRuns); default: read the folder. */
  readonly allRuns?: readonly StoredRun[];
  /** Default: the week of the newest run. */
  readonly week?: IsoWeek;
  /** Absolute Markdown path; default `<resultsDir>/reports/<environment>-<YYYY-Www>.md`. */
  readonly out?: string;
  /** Replace an existing report (otherwise a UserError). */
  readonly force?: boolean;
  /** Build the view only; write nothing. */
  readonly dryRun?: boolean;
  readonly nowMs: number;
}

export interface GeneratedReport {
  readonly week: IsoWeek;
  readonly paths: ReportPaths;
  readonly decision: Decision;
  readonly view: ReportView;
  /** Chart file names written in `paths.chartsDir` (empty with dryRun). */
  readonly chartFiles: readonly string[];
}

const decideForReport: DecideFn = (runs, config, options) => decideRuns(runs, config, options);

/** Throws a UserError when there is no run and no week, or when the report exists without `force`. */
export async function generateReport(options: GenerateReportOptions): Promise<GeneratedReport> {
  const runs = options.runs ? [...options.runs] : await listRuns(options.resultsDir);
  const week = options.week ?? newestRunWeek(runs);
  if (!week) {
    throw new UserError('no run to report on, and no --week given', {
      file: join(options.resultsDir, 'runs'),
      hint: 'record runs with `npm run stages`, or give --week 2026-W47 for a report that says there is no data',
    });
  }
  const stem = reportFileStem(options.config.environment, week);
  const paths = reportPaths(options.out ?? join(options.resultsDir, 'reports', `${stem}.md`));
  const names = options.environments ?? [];
  // Every environment's runs, not only the reported one's: each side is decided over its own.
  const allRuns = names.length > 1 ? (options.allRuns ?? (options.runs ? await listRuns(options.resultsDir) : runs)) : [];
  const environments = names.length > 1 ? { names, runs: allRuns } : undefined;
  const assembled = assembleReport({
    runs,
    ...(environments ? { environments } : {}),
    config: options.config,
    week,
    decide: decideForReport,
    chartsDir: paths.chartsLink,
    generatedAtMs: options.nowMs,
  });
  if (options.dryRun) return { week, paths, decision: assembled.decision, view: assembled.view, chartFiles: [] };
  const template = await loadReportTemplate();
  const charts = assembled.charts.map((spec) => ({ file: spec.file, svg: renderChartSvg(spec) }));
  await writeReport(paths, template(assembled.view), charts, options.force ?? false);
  return { week, paths, decision: assembled.decision, view: assembled.view, chartFiles: charts.map((c) => c.file) };
}

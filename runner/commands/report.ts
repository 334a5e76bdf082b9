import { join, relative, resolve } from 'node:path';
import { decide, DecisionInputError } from '../../decision/decide.ts';
import { defineCommand } from './command.ts';
import { ExitCode, UserError } from '../errors.ts';
import type { Io } from '../io.ts';
import { loadConfig } from '../formats/config.ts';
import { listRuns } from '../results-store.ts';
import { assembleReport, newestRunWeek, type AssembledReport, type DecideFn } from '../report/assemble.ts';
import { renderChartSvg } from '../report/charts.ts';
import { formatIsoWeek, parseIsoWeek } from '../report/iso-week.ts';
import { loadReportTemplate } from '../report/render.ts';
import { reportFileStem } from '../report/view-model.ts';
import { reportPaths, writeReport } from '../report/write.ts';

export interface ReportArgs {
  results?: string;
  config?: string;
  week?: string;
  out?: string;
  json?: boolean;
  force?: boolean;
}

export const command = defineCommand<ReportArgs>({
  name: 'report',
  describe: 'render the weekly capacity report (Markdown + SVG charts) from the results folder',
  builder: (y) =>
    y
      .usage(
        'npm run report -- [--results results] [--config <file>] [--week 2026-W47] [--out <file.md>] [--json] [--force]\n\n' +
          'Decides over the last comparable runs up to the end of the ISO week (UTC) and writes the report\n' +
          'to <results>/reports/<environment>-<YYYY-Www>.md, its SVG charts in the folder of the same name beside it.\n' +
          'A report that already exists is never replaced unless --force is given.',
      )
      .option('results', { type: 'string', describe: 'results folder, e.g. results (default results)' })
      .option('config', { type: 'string', describe: 'config file, e.g. capacity.config.json (default: that file when present, else the SPEC defaults)' })
      .option('week', { type: 'string', describe: 'ISO-8601 week in UTC, e.g. 2026-W47 (default: the week of the newest run)' })
      .option('out', { type: 'string', describe: 'Markdown file to write (default <results>/reports/<environment>-<YYYY-Www>.md)' })
      .option('json', { type: 'boolean', describe: 'print the data the template is rendered from (JSON) instead of writing the report' })
      .option('force', { type: 'boolean', describe: 'replace the report (and its charts) when it already exists' })
      .example('npm run report', 'the report of the newest run’s week')
      .example('npm run report -- --week 2026-W47 --force', 'regenerate the report of week 47')
      .example('npm run report -- --json', 'the figures behind the report, as JSON'),
  run: (args, io) => runReport(args, io),
});

/** The decision of decision/decide.ts, its input errors turned into one-line user errors. */
const decideForReport: DecideFn = (runs, config, options) => {
  try {
    return decide(runs, config, options);
  } catch (e) {
    if (e instanceof DecisionInputError) throw new UserError(e.message);
    throw e;
  }
};

/** Reads the results, decides, renders; writes the report and prints its path (or prints the view with --json). */
export async function runReport(args: ReportArgs, io: Io): Promise<number> {
  const config = await loadConfig(args.config, io.cwd);
  const resultsDir = resolve(io.cwd, args.results ?? 'results');
  const week = args.week !== undefined ? parseIsoWeek(args.week) : null;
  const runs = await listRuns(resultsDir);
  const reportWeek = week ?? newestRunWeek(runs);
  if (!reportWeek) {
    throw new UserError('no run to report on, and no --week given', {
      file: join(resultsDir, 'runs'),
      hint: 'record runs with `npm run stages`, or give --week 2026-W47 for a report that says there is no data',
    });
  }
  const stem = reportFileStem(config.environment, reportWeek);
  const paths = reportPaths(args.out !== undefined ? resolve(io.cwd, args.out) : join(resultsDir, 'reports', `${stem}.md`));
  const assembled: AssembledReport = assembleReport({
    runs,
    config,
    week: reportWeek,
    decide: decideForReport,
    chartsDir: paths.chartsLink,
    generatedAtMs: io.now(),
  });
  if (args.json) {
    io.stdout.write(`${JSON.stringify(assembled.view, null, 2)}\n`);
    return ExitCode.ok;
  }
  const template = await loadReportTemplate();
  const markdown = template(assembled.view);
  const charts = assembled.charts.map((spec) => ({ file: spec.file, svg: renderChartSvg(spec) }));
  await writeReport(paths, markdown, charts, args.force ?? false);
  const shown = relative(io.cwd, paths.markdown) || paths.markdown;
  io.stderr.write(`report ${formatIsoWeek(reportWeek)}: ${assembled.view.decision.label}${assembled.decision.provisional ? ' (provisional)' : ''}, ${charts.length} chart(s)\n`);
  io.stdout.write(`${shown.startsWith('..') ? paths.markdown : shown}\n`);
  return ExitCode.ok;
}

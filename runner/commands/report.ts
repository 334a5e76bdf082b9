import { relative } from 'node:path';
import { defineCommand } from './command.ts';
import { ExitCode } from '../../formats/errors.ts';
import type { Io } from '../io.ts';
import { selectResults } from '../results-store.ts';
import { generateReport } from '../report/generate.ts';
import { formatIsoWeek, parseIsoWeek } from '../report/iso-week.ts';
import { checkReportOut } from '../report/write.ts';

export interface ReportArgs {
  results?: string;
  config?: string;
  environment?: string;
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
        'npm run report -- [--results results] [--config <file>] [--environment <name>] [--week 2026-W47] [--out <file.md>] [--json] [--force]\n\n' +
          'Decides over the last comparable runs up to the end of the ISO week (UTC) and writes the report ' +
          'to <results>/reports/<environment>-<YYYY-Www>.md, its SVG charts in the folder of the same name beside it. ' +
          'A report that already exists is never replaced unless --force is given. When the config lists several ' +
          'environments, the report also compares the first (the current host) with each other one, each over its own runs.',
      )
      .option('results', {
        type: 'string',
        describe: "results folder, e.g. results (default results, or the demo's results/demo when only it has runs)",
      })
      .option('config', {
        type: 'string',
        describe:
          "config file, e.g. capacity.config.json (default: the results folder's own, else the one in the current folder, else the SPEC defaults)",
      })
      .option('environment', {
        type: 'string',
        describe:
          "the environment reported on, when the folder holds several (default: the config's, else the only one, else the newest run's)",
      })
      .option('week', { type: 'string', describe: 'ISO-8601 week in UTC, e.g. 2026-W47 (default: the week of the newest run)' })
      .option('out', {
        type: 'string',
        describe:
          'Markdown file to write, a path ending in .md; its charts go in the folder of its name beside it (default <results>/reports/<environment>-<YYYY-Www>.md)',
      })
      .option('json', { type: 'boolean', describe: 'print the data the template is rendered from (JSON) instead of writing the report' })
      .option('force', { type: 'boolean', describe: 'replace the report (and its charts) when it already exists' })
      .example('npm run report', 'the report of the newest run’s week')
      .example('npm run report -- --week 2026-W47 --force', 'regenerate the report of week 47')
      .example('npm run report -- --json', 'the figures behind the report, as JSON'),
  run: (args, io) => runReport(args, io),
});

/** Reads the results, decides, renders; writes the report and prints its path (or prints the view with --json). */
export async function runReport(args: ReportArgs, io: Io): Promise<number> {
  const { resultsDir, config, runs, allRuns, notes } = await selectResults(args, io.cwd);
  for (const note of notes) io.stderr.write(`${note}\n`);
  const week = args.week !== undefined ? parseIsoWeek(args.week) : undefined;
  const out = args.out !== undefined ? await checkReportOut(args.out, io.cwd) : undefined;
  const report = await generateReport({
    resultsDir,
    runs,
    allRuns,
    config,
    environments: config.environments.map((e) => e.name),
    ...(week ? { week } : {}),
    ...(out !== undefined ? { out } : {}),
    force: args.force ?? false,
    dryRun: args.json ?? false,
    nowMs: io.now(),
  });
  if (args.json) {
    io.stdout.write(`${JSON.stringify(report.view, null, 2)}\n`);
    return ExitCode.ok;
  }
  const shown = relative(io.cwd, report.paths.markdown);
  const provisional = report.decision.provisional ? ' (provisional)' : '';
  io.stderr.write(
    `report ${formatIsoWeek(report.week)}: ${report.view.decision.label}${provisional}, ${report.chartFiles.length} chart(s)\n`,
  );
  io.stdout.write(`${shown && !shown.startsWith('..') ? shown : report.paths.markdown}\n`);
  return ExitCode.ok;
}

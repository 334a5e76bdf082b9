import { relative } from 'node:path';
import { defineCommand } from './command.ts';
import { flags } from './flags/report.ts';
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
  ...flags,
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

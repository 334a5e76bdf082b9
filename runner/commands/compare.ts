import { compareEnvironments, type SideInput } from '../../decision/compare.ts';
import { renderComparisonText } from '../../decision/render-text.ts';
import { comparisonFormat } from '../../formats/comparison.ts';
import { ExitCode, UserError } from '../../formats/errors.ts';
import { decideRuns } from '../decide-runs.ts';
import { sideInputOf } from '../report/environment-sides.ts';
import { selectResults } from '../results-store.ts';
import type { Io } from '../io.ts';
import { defineCommand } from './command.ts';

export interface CompareArgs {
  results?: string;
  config?: string;
  environment?: string[];
  json: boolean;
}

/** One side: that environment's own runs only (a run's environment decides which decision it enters). */
async function sideOf(args: CompareArgs, environment: string, cwd: string): Promise<SideInput> {
  const { config, runs } = await selectResults({ ...args, environment }, cwd);
  return sideInputOf({ decision: decideRuns(runs, config, {}, 'list the runs with `ls <results>/runs`'), runs });
}

/**
 * `npm run compare -- --environment current --environment candidate [--results <folder>] [--config <file>] [--json]`:
 * the migration verdict (issue 17), each environment decided over its own runs. Exit 0 whatever the verdict.
 */
export const command = defineCommand({
  name: 'compare',
  describe: 'two environments side by side: should we migrate to the candidate?',
  builder: (y) =>
    y
      .usage('npm run compare -- --environment <current> --environment <candidate> [--results <folder>] [--config <file>] [--json]')
      .option('results', { type: 'string', describe: 'the results folder `npm run stages` wrote to (default results)' })
      .option('config', { type: 'string', describe: 'capacity.config.json to use (as for decide)' })
      .option('environment', { type: 'string', array: true, describe: 'twice: the current environment, then the candidate' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print the comparison JSON (formats/comparison.ts) instead of the table',
      })
      .example('npm run compare -- --environment current --environment candidate', 'the migration verdict'),
  run: (args: CompareArgs, io) => runCompare(args, io),
});

/** The verdict over two environments' own runs, printed (the demo's `--compare` ends with it too). */
export async function runCompare(args: CompareArgs, io: Io): Promise<number> {
  const envs = args.environment ?? [];
  if (envs.length !== 2 || envs[0] === envs[1])
    throw new UserError(
      `--environment: expected two different environments (current, then candidate), got ${envs.length ? envs.join(', ') : 'none'}`,
      {
        exitCode: ExitCode.usage,
      },
    );
  const current = await sideOf(args, envs[0] as string, io.cwd);
  const candidate = await sideOf(args, envs[1] as string, io.cwd);
  const comparison = compareEnvironments(current, candidate);
  io.stdout.write(args.json ? comparisonFormat.stringify(comparison) : renderComparisonText(comparison));
  return ExitCode.ok;
}

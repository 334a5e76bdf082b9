import { relative } from 'node:path';
import { compareEnvironments, type SideInput } from '../../decision/compare.ts';
import { renderComparisonText } from '../../decision/render-text.ts';
import { comparisonFormat } from '../../formats/comparison.ts';
import type { CapacityConfig } from '../../formats/config.ts';
import { ExitCode, UserError } from '../../formats/errors.ts';
import { decideRuns } from '../decide-runs.ts';
import { sideInputOf } from '../report/environment-sides.ts';
import { chooseEnvironment, selectResults, type StoredRun } from '../results-store.ts';
import type { Io } from '../io.ts';
import { defineCommand } from './command.ts';
import { flags } from './flags/compare.ts';

export interface CompareArgs {
  results?: string;
  config?: string;
  environment?: string[];
  json: boolean;
}

/** One side: that environment's own runs only (a run's environment decides which decision it enters). */
function sideOf(config: CapacityConfig, runs: readonly StoredRun[]): SideInput {
  return sideInputOf({ decision: decideRuns(runs, config, {}, 'list the runs with `ls <results>/runs`'), runs });
}

/**
 * `npm run compare -- --environment current --environment candidate [--results <folder>] [--config <file>] [--json]`:
 * the migration verdict (issue 17), each environment decided over its own runs. Exit 0 whatever the verdict.
 */
export const command = defineCommand({
  ...flags,
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
  // The folder is read once; the candidate's runs are chosen from it by the same rule as the current's.
  const selection = await selectResults({ ...args, environment: envs[0] as string }, io.cwd);
  const other = chooseEnvironment(selection.allRuns, {
    requested: envs[1] as string,
    configured: selection.config.environment,
    resultsDir: relative(io.cwd, selection.resultsDir) || '.',
  });
  const current = sideOf(selection.config, selection.runs);
  const candidate = sideOf({ ...selection.config, environment: other.environment }, other.runs);
  const comparison = compareEnvironments(current, candidate);
  io.stdout.write(args.json ? comparisonFormat.stringify(comparison) : renderComparisonText(comparison));
  return ExitCode.ok;
}

import { decideRuns } from '../decide-runs.ts';
import { decisionFormat } from '../../formats/decision.ts';
import { renderDecisionText } from '../../decision/render-text.ts';
import { ExitCode } from '../../formats/errors.ts';
import { selectResults } from '../results-store.ts';
import { defineCommand } from './command.ts';
import { flags } from './flags/decide.ts';

/**
 * `npm run decide -- [--results results] [--config <file>] [--environment <name>] [--baseline <run-id>] [--until <ISO>] [--json]`:
 * reads one environment's runs of the results folder and the config (selectResults), calls the pure decision, prints it. Exit 0 whatever the
 * decision (a No-Go is an answer, not a failure); a bad folder, config or flag is a UserError.
 */
export const command = defineCommand({
  ...flags,
  run: async (args, io) => {
    const { config, runs, notes } = await selectResults(args, io.cwd);
    for (const note of notes) io.stderr.write(`${note}\n`);
    const decision = decideRuns(
      runs,
      config,
      {
        ...(args.baseline !== undefined ? { baseline: args.baseline } : {}),
        ...(args.until !== undefined ? { until: args.until } : {}),
      },
      'list the runs with `ls <results>/runs`',
    );
    io.stdout.write(args.json ? decisionFormat.stringify(decision) : renderDecisionText(decision));
    return ExitCode.ok;
  },
});

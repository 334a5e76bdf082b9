import { decideRuns } from '../decide-runs.ts';
import { decisionFormat } from '../../formats/decision.ts';
import { renderDecisionText } from '../../decision/render-text.ts';
import { ExitCode } from '../../formats/errors.ts';
import { selectResults } from '../results-store.ts';
import { defineCommand } from './command.ts';

/**
 * `npm run decide -- [--results results] [--config <file>] [--environment <name>] [--baseline <run-id>] [--until <ISO>] [--json]`:
 * reads one environment's runs of the results folder and the config (selectResults), calls the pure decision, prints it. Exit 0 whatever the
 * decision (a No-Go is an answer, not a failure); a bad folder, config or flag is a UserError.
 */
export const command = defineCommand({
  name: 'decide',
  describe: 'Go / Watch / No-Go over the last comparable runs, with the evidence',
  builder: (y) =>
    y
      .usage(
        'npm run decide -- [--results <folder>] [--config <file>] [--environment <name>] [--baseline <run-id>] [--until <time>] [--json]',
      )
      .option('results', {
        type: 'string',
        describe: "the results folder `npm run stages` wrote to (default results, or the demo's results/demo when only it has runs)",
      })
      .option('config', {
        type: 'string',
        describe: "capacity.config.json to use (default: the results folder's own, else the one in the current folder, else the defaults)",
      })
      .option('environment', {
        type: 'string',
        describe:
          "the environment whose runs are read, when the folder holds several (default: the config's, else the only one, else the newest run's)",
      })
      .option('baseline', { type: 'string', describe: 'the run others are compared with (default: the newest usable run)' })
      .option('until', { type: 'string', describe: 'ignore runs started after this ISO-8601 time (decide as of a past date)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the decision JSON (formats/decision.ts) instead of the table' })
      .example('npm run decide', 'decide over results/ with capacity.config.json')
      .example('npm run decide -- --baseline 2026-11-22T0301Z-ab12 --json', 'compare with a given run, as JSON'),
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

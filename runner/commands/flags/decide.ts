import { defineFlags } from '../command.ts';

/** `npm run decide`'s flags and help (the command itself: commands/decide.ts). */
export const flags = defineFlags({
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
});

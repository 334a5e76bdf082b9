import { defineFlags } from '../command.ts';

/** `npm run compare`'s flags and help (the command itself: commands/compare.ts). */
export const flags = defineFlags({
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
});

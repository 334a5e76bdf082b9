import { defineFlags } from '../command.ts';

/** The flags as parsed. */
export interface CollectArgs {
  csv?: string;
  run?: string;
  'key-name'?: string;
  json: boolean;
  users?: number;
  ramp?: string;
  hold?: string;
  config?: string;
}

/** `npm run collect`'s flags and help (the command itself: commands/collect.ts). */
export const flags = defineFlags<CollectArgs>({
  name: 'collect [csv]',
  describe: "statistics of a stage's k6 CSV, or recompute a run's stats and summary",
  builder: (y) =>
    y
      .usage(
        'npm run collect -- <stage.csv[.gz]> [--key-name search] [--json]\nnpm run collect -- --run <run folder> [--key-name search] [--json]',
      )
      .positional('csv', { type: 'string', describe: 'a k6 CSV (plain or gzip) written by `--out csv`' })
      .option('run', { type: 'string', describe: 'a run folder (results/runs/<id>): recompute its stage-*.stats.json and summary.json' })
      .option('key-name', { type: 'string', describe: "the key transaction's name tag (default: the run's, else the config's)" })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON (stage-stats, or the run summary) instead of a table' })
      .option('users', { type: 'number', describe: "one file: the stage's users (default: the largest `vus` sample)" })
      .option('ramp', { type: 'string', describe: 'one file: ramp-up to leave out, k6 syntax (default 0s)' })
      .option('hold', { type: 'string', describe: 'one file: hold length after the ramp, k6 syntax (default: to the last sample)' })
      .option('config', {
        type: 'string',
        describe: 'capacity.config.json to use (default: the one in the current folder, else the defaults)',
      })
      .check((a) => {
        if (a.csv !== undefined && a.run !== undefined) throw new Error('give either a CSV file or --run <folder>, not both');
        if (a.csv === undefined && a.run === undefined) throw new Error('expected a CSV file or --run <folder>');
        return true;
      })
      .example('npm run collect -- results/runs/2026-11-22T0301Z-ab12/stage-100.csv.gz', 'the figures of one stage')
      .example('npm run collect -- stage.csv --key-name search --json', 'as JSON, metrics in k6 summary-export keys')
      .example('npm run collect -- --run results/runs/2026-11-22T0301Z-ab12', "recompute a run's statistics") as never,
});

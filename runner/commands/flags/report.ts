import { defineFlags } from '../command.ts';

/** `npm run report`'s flags and help (the command itself: commands/report.ts). */
export const flags = defineFlags({
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
});

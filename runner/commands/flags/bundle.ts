import { defineFlags } from '../command.ts';
import { DIST_SCENARIOS_DIR } from '../../bundle.ts';

/** `npm run bundle`'s flags and help (the command itself: commands/bundle.ts). */
export const flags = defineFlags({
  // The positional is declared in the command string so that yargs' strict mode accepts it.
  name: 'bundle [scenarios..]',
  describe: 'bundle k6 scenarios with esbuild into one ES module each (default: every scenario under scenarios/ into dist/scenarios/)',
  builder: (y) =>
    y
      .usage('npm run bundle -- [scenario or script …] [--out-dir <dir>]')
      .positional('scenarios', {
        type: 'string',
        array: true,
        describe: 'names under scenarios/ or paths of your own k6 scripts (.ts/.js)',
      })
      .option('out-dir', {
        type: 'string',
        default: DIST_SCENARIOS_DIR,
        defaultDescription: 'dist/scenarios',
        describe: 'where <name>.js and its data files are written',
      })
      .example('npm run bundle', 'bundle every scenario under scenarios/ into dist/scenarios/')
      .example('npm run bundle -- ./my-test.ts --out-dir /tmp/k6', 'bundle your own k6 script'),
});

import { relative, resolve } from 'node:path';
import { defineCommand } from './command.ts';
import { DIST_SCENARIOS_DIR, bundleScenario, listScenarios, resolveScenario } from '../bundle.ts';
import { ExitCode, UserError } from '../../formats/errors.ts';

/** `npm run bundle -- [scenario|script …] [--out-dir dir]`: every built-in scenario by default. */
export const command = defineCommand({
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
  run: async (args, io) => {
    const given = (args.scenarios ?? []).map(String);
    const names = given.length > 0 ? given : await listScenarios();
    if (names.length === 0) throw new UserError('no scenario to bundle: scenarios/ holds no <name>.ts');
    const outDir = resolve(io.cwd, args['out-dir']);
    for (const nameOrPath of names) {
      const { entry } = await resolveScenario(nameOrPath, io.cwd, 'bundle <scenario or script>');
      const bundle = await bundleScenario(entry, outDir);
      io.stdout.write(`${bundle.name}: ${relative(io.cwd, bundle.path) || bundle.path}  sha256 ${bundle.sha256}\n`);
    }
    return ExitCode.ok;
  },
});

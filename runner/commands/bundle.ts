import { relative, resolve } from 'node:path';
import { defineCommand } from './command.ts';
import { flags } from './flags/bundle.ts';
import { bundleScenario, listScenarios, resolveScenario } from '../bundle.ts';
import { ExitCode, UserError } from '../../formats/errors.ts';

/** `npm run bundle -- [scenario|script …] [--out-dir dir]`: every built-in scenario by default. */
export const command = defineCommand({
  ...flags,
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

import { defineCommand } from './command.ts';
import { UserError } from '../errors.ts';

/** Placeholder until issue #2 lands: says so instead of pretending. */
export const command = defineCommand({
  name: 'bundle',
  describe: 'not implemented yet (issue #2)',
  builder: (y) => y,
  run: async () => {
    throw new UserError('"bundle" is not implemented yet (issue #2)');
  },
});

import { defineCommand } from './command.ts';
import { UserError } from '../errors.ts';

/** Placeholder until issue #7 lands: says so instead of pretending. */
export const command = defineCommand({
  name: 'notify',
  describe: 'not implemented yet (issue #7)',
  builder: (y) => y,
  run: async () => {
    throw new UserError('"notify" is not implemented yet (issue #7)');
  },
});

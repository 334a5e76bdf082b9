import { defineCommand } from './command.ts';
import { UserError } from '../errors.ts';

/** Placeholder until issue #3 lands: says so instead of pretending. */
export const command = defineCommand({
  name: 'demo',
  describe: 'not implemented yet (issue #3)',
  builder: (y) => y,
  run: async () => {
    throw new UserError('"demo" is not implemented yet (issue #3)');
  },
});

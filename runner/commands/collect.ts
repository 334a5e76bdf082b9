import { defineCommand } from './command.ts';
import { UserError } from '../errors.ts';

/** Placeholder until issue #4 lands: says so instead of pretending. */
export const command = defineCommand({
  name: 'collect',
  describe: 'not implemented yet (issue #4)',
  builder: (y) => y,
  run: async () => {
    throw new UserError('"collect" is not implemented yet (issue #4)');
  },
});

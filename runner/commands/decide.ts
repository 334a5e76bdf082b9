import { defineCommand } from './command.ts';
import { UserError } from '../errors.ts';

/** Placeholder until issue #5 lands: says so instead of pretending. */
export const command = defineCommand({
  name: 'decide',
  describe: 'not implemented yet (issue #5)',
  builder: (y) => y,
  run: async () => {
    throw new UserError('"decide" is not implemented yet (issue #5)');
  },
});

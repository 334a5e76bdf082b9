import { defineCommand } from './command.ts';
import { UserError } from '../errors.ts';

/** Placeholder until issue #6 lands: says so instead of pretending. */
export const command = defineCommand({
  name: 'report',
  describe: 'not implemented yet (issue #6)',
  builder: (y) => y,
  run: async () => {
    throw new UserError('"report" is not implemented yet (issue #6)');
  },
});

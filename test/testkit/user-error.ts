import { UserError } from '../../formats/errors.ts';

/** The UserError `fn` throws (to assert its message, hint and exit code); fails when it throws none or another error. */
export function userErrorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError, nothing was thrown');
}

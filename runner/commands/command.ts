import type { Argv } from 'yargs';
import type { Io } from '../io.ts';

/**
 * One subcommand of the CLI: its flags (a yargs builder) and a function from parsed options to
 * an exit code. Commands never call process.exit and never print errors themselves: they throw
 * UserError and main() prints it.
 */
export interface CommandDefinition<A = Record<string, unknown>> {
  readonly name: string;
  readonly describe: string;
  // biome-ignore lint/suspicious/noExplicitAny: each command builds its own yargs argument type
  readonly builder: (yargs: Argv) => Argv<any>;
  readonly run: (args: A, io: Io) => Promise<number>;
}

export function defineCommand<A>(definition: {
  name: string;
  describe: string;
  builder: (yargs: Argv) => Argv<A>;
  run: (args: A, io: Io) => Promise<number>;
}): CommandDefinition<A> {
  return definition;
}

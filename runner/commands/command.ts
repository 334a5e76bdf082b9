import type { Argv } from 'yargs';
import type { Io } from '../io.ts';

/**
 * A subcommand's flags and help (a yargs builder), in a module of its own under commands/flags/:
 * the CLI parses the command line and prints --help with it alone, and loads the command's
 * implementation only to run it (issue 15: `--help` and bad flags answer without loading zod,
 * the formats' schemas or the command's packages).
 */
export interface CommandFlags {
  readonly name: string;
  readonly describe: string;
  // biome-ignore lint/suspicious/noExplicitAny: each command builds its own yargs argument type
  readonly builder: (yargs: Argv) => Argv<any>;
}

/**
 * One subcommand of the CLI: its flags and a function from parsed options to an exit code.
 * Commands never call process.exit and never print errors themselves: they throw UserError and
 * main() prints it.
 */
export interface CommandDefinition<A = Record<string, unknown>> extends CommandFlags {
  readonly run: (args: A, io: Io) => Promise<number>;
}

interface TypedFlags<A> {
  name: string;
  describe: string;
  builder: (yargs: Argv) => Argv<A>;
}

/** Keeps the builder's argument type, which the command's run function is checked against. */
export function defineFlags<A>(flags: TypedFlags<A>): TypedFlags<A> {
  return flags;
}

export function defineCommand<A>(definition: TypedFlags<A> & { run: (args: A, io: Io) => Promise<number> }): CommandDefinition<A> {
  return definition;
}

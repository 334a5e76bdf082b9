import { pathToFileURL } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { COMMANDS } from './commands/index.ts';
import { ExitCode, UserError, errorLine, fsReason, isFsError, isUserError } from '../formats/errors.ts';
import { InterruptCounter } from './interrupts.ts';
import { processIo } from './io.ts';
import { sourceMappedStack } from './stack-trace.ts';

/**
 * The toolkit's command line: `tsx runner/cli.ts <command> [flags]` (the npm scripts call it).
 * The only place that prints errors and sets the process exit code.
 */
export async function main(argv: string[]): Promise<number> {
  const signals = listenForInterrupts();
  const name = argv[0];
  try {
    if (!name || name.startsWith('-') || !(name in COMMANDS)) return await topLevel(name);
    const entry = COMMANDS[name]!;
    const { flags } = await entry.flags();
    let code: number = ExitCode.ok;
    let help = '';
    await yargs(argv)
      .scriptName('npm run')
      .command(flags.name, flags.describe, flags.builder, async (args) => {
        const { command } = await entry.load();
        code = await command.run(args as never, signals.io);
      })
      .middleware((args) => {
        const nan = nanFlag(args, argv);
        if (nan) throw nan;
      })
      .strict()
      .exitProcess(false)
      // yargs calls this for its own usage errors (message only), for a builder's .check() that
      // threw (message and error: bad usage too) and for a handler that threw (error only).
      .fail((message: string | null | undefined, error: Error | undefined) => {
        if (isUserError(error) || !message) throw error ?? new UsageError('bad usage');
        // Some of yargs' messages span lines ("Invalid values:\n  Argument: …"): one line, as every error.
        throw new UsageError(message.replace(/:?\s*\n\s*/g, ': '));
      })
      .help()
      .version(false)
      // yargs' own wrapping cuts long words (paths, URLs) mid-word: it lays out unwrapped, wrapHelp wraps at spaces.
      .wrap(null)
      // With a parse callback yargs hands over the help text instead of printing it.
      .parseAsync(argv, {}, (_err: unknown, _args: unknown, output: string) => {
        help = output;
      });
    if (help) process.stdout.write(`${wrapHelp(help, helpWidth())}\n`);
    return code;
  } catch (e) {
    return reportFailure(e, name);
  } finally {
    signals.dispose();
  }
}

/** No command, a flag or an unknown one: the list of commands (exit 0 for --help, else usage). */
async function topLevel(name: string | undefined): Promise<number> {
  const top = yargs([]).scriptName('capacity').usage('$0 <command> [flags]');
  for (const [n, c] of Object.entries(COMMANDS)) top.command(n, c.describe);
  if (name && !name.startsWith('-')) {
    process.stderr.write(`error: unknown command "${name}"; expected one of ${Object.keys(COMMANDS).join(', ')}\n`);
    return ExitCode.usage;
  }
  process.stdout.write(`${wrapHelp(await top.wrap(null).getHelp(), helpWidth())}\n`);
  return name ? ExitCode.ok : ExitCode.usage;
}

/**
 * Ctrl-C (or SIGTERM) once stops the current stage cleanly, twice kills at once: the commands see
 * both as abort signals in their Io.
 */
function listenForInterrupts(): { io: ReturnType<typeof processIo>; dispose: () => void } {
  const interrupt = new AbortController();
  const kill = new AbortController();
  const interrupts = new InterruptCounter(() => Date.now());
  const onSigint = () => {
    const action = interrupts.receive();
    if (action === 'stop') {
      process.stderr.write('\ninterrupt: stopping the current stage cleanly (Ctrl-C again to kill at once)\n');
      interrupt.abort();
    } else if (action === 'kill') {
      process.stderr.write('\ninterrupt: killing at once\n');
      kill.abort();
      // Give the kill a moment to reach child processes, then leave whatever is still running.
      setTimeout(() => process.exit(ExitCode.interrupted), 200).unref();
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  return {
    io: processIo(interrupt.signal, kill.signal),
    dispose: () => {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    },
  };
}

/** Prints what went wrong in one line (a stack only for a bug) and returns the exit code. */
function reportFailure(e: unknown, name: string | undefined): number {
  if (e instanceof UsageError) {
    process.stderr.write(errorLine(e.message, `see npm run ${name} -- --help`));
    return ExitCode.usage;
  }
  if (isUserError(e)) {
    process.stderr.write(errorLine(e.message, e.hint));
    return e.exitCode;
  }
  if (isFsError(e)) {
    process.stderr.write(errorLine(`${e.path}: ${fsReason(e)}`));
    return ExitCode.usage;
  }
  process.stderr.write(`error: unexpected failure, this is a bug (node ${process.version}, ${process.platform}/${process.arch})\n`);
  process.stderr.write(`${sourceMappedStack((e as Error)?.stack ?? String(e))}\n`);
  return ExitCode.internal;
}

class UsageError extends Error {}

/**
 * yargs turns the text of a number option that is not a number into NaN, and the commands' own
 * checks would say "got NaN": name the flag and quote what was typed instead.
 */
function nanFlag(args: Record<string, unknown>, argv: readonly string[]): UserError | null {
  // yargs also keeps a camelCase copy of each dashed flag: the dashed one is what was typed.
  const key = Object.keys(args).find((k) => Number.isNaN(args[k]) && !/[A-Z]/.test(k));
  if (key === undefined) return null;
  const flag = `${key.length === 1 ? '-' : '--'}${key}`;
  const at = argv.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
  const typed = at < 0 ? '' : argv[at]!.startsWith(`${flag}=`) ? argv[at]!.slice(flag.length + 1) : (argv[at + 1] ?? '');
  return new UserError(`${flag}: expected a number, got "${typed}"`);
}

function helpWidth(): number {
  return Math.min(110, process.stdout.columns || 100);
}

/**
 * Wraps help text to `width` at spaces only: a path or URL longer than the room left stays whole.
 * The second column of a row is the text after its first run of two or more spaces (as yargs
 * lays out options and examples).
 */
export function wrapHelp(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => {
      if (line.length <= width) return line;
      const column = /^\s*\S+(?: \S+)*\s{2,}(?=\S)/.exec(line)?.[0].length ?? 0;
      const lead = /^\s*/.exec(line)![0].length;
      // Prose goes on at its own margin; a two-column row under its second column, or a little in when that is too far right.
      const indent = ' '.repeat(column === 0 ? lead : column <= width / 2 ? column : lead + 4);
      const out: string[] = [];
      let current = '';
      // Tokens keep their whitespace runs, so the two-column layout survives where a line does not break.
      for (const [, gap, word] of line.matchAll(/(\s*)(\S+)/g)) {
        if (current.trim() !== '' && current.length + gap!.length + word!.length > width) {
          out.push(current);
          current = indent + word;
        } else current += gap! + word;
      }
      out.push(current);
      return out.join('\n');
    })
    .join('\n');
}

/** The process' part: runs `argv` (after node and the script) and sets the exit code. */
export async function runAsMain(argv: readonly string[]): Promise<void> {
  process.exitCode = await main([...argv]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void runAsMain(hideBin(process.argv));

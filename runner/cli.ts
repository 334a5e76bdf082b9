import { pathToFileURL } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { COMMANDS } from './commands/index.ts';
import { ExitCode, errorLine, isUserError } from './errors.ts';
import { processIo } from './io.ts';

/**
 * The toolkit's command line: `tsx runner/cli.ts <command> [flags]` (the npm scripts call it).
 * The only place that prints errors and sets the process exit code.
 */
export async function main(argv: string[]): Promise<number> {
  const interrupt = new AbortController();
  const kill = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts === 1) {
      process.stderr.write('\ninterrupt: stopping the current stage cleanly (Ctrl-C again to kill at once)\n');
      interrupt.abort();
    } else {
      process.stderr.write('\ninterrupt: killing at once\n');
      kill.abort();
      // Give the kill a moment to reach child processes, then leave whatever is still running.
      setTimeout(() => process.exit(ExitCode.interrupted), 200).unref();
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const io = processIo(interrupt.signal, kill.signal);
  const name = argv[0];
  try {
    if (!name || name.startsWith('-') || !(name in COMMANDS)) {
      const top = yargs([]).scriptName('capacity').usage('$0 <command> [flags]');
      for (const [n, c] of Object.entries(COMMANDS)) top.command(n, c.describe);
      if (name && !name.startsWith('-')) {
        process.stderr.write(`error: unknown command "${name}"; expected one of ${Object.keys(COMMANDS).join(', ')}\n`);
        return ExitCode.usage;
      }
      process.stdout.write(`${await top.getHelp()}\n`);
      return name ? ExitCode.ok : ExitCode.usage;
    }
    const { command } = await COMMANDS[name]!.load();
    let code: number = ExitCode.ok;
    await yargs(argv)
      .scriptName('npm run')
      .command(command.name, command.describe, command.builder, async (args) => {
        code = await command.run(args as never, io);
      })
      .strict()
      .exitProcess(false)
      .fail((message: string | undefined, error: Error | undefined) => {
        throw error ?? new UsageError(message ?? 'bad usage');
      })
      .help()
      .version(false)
      .wrap(Math.min(110, process.stdout.columns ?? 100))
      .parseAsync();
    return code;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(errorLine(e.message, `see npm run ${name} -- --help`));
      return ExitCode.usage;
    }
    if (isUserError(e)) {
      process.stderr.write(errorLine(e.message, e.hint));
      return e.exitCode;
    }
    process.stderr.write(`error: unexpected failure, this is a bug (node ${process.version}, ${process.platform}/${process.arch})\n`);
    process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
    return ExitCode.internal;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

class UsageError extends Error {}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(hideBin(process.argv)).then((code) => {
    process.exitCode = code;
  });
}

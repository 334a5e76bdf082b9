/**
 * `npm run k6 -- run [flags] <script.js>` and `npm run k6 -- version`: the embedded engine as a
 * k6-compatible command line (same flags, outputs and exit codes as `k6 run`).
 */
import { K6ExitCode } from '../k6/exit-codes.ts';
import { UsageError, parseRunArgs } from './config.ts';
import { ENGINE_VERSION, runK6 } from './engine.ts';
import { logLine } from './logfmt.ts';

export function versionLine(): string {
  return `k6-embedded v${ENGINE_VERSION} (node ${process.version}, k6 v0.48 compatible)`;
}

const USAGE = 'usage: k6 run [flags] <script.js> | k6 version';

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === 'version' || cmd === '--version') {
    process.stdout.write(`${versionLine()}\n`);
    return 0;
  }
  if (cmd !== 'run') {
    process.stderr.write(logLine('error', cmd ? `unknown command "${cmd}" for "k6" (${USAGE})` : USAGE));
    return K6ExitCode.badUsage;
  }
  let flags;
  try {
    flags = parseRunArgs(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(logLine('error', e.message));
      return K6ExitCode.badUsage;
    }
    throw e;
  }
  const ctl = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(logLine('warning', 'Stopping the test (Ctrl-C again to exit at once, outputs may then be incomplete)'));
      ctl.abort();
    } else process.exit(K6ExitCode.externalAbort);
  });
  process.on('SIGTERM', () => ctl.abort());
  return runK6(flags, { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr, signal: ctl.signal });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Workers and sockets are closed by runK6; exit now so a stray handle cannot keep us alive.
    process.stdout.write('', () => process.exit(code));
  },
  (e: unknown) => {
    process.stderr.write(`k6-embedded: internal error (a bug): ${e instanceof Error ? e.stack : String(e)}\n${versionLine()}\n`);
    process.exit(K6ExitCode.genericEngine);
  },
);

/**
 * `npm run k6 -- run [flags] <script.js>`, `k6 version`, `k6 help`: the embedded engine as a
 * k6-compatible command line (same flags, outputs and exit codes as `k6 run`).
 */
import { pathToFileURL } from 'node:url';
import { K6ExitCode } from '../formats/k6/exit-codes.ts';
import { UsageError, parseRunArgs, type RunFlags } from './flags.ts';
import { ENGINE_VERSION } from './banner.ts';
import { runK6 } from './engine.ts';
import { COMMANDS_NOT_SUPPORTED, rootHelp, runHelp, versionHelp } from './help.ts';
import { logLine } from './logfmt.ts';

export function versionLine(): string {
  return `k6-embedded v${ENGINE_VERSION} (node ${process.version}, k6 v0.48 compatible)`;
}

/** What the command line asks for: a test to run, or an answer printed at once (help, version, bad usage). */
export type CommandLine = { run: RunFlags } | { code: number; stdout?: string; stderr?: string };

const HELP: Readonly<Record<string, () => string>> = { run: runHelp, version: versionHelp, help: rootHelp };
const isHelpFlag = (a: string) => a === '--help' || a === '-h';

function badUsage(message: string): CommandLine {
  return { code: K6ExitCode.badUsage, stderr: logLine('error', message) };
}

function unknownCommand(cmd: string): CommandLine {
  if ((COMMANDS_NOT_SUPPORTED as readonly string[]).includes(cmd))
    return badUsage(`command "${cmd}" is not supported by the embedded engine (it has run, version and help): use a real k6 for it`);
  return badUsage(`unknown command "${cmd}" for "k6" (commands: run, version, help)`);
}

/** Reads argv (after `k6`) as k6's cobra command line does. Pure. */
export function readCommandLine(argv: readonly string[]): CommandLine {
  const [cmd, ...rest] = argv;
  // Like cobra: no command, or only --help, is the root's help; `k6 help <command>` that command's.
  if (cmd === undefined || isHelpFlag(cmd)) return { code: K6ExitCode.ok, stdout: rootHelp() };
  if (cmd === '--version') return { code: K6ExitCode.ok, stdout: `${versionLine()}\n` };
  if (cmd === 'help') {
    const topic = rest.find((a) => !a.startsWith('-'));
    if (topic === undefined) return { code: K6ExitCode.ok, stdout: rootHelp() };
    const help = HELP[topic];
    return help ? { code: K6ExitCode.ok, stdout: help() } : unknownCommand(topic);
  }
  if (cmd.startsWith('-')) return badUsage(`unknown flag: ${cmd} (k6 [command] --help lists the flags)`);
  if (!(cmd in HELP)) return unknownCommand(cmd);
  if (rest.some(isHelpFlag)) return { code: K6ExitCode.ok, stdout: HELP[cmd]!() };
  if (cmd === 'version')
    return rest.length ? badUsage(`unknown flag: ${rest[0]} for "k6 version"`) : { code: K6ExitCode.ok, stdout: `${versionLine()}\n` };
  try {
    return { run: parseRunArgs(rest) };
  } catch (e) {
    if (e instanceof UsageError) return badUsage(e.message);
    throw e;
  }
}

async function main(argv: string[]): Promise<number> {
  const line = readCommandLine(argv);
  if (!('run' in line)) {
    if (line.stdout) process.stdout.write(line.stdout);
    if (line.stderr) process.stderr.write(line.stderr);
    return line.code;
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
  return runK6(line.run, { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr, signal: ctl.signal });
}

/** The process' part: runs `argv`, then exits with k6's code once the output is flushed. */
export function runAsMain(argv: readonly string[]): Promise<void> {
  return main([...argv]).then(
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
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void runAsMain(process.argv.slice(2));

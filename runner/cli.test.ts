import yargs from 'yargs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './cli.ts';
import { ExitCode } from '../formats/errors.ts';
import { command as stages } from './commands/stages.ts';

/** Runs the real CLI in-process, dry-run only (no load), and returns what it wrote to stderr. */
async function run(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const code = await main(argv);
  return { code, stderr };
}

describe('npm run stages: flag values the way they were typed', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    // yargs reads a leading "-" as a flag ("Unknown argument: 1") unless the option takes the next token.
    [['--users', '-1,2'], 'error: --users: expected a comma-separated list of positive integers like 5,20,50, got "-1,2"'],
    [['--duration', '-5s'], 'error: --duration: expected a duration like 90s, 10m or 1h30m, got "-5s"'],
    // A number option would say "got NaN": the text is quoted instead.
    [['--users', '2,4', '--target-stage', 'abc'], 'error: --target-stage: expected one of the stages (2, 4), got "abc"'],
    [['--spawn-rate', 'fast'], 'error: --spawn-rate: expected users per second above 0, e.g. 5, got "fast"'],
  ])('%j → one line naming the flag and quoting the value', async (flags, message) => {
    const { code, stderr } = await run(['stages', '--host', 'http://127.0.0.1:1', ...flags, '--dry-run']);
    expect(code).toBe(ExitCode.usage);
    expect(stderr.split('\n')[0]).toBe(message);
  });
});

describe('npm run stages -- --help', () => {
  it('shows every flag in at least one example', async () => {
    const help = await stages.builder(yargs([]).scriptName('npm run')).getHelp();
    const [options, examples] = help.split(/^Examples:$/m);
    const flags = [...new Set([...options!.matchAll(/^\s+--([a-z-]+)/gm)].map((m) => m[1]!))].filter(
      (f) => f !== 'help' && f !== 'version',
    );
    expect(flags.length).toBeGreaterThan(10);
    // A boolean that defaults to true is shown by its negation (--no-preflight).
    expect(flags.filter((f) => !new RegExp(`--(no-)?${f}\\b(?!-)`).test(examples!))).toEqual([]);
  });
});

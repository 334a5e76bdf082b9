import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import yargs from 'yargs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { spawnCli } from '../test/testkit/e2e.ts';
import { runCli } from '../test/testkit/cli-in-process.ts';
import { useTempDir } from '../test/testkit/temp-dir.ts';
import { main, wrapHelp } from './cli.ts';
import { COMMANDS } from './commands/index.ts';
import { ExitCode, fsReason } from '../formats/errors.ts';

/** The real CLI in-process; `{dir}` in an argument is a fresh temp folder holding `file` (a plain file) and `bad.json`. */
function run(argv: string[], dir: string): ReturnType<typeof runCli> {
  return runCli(argv.map((a) => a.replaceAll('{dir}', dir)));
}

const BAD_CONFIG = { duration: 5, users: [5], criteria: { p95Ms: { green: 'fast' } } };

describe('the CLI at its edges: what a user can type', () => {
  const dir = useTempDir('cli-edges-');
  beforeEach(async () => {
    await writeFile(join(dir(), 'file'), 'not a folder');
    await writeFile(join(dir(), 'bad.json'), JSON.stringify(BAD_CONFIG));
    await mkdir(join(dir(), 'empty'));
  });
  afterEach(() => vi.restoreAllMocks());

  it.each<[string, string[], number, RegExp[]]>([
    // Each command answers --help on stdout, exit 0, its usage first.
    ...Object.keys(COMMANDS).map((name): [string, string[], number, RegExp[]] => [`${name} --help`, [name, '--help'], ExitCode.ok, []]),
    ['no command', [], ExitCode.usage, []],
    ['an unknown command', ['deploy'], ExitCode.usage, [/^error: unknown command "deploy"; expected one of stages, /]],
    [
      'collect with no arguments',
      ['collect'],
      ExitCode.usage,
      [/^error: expected a CSV file or --run <folder> — see npm run collect -- --help$/],
    ],
    [
      'collect with a file and --run',
      ['collect', 'a.csv', '--run', 'r'],
      ExitCode.usage,
      [/^error: give either a CSV file or --run <folder>, not both/],
    ],
    ['an unknown flag', ['decide', '--bogus'], ExitCode.usage, [/^error: Unknown argument: bogus — see npm run decide -- --help$/]],
    [
      'a number flag given words',
      ['notify', '--dry-run', '--failures', 'abc', '--results', '{dir}/empty'],
      ExitCode.usage,
      [/^error: --failures: expected a number, got "abc"$/],
    ],
    [
      'a number flag given words, with =',
      ['demo-target', '--port=eighty'],
      ExitCode.usage,
      [/^error: --port: expected a number, got "eighty"$/],
    ],
    [
      'a value not among the choices',
      ['demo-target', '--preset', 'nope'],
      ExitCode.usage,
      [/^error: Invalid values: Argument: preset, Given: "nope", Choices: "default", .* — see npm run demo-target -- --help$/],
    ],
    ['collect on a missing file', ['collect', '{dir}/none.csv'], ExitCode.usage, [/^error: \S+none\.csv: cannot read: it does not exist$/]],
    ['collect on a folder', ['collect', '{dir}/empty'], ExitCode.usage, [/^error: \S+empty: cannot read: it is a folder, not a file$/]],
    // Every problem of the config on its own line, the hint (naming files that exist) once at the end.
    [
      'a config with three problems',
      ['decide', '--config', '{dir}/bad.json', '--results', '{dir}/empty'],
      ExitCode.usage,
      [
        /^error: \S+bad\.json: duration: expected string \(got 5\)$/,
        /^error: \S+bad\.json: criteria\.p95Ms\.green: expected number \(got "fast"\)$/,
        /^error: \S+bad\.json: users: unknown key; expected one of environment, .* — every key is optional; .* docs\/spec\.md.* docs\/config\.md$/,
      ],
    ],
    [
      'a missing config',
      ['decide', '--config', '{dir}/none.json'],
      ExitCode.usage,
      [/^error: \S+none\.json: cannot read the config file: it does not exist — /],
    ],
    [
      '--results naming a file (stages)',
      ['stages', '--host', 'http://127.0.0.1:1', '--engine', 'embedded', '--users', '2', '--duration', '1s', '--results', '{dir}/file'],
      ExitCode.usage,
      [/^error: --results: cannot write to \S+file: a file of that name is in the way — /],
    ],
    [
      '--results naming a file (decide)',
      ['decide', '--results', '{dir}/file'],
      ExitCode.usage,
      [/^error: \S+file: is not a folder; expected a results folder — /],
    ],
    [
      '--results naming a file (demo)',
      ['demo', '--results', '{dir}/file'],
      ExitCode.usage,
      [/^error: \S+file: a file of that name is in the way$/],
    ],
  ])('%s', async (_what, argv, code, stderrLines) => {
    const out = await run(argv, dir());
    expect(out.code).toBe(code);
    // Never a stack trace nor "this is a bug" for what a user can type; no errno code either.
    expect(out.stderr).not.toMatch(/^\s+at |this is a bug|\bE[A-Z]{3,}\b/m);
    const lines = out.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(stderrLines.length);
    lines.forEach((line, i) => expect(line).toMatch(stderrLines[i]!));
    if (argv.includes('--help')) expect(out.stdout).toMatch(new RegExp(`^npm run ${argv[0]} -- .*\\n[^]*\\nOptions:\\n`));
  });

  it('no command prints the list of commands', async () => {
    const { stdout } = await run([], dir());
    for (const name of Object.keys(COMMANDS)) expect(stdout).toContain(`capacity ${name}`);
  });
});

describe('npm run collect with no argument, as a real process', () => {
  it('prints one usage line and exits 2', async () => {
    const cli = spawnCli('collect', []);
    expect(await cli.exited).toBe(ExitCode.usage);
    expect(cli.stderr()).toBe('error: expected a CSV file or --run <folder> — see npm run collect -- --help\n');
    expect(cli.stdout()).toBe('');
  });
});

describe('--help is wrapped at spaces only', () => {
  it.each([
    ['a short line stays', 'abc def', 10, 'abc def'],
    ['prose goes on at its margin', '  one two three four', 12, '  one two\n  three four'],
    [
      'an option row goes on under its description',
      '  --flag  one two three four five',
      20,
      '  --flag  one two\n          three four\n          five',
    ],
    [
      'a word longer than the width stays whole',
      'see https://example.com/a/long/path now',
      12,
      'see\nhttps://example.com/a/long/path\nnow',
    ],
    [
      'a description column far right: a little in',
      '  npm run x -- --a --b      does it',
      20,
      '  npm run x -- --a\n      --b      does\n      it',
    ],
  ])('%s', (_what, text, width, expected) => {
    expect(wrapHelp(text, width)).toBe(expected);
  });

  it.each(Object.keys(COMMANDS))(
    '%s --help: the words of the unwrapped help, lines within the width unless one word is longer',
    async (name) => {
      let stdout = '';
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
      try {
        await main([name, '--help']);
      } finally {
        vi.restoreAllMocks();
      }
      const { command } = await COMMANDS[name]!.load();
      let unwrapped = '';
      await yargs([])
        .scriptName('npm run')
        .command(command.name, command.describe, command.builder)
        .version(false)
        .wrap(null)
        .parseAsync([name, '--help'], {}, (_e: unknown, _a: unknown, output: string) => {
          unwrapped = output;
        });
      // Only whitespace changed: no path or URL was cut in two.
      expect(stdout.split(/\s+/).filter(Boolean)).toEqual(unwrapped.split(/\s+/).filter(Boolean));
      for (const line of stdout.split('\n')) if (line.length > 100) expect(line.trim()).not.toContain(' ');
    },
  );

  it.each(Object.keys(COMMANDS))('%s: the flags the CLI parses with (loaded without the command) are the command’s own', async (name) => {
    const [{ flags }, { command }] = await Promise.all([COMMANDS[name]!.flags(), COMMANDS[name]!.load()]);
    expect(command.name).toBe(flags.name);
    expect(command.describe).toBe(flags.describe);
    expect(command.builder).toBe(flags.builder);
  });
});

describe('fsReason', () => {
  it.each([
    ['EEXIST', 'a file of that name is in the way'],
    ['ENOENT', 'it does not exist'],
    ['EACCES', 'permission denied'],
    ['EISDIR', 'it is a folder, not a file'],
    ['ENOTDIR', 'a part of the path is a file, not a folder'],
  ])('%s → %s', (code, words) => {
    expect(fsReason(Object.assign(new Error(`${code}: x`), { code }))).toBe(words);
  });

  it('keeps the message of a code it does not know', () => {
    expect(fsReason(Object.assign(new Error('EWHAT: odd'), { code: 'EWHAT' }))).toBe('EWHAT: odd');
  });
});

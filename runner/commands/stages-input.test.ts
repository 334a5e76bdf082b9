import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../formats/errors.ts';
import { runCli } from '../../test/testkit/cli-in-process.ts';
import { useTempDir } from '../../test/testkit/temp-dir.ts';
import { DEMO_PRESETS, type DemoTarget, startDemoTarget } from '../demo-target/server.ts';

/**
 * `npm run stages` refuses bad input before any load: one line, exit 2, no output, no run
 * folder, no request to the target. The real CLI in-process (test/e2e/stages.e2e.test.ts proves
 * the same as a real process once).
 */

const tmp = useTempDir('stages-input-', 'all');

describe('bad input: one line on stderr and exit 2 before any load, no run folder', () => {
  let demo: DemoTarget;
  let noK6Path: string;
  let aFile: string;
  beforeAll(async () => {
    demo = await startDemoTarget(DEMO_PRESETS.healthy);
    noK6Path = join(tmp(), 'empty-bin');
    await mkdir(noK6Path, { recursive: true });
    aFile = join(tmp(), 'a-regular-file');
    await writeFile(aFile, 'not a folder\n');
  });
  afterAll(async () => {
    await demo.close();
  });

  const withoutK6 = (extra: Record<string, string>): Record<string, string | undefined> => ({ K6_BIN: undefined, ...extra });

  // [what, flags replacing the good ones, expected message, env]
  const cases: ReadonlyArray<
    [string, Record<string, string>, RegExp, ((ctx: { noK6Path: string }) => Record<string, string | undefined>)?]
  > = [
    ['a host that is not http(s)', { host: 'ftp://127.0.0.1:21' }, /^error: --host: expected an http or https URL, got the scheme "ftp:"$/],
    [
      'a host that is not a URL',
      { host: 'app.example.com' },
      /^error: --host: expected an http\(s\) URL like https:\/\/app\.example\.com, got "app\.example\.com"$/,
    ],
    [
      'a host URL with credentials that does not parse',
      { host: 'http://alice:S3cr3t-bad@127.0.0.1:99999' },
      /^error: --host: expected an http\(s\) URL .*, got "http:\/\/\*\*\*@127\.0\.0\.1:99999"$/,
    ],
    [
      'an unknown scenario',
      { scenario: 'no-such-scenario' },
      /^error: --scenario: unknown scenario "no-such-scenario"; expected one of search, session or the path of a k6 script/,
    ],
    ['a decreasing user list', { users: '4,2' }, /^error: --users: expected increasing user levels, got 4 then 2$/],
    ['a repeated user level', { users: '2,2' }, /^error: --users: expected increasing user levels, got 2 then 2$/],
    ['zero users', { users: '0,2' }, /^error: --users: expected positive integers, got 0$/],
    [
      'a user level that is not an integer',
      { users: '2,2.5' },
      /^error: --users: expected a comma-separated list of positive integers like 5,20,50, got "2,2\.5"$/,
    ],
    ['a target stage not in the list', { 'target-stage': '3' }, /^error: --target-stage: expected one of the stages \(2, 4\), got 3$/],
    [
      'a duration k6 cannot read',
      { duration: '10 minutes' },
      /^error: --duration: expected a duration like 90s, 10m or 1h30m, got "10 minutes"$/,
    ],
    ['a zero duration', { duration: '0s' }, /^error: --duration: expected a hold above 0, got 0 ms$/],
    ['a zero spawn rate', { 'spawn-rate': '0' }, /^error: --spawn-rate: expected users per second above 0, got 0$/],
    [
      '--engine k6 with K6_BIN pointing nowhere',
      { engine: 'k6' },
      /^error: --engine k6: K6_BIN=\/nonexistent\/k6 is not an executable file$/,
      () => withoutK6({ K6_BIN: '/nonexistent/k6' }),
    ],
    [
      '--engine k6 without k6 on PATH',
      { engine: 'k6' },
      /^error: --engine k6: no k6 binary on PATH \(set K6_BIN or install k6\)$/,
      (ctx) => withoutK6({ PATH: ctx.noK6Path }),
    ],
    [
      'a results folder under a regular file',
      { results: 'UNDER_A_FILE' },
      /^error: --results: cannot write to .*a-regular-file\/results: a part of the path is a file, not a folder$/,
    ],
  ];

  it.each(cases)(
    '%s',
    async (_what, flags, message, env) => {
      const results = flags.results === 'UNDER_A_FILE' ? join(aFile, 'results') : join(tmp(), `bad-${Math.random().toString(36).slice(2)}`);
      const good: Record<string, string> = { host: demo.url, users: '2,4', duration: '3s', 'spawn-rate': '10', engine: 'embedded' };
      const args = Object.entries({ ...good, ...flags, results }).flatMap(([k, v]) => [`--${k}`, v]);
      const cli = await runCli(['stages', ...args], env?.({ noK6Path }));
      const err = cli.stderr.split('\n').filter((l) => l !== '');
      expect(cli.code, cli.stderr).toBe(ExitCode.usage);
      // One line saying what is wrong (a hint, if any, after a dash at its end).
      expect(err, cli.stderr).toHaveLength(1);
      expect(err[0]).toMatch(new RegExp(message.source.replace(/\$$/, '(?: — .*)?$')));
      expect(cli.stderr).not.toContain('S3cr3t');
      // Nothing started: no output, no results folder, no request to the target.
      expect(cli.stdout).toBe('');
      if (flags.results === undefined) expect(existsSync(results)).toBe(false);
      expect(demo.stats().received).toBe(0);
    },
    60_000,
  );
});

describe('environments: a bad --environment or an unset variable is one line, exit 2, before any load', () => {
  let demo: DemoTarget;
  let config: string;
  let leaky: string;
  beforeAll(async () => {
    demo = await startDemoTarget(DEMO_PRESETS.healthy);
    config = join(tmp(), 'envs.config.json');
    await writeFile(
      config,
      JSON.stringify({
        environments: [
          { name: 'current', host: demo.url },
          { name: 'candidate', host: '${CAND_HOST}', overrides: { headers: { Authorization: 'Bearer ${CAND_TOKEN}' } } },
        ],
      }),
    );
    leaky = join(tmp(), 'leaky.config.json');
    await writeFile(leaky, JSON.stringify({ environments: [{ name: 'c', host: 'https://bob:S3cr3t@example.com' }] }));
  });
  afterAll(async () => {
    await demo.close();
  });

  it.each([
    [['--environment', 'prod'], {}, /^error: --environment: unknown environment "prod"; the config names current, candidate \(or all\)$/],
    [
      ['--environment', 'candidate'],
      { CAND_TOKEN: 't' },
      /^error: environments\.candidate\.host: the environment variable CAND_HOST is not set; export it before the run \(docs\/config\.md\)$/,
    ],
    // Every environment's variables are read before the first one runs.
    [
      ['--environment', 'all'],
      { CAND_HOST: 'http://127.0.0.1:1' },
      /^error: environments\.candidate\.overrides\.headers\.Authorization: the environment variable CAND_TOKEN is not set/,
    ],
    [
      ['--environment', 'candidate'],
      { CAND_HOST: 'ftp://127.0.0.1', CAND_TOKEN: 't' },
      /^error: environments\.candidate\.host: expected an http or https URL, got the scheme "ftp:"$/,
    ],
    [['--environment', 'all', '--host', 'http://127.0.0.1:1'], {}, /^error: --host: not with several environments \(current, candidate\)/],
    [['--environment', 'all', '--environment', 'current'], {}, /^error: --environment all: give it alone/],
    [['--environment', 'current', '--demo'], {}, /^error: --environment and --demo: give one or the other/],
    [['LEAKY', '--environment', 'c'], {}, /environments\.0\.host: credentials written in the file/],
  ] as Array<[string[], Record<string, string>, RegExp]>)('%j', async (flags, env, message) => {
    const results = join(tmp(), `envs-${Math.random().toString(36).slice(2)}`);
    const file = flags[0] === 'LEAKY' ? leaky : config;
    const rest = flags[0] === 'LEAKY' ? flags.slice(1) : flags;
    const args = ['--config', file, ...rest, '--users', '2', '--duration', '3s', '--engine', 'embedded', '--results', results];
    const cli = await runCli(['stages', ...args], { CAND_HOST: undefined, CAND_TOKEN: undefined, ...env });
    expect(cli.code, cli.stderr).toBe(ExitCode.usage);
    const err = cli.stderr.split('\n').filter((l) => l !== '');
    expect(err, cli.stderr).toHaveLength(1);
    expect(err[0]).toMatch(new RegExp(message.source.replace(/\$$/, '(?: — .*)?$')));
    expect(cli.stderr).not.toContain('S3cr3t');
    expect(cli.stdout).toBe('');
    expect(existsSync(results)).toBe(false);
    expect(demo.stats().received).toBe(0);
  });

  it('--dry-run says the environments and their order, and sends nothing', async () => {
    const cli = await runCli(['stages', '--config', config, '--environment', 'candidate', '--environment', 'current', '--dry-run'], {
      CAND_HOST: 'http://127.0.0.1:1',
      CAND_TOKEN: 't',
    });
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('environments, one after another: candidate, current\n');
    expect(demo.stats().received).toBe(0);
  });
});

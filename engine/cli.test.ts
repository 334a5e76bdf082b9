import { describe, expect, it } from 'vitest';
import { K6ExitCode } from '../formats/k6/exit-codes.ts';
import { readCommandLine, versionLine } from './cli.ts';
import { parseRunArgs } from './flags.ts';
import { RUN_FLAGS, rootHelp, runHelp, versionHelp } from './help.ts';

/** What the embedded `k6` answers without running a test, as k6's cobra command line would. */
describe('k6 command line: help, version, bad usage', () => {
  const ROOT = rootHelp();
  const RUN = runHelp();
  it.each<[string[], number, string | null, RegExp | null]>([
    [[], K6ExitCode.ok, ROOT, null],
    [['--help'], K6ExitCode.ok, ROOT, null],
    [['-h'], K6ExitCode.ok, ROOT, null],
    [['help'], K6ExitCode.ok, ROOT, null],
    [['help', 'run'], K6ExitCode.ok, RUN, null],
    [['run', '--help'], K6ExitCode.ok, RUN, null],
    [['run', '-u', '5', 'script.js', '-h'], K6ExitCode.ok, RUN, null],
    [['help', 'version'], K6ExitCode.ok, versionHelp(), null],
    [['version'], K6ExitCode.ok, `${versionLine()}\n`, null],
    [['--version'], K6ExitCode.ok, `${versionLine()}\n`, null],
    [['bogus'], K6ExitCode.badUsage, null, /msg="unknown command \\"bogus\\" for \\"k6\\" \(commands: run, version, help\)"/],
    [['help', 'bogus'], K6ExitCode.badUsage, null, /unknown command \\"bogus\\"/],
    [
      ['cloud', 'script.js'],
      K6ExitCode.badUsage,
      null,
      /command \\"cloud\\" is not supported by the embedded engine .*: use a real k6 for it/,
    ],
    [['--bogus'], K6ExitCode.badUsage, null, /msg="unknown flag: --bogus/],
    [['version', '--short'], K6ExitCode.badUsage, null, /unknown flag: --short for \\"k6 version\\"/],
    [['run'], K6ExitCode.badUsage, null, /accepts 1 arg\(s\), received 0/],
    [['run', '--bogus', 'script.js'], K6ExitCode.badUsage, null, /msg="unknown flag: --bogus"/],
    [
      ['run', '--paused', 'script.js'],
      K6ExitCode.badUsage,
      null,
      /flag --paused is not supported by the embedded engine: use a real k6 for it/,
    ],
    [
      ['run', '--user-agent', 'me', 'script.js'],
      K6ExitCode.badUsage,
      null,
      /flag --user-agent is not supported .*: set the option userAgent in the script's options instead/,
    ],
  ])('%j → exit %i', (argv, code, stdout, stderr) => {
    const line = readCommandLine(argv);
    expect('run' in line).toBe(false);
    if ('run' in line) return;
    expect(line.code).toBe(code);
    expect(line.stdout ?? null).toBe(stdout);
    if (stderr) {
      expect(line.stderr!.split('\n').filter(Boolean)).toHaveLength(1);
      expect(line.stderr).toMatch(/^time="[^"]+" level=error msg=/);
      expect(line.stderr).toMatch(stderr);
    } else expect(line.stderr).toBeUndefined();
  });

  it('reads a run as parseRunArgs does', () => {
    expect(readCommandLine(['run', '-u', '2', 'script.js'])).toEqual({ run: parseRunArgs(['-u', '2', 'script.js']) });
  });

  // The run help lists exactly flags the parser reads: each one, with a value of its kind, parses.
  const SAMPLE: Record<string, string> = {
    int: '2',
    duration: '5s',
    stage: '5s:2',
    'VAR=value': 'A=b',
    'csv=<file>': 'csv=o.csv',
    string: 'ms',
    stats: 'avg,p(95)',
    tags: 'status',
  };
  it.each(RUN_FLAGS.filter((f) => f.long !== 'help'))('--$long is listed in `k6 run --help` and read by the parser', (flag) => {
    const forms = [`--${flag.long}`, ...(flag.short ? [`-${flag.short}`] : [])];
    expect(RUN).toContain(forms.length > 1 ? `-${flag.short}, --${flag.long}` : `--${flag.long}`);
    for (const form of forms) expect(() => parseRunArgs([form, ...(flag.arg ? [SAMPLE[flag.arg]!] : []), 'script.js'])).not.toThrow();
  });
});

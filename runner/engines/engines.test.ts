import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopbackServer, startLoopbackServer } from '../../test/testkit/loopback.ts';
import { K6_VERSION_LINES, writeK6StandIn } from '../../test/testkit/k6-stand-in.ts';
import { checkK6, resolveEngine } from './index.ts';
import { K6_RUN_OPTIONS, OLDEST_K6, compareK6Versions, k6Option, parseK6Version, unsupportedK6, type K6Version } from './k6-version.ts';
import { k6RunArgs } from './process-engine.ts';
import { CSV_COLUMNS } from '../../formats/k6/csv.ts';
import { UserError } from '../../formats/errors.ts';

const v = (text: string): K6Version => parseK6Version(`k6 v${text}`)!;

describe('k6 version', () => {
  it.each([
    [K6_VERSION_LINES.v0_48, { major: 0, minor: 48, patch: 0 }],
    [K6_VERSION_LINES.v1, { major: 1, minor: 3, patch: 0 }],
    [K6_VERSION_LINES.v2, { major: 2, minor: 0, patch: 0 }],
    ['k6 v0.48.0-rc1 (go1.21.4, darwin/arm64)', { major: 0, minor: 48, patch: 0 }],
    ['k6 v10.20.30', { major: 10, minor: 20, patch: 30 }],
    ['k6 (devel)\n  github.com/x/xk6-y v1.2.3, k6/x/y [js]', undefined],
    ['k6 v1.2 (go1.22)', undefined],
    ['', undefined],
  ])('parseK6Version(%j): the first v<major>.<minor>.<patch> of the first line', (text, version) => {
    expect(parseK6Version(text)).toEqual(version);
  });

  it.each([
    ['0.47.9', /^older than v0\.48\.0, the oldest the toolkit supports$/],
    ['0.48.0', undefined],
    ['0.59.0', undefined],
    ['1.0.0', undefined],
    ['2.3.1', undefined],
    ['3.0.0', /^newer than the toolkit knows \(v0\.48\.0 to v2\.x\)/],
  ])('k6 v%s: supported unless %s', (text, why) => {
    const found = unsupportedK6(v(text));
    if (why) expect(found).toMatch(why);
    else expect(found).toBeUndefined();
  });

  it('compares by major, minor, patch', () => {
    expect(compareK6Versions(v('0.48.0'), v('0.47.10'))).toBeGreaterThan(0);
    expect(compareK6Versions(v('1.0.0'), v('0.59.0'))).toBeGreaterThan(0);
    expect(compareK6Versions(v('2.0.0'), v('2.0.0'))).toBe(0);
    expect(compareK6Versions(v('0.48.1'), v('0.48.2'))).toBeLessThan(0);
  });
});

/** What a stage passes, the same on every engine. */
const SPEC = {
  scriptPath: '/b/search.js',
  env: { HOST: 'http://h', USERS: '50' },
  stages: [
    { durationMs: 10_000, target: 50 },
    { durationMs: 600_000, target: 50 },
  ],
  csvOutputs: ['/r/stage-50.csv.gz', '/r/.live'],
  summaryExportPath: '/r/stage-50.summary.json',
  logPath: '/r/stage-50.log',
  csvTimeFormat: 'unix_milli' as const,
  signal: new AbortController().signal,
};

describe('the k6 flags the runner passes (both engines), per supported release line', () => {
  // Neither is ever passed: --no-summary is gone in v2.0.0, and both switch off --summary-export.
  const NEVER = ['--no-summary', '--summary-mode'];

  it.each([
    ['v0.48 to v0.x', ['0.48.0', '0.52.0', '0.59.0']],
    ['v1.x', ['1.0.0', '1.3.0', '1.8.1']],
    ['v2.x', ['2.0.0', '2.3.0', '2.99.99']],
  ])('%s: every flag from the table, --summary-export kept, no summary switch', (_range, versions) => {
    for (const text of versions) {
      const args = k6RunArgs(SPEC, v(text));
      expect(args).toEqual([
        'run',
        '--no-color',
        '--quiet',
        '-e',
        'HOST=http://h',
        '-e',
        'USERS=50',
        '--stage',
        '10s:50,10m:50',
        '--out',
        'csv=/r/stage-50.csv.gz',
        '--out',
        'csv=/r/.live',
        '--summary-export',
        '/r/stage-50.summary.json',
        '/b/search.js',
      ]);
      const flags = new Set<string>(Object.values(K6_RUN_OPTIONS).map((o) => o.name));
      expect(args.filter((a) => a.startsWith('-')).every((a) => flags.has(a))).toBe(true);
      expect(args.some((a) => NEVER.some((n) => a.startsWith(n)))).toBe(false);
    }
  });

  it.each([['0.47.0'], ['3.0.0']])('a release outside the checked range (k6 v%s) gets no flags: a toolkit bug, loudly', (text) => {
    expect(() => k6RunArgs(SPEC, v(text))).toThrow(/k6 v\d+\.\d+\.\d+: the runner's k6 options are checked for v0\.48\.0 to v2\.x only/);
    expect(() => k6Option(K6_RUN_OPTIONS.csvTimeFormat, v(text))).toThrow(/K6_CSV_TIME_FORMAT/);
  });
});

describe('k6RunArgs', () => {
  it('leaves --stage out for a stage without k6 stages (the open model: the scenarios of the script apply)', () => {
    const args = k6RunArgs(
      {
        scriptPath: '/b/search.js',
        env: { HOST: 'http://h', EXECUTOR: 'constant-arrival-rate' },
        stages: [],
        csvOutputs: ['/r/stage-open.csv.gz'],
        summaryExportPath: '/r/stage-open.summary.json',
        logPath: '/r/stage-open.log',
        csvTimeFormat: 'unix_milli',
        signal: new AbortController().signal,
      },
      OLDEST_K6,
    );
    expect(args).not.toContain('--stage');
    expect(args).toEqual([
      'run',
      '--no-color',
      '--quiet',
      '-e',
      'HOST=http://h',
      '-e',
      'EXECUTOR=constant-arrival-rate',
      '--out',
      'csv=/r/stage-open.csv.gz',
      '--summary-export',
      '/r/stage-open.summary.json',
      '/b/search.js',
    ]);
  });
});

describe('resolveEngine', () => {
  let dir: string;
  let server: LoopbackServer;
  let url: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'engines-'));
    server = await startLoopbackServer((_req, res) => res.end('ok'));
    url = server.url;
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses --engine k6 when there is no k6, never falling back silently', async () => {
    await expect(resolveEngine('k6', { PATH: dir })).rejects.toThrow(/--engine k6: no k6 binary on PATH/);
    await expect(resolveEngine('k6', { K6_BIN: join(dir, 'nope') })).rejects.toThrow(/K6_BIN=.*nope is not an executable file/);
  });

  it.each([
    ['too old', K6_VERSION_LINES.v0_47, /is k6 v0\.47\.0, older than v0\.48\.0, the oldest the toolkit supports$/],
    [
      'too new',
      'k6 v3.0.0 (commit/0000000000, go1.26.0, linux/amd64)',
      /is k6 v3\.0\.0, newer than the toolkit knows \(v0\.48\.0 to v2\.x\), its flags unchecked$/,
    ],
    ['of unreadable version', 'k6 (devel)', /version" printed "k6 \(devel\)", not a k6 release \(k6 v<major>\.<minor>\.<patch>\)$/],
    ['not starting', undefined, /^engine ".*k6" does not start \(Command failed: .*\)$/],
  ])('a k6 %s: refused under --engine k6 in one line, the embedded engine with one warning line under auto', async (what, line, why) => {
    const home = join(dir, what.replace(/\W/g, '-'));
    await mkdir(home);
    const bin = line === undefined ? join(home, 'k6') : await writeK6StandIn(home, line);
    if (line === undefined) {
      await writeFile(bin, '#!/bin/sh\necho "k6: cannot execute: required file not found" >&2\nexit 126\n');
      await chmod(bin, 0o755);
    }
    const checked = await checkK6(bin);
    expect('unusable' in checked && checked.unusable).toMatch(why);

    const refused = (await resolveEngine('k6', { K6_BIN: bin }).catch((e: unknown) => e)) as UserError;
    expect(refused).toBeInstanceOf(UserError);
    expect(refused.message).toMatch(/^--engine k6: /);
    expect(refused.message).toContain(bin);
    expect(refused.message).not.toContain('\n');
    expect(refused.hint).toBe('set K6_BIN to a k6 v0.48.0 to v2.x (K6_BIN=/path/to/k6), or use --engine embedded');

    const warnings: string[] = [];
    const engine = await resolveEngine('auto', { K6_BIN: bin }, (w) => warnings.push(w));
    expect(engine.name).toBe('embedded');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^warning: .*: running on the embedded engine instead \(set K6_BIN to a k6 v0\.48\.0 to v2\.x \(K6_BIN=\/path\/to\/k6\) to use real k6\)$/,
    );
    expect(warnings[0]).not.toContain('\n');
  });

  it('takes the embedded engine on auto when k6 is absent', async () => {
    const engine = await resolveEngine('auto', { PATH: dir });
    expect(engine.name).toBe('embedded');
    expect(await engine.version()).toMatch(/^k6-embedded v\d/);
  });

  it('drives a k6 binary (K6_BIN) with exactly the invocation the embedded engine gets', async () => {
    // A stand-in for real k6 v2: records its arguments and environment, refuses --no-summary as
    // v2 does, then runs them on the embedded engine.
    const record = join(dir, 'args.txt');
    const fake = await writeK6StandIn(dir, K6_VERSION_LINES.v2, { refuses: ['--no-summary'], record });
    const warnings: string[] = [];
    const engine = await resolveEngine('auto', { K6_BIN: fake }, (w) => warnings.push(w));
    expect(engine.name).toBe('k6');
    expect(warnings).toEqual([]);
    expect(await engine.version()).toBe('k6 v2.0.0 (commit/6c0dd4c1e5, go1.25.3, linux/amd64)');
    const script = join(dir, 'script.js');
    await writeFile(
      script,
      `import http from 'k6/http';\nexport default function () { http.get(__ENV.HOST + '/', { tags: { name: 'home' } }); }\n`,
    );
    const outcome = await engine.runStage({
      scriptPath: script,
      env: { HOST: url },
      stages: [{ durationMs: 1000, target: 2 }],
      csvOutputs: [join(dir, 'out.csv.gz')],
      summaryExportPath: join(dir, 'summary.json'),
      logPath: join(dir, 'stage.log'),
      csvTimeFormat: 'unix_milli',
      signal: new AbortController().signal,
    });
    expect(outcome.exitCode).toBe(0);
    const recorded = (await readFile(record, 'utf8')).trim().split('\n');
    expect(recorded).toEqual([
      ...k6RunArgs(
        {
          scriptPath: script,
          env: { HOST: url },
          stages: [{ durationMs: 1000, target: 2 }],
          csvOutputs: [join(dir, 'out.csv.gz')],
          summaryExportPath: join(dir, 'summary.json'),
          logPath: '',
          csvTimeFormat: 'unix_milli',
          signal: new AbortController().signal,
        },
        v('2.0.0'),
      ),
      'K6_CSV_TIME_FORMAT=unix_milli',
      '--',
    ]);
    const csv = gunzipSync(await readFile(join(dir, 'out.csv.gz')))
      .toString('utf8')
      .split('\n');
    expect(csv[0]).toBe(CSV_COLUMNS.join(','));
    expect(csv.some((l) => l.startsWith('http_reqs,') && l.includes(',home,'))).toBe(true);
    expect(JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'))).toHaveProperty('metrics.http_reqs.count');
  });
});

describe('processEngine signals', () => {
  it('forwards the first Ctrl-C as one SIGINT, and kills at once on the second', async () => {
    const { processEngine } = await import('./process-engine.ts');
    const dir = await mkdtemp(join(tmpdir(), 'engine-kill-'));
    try {
      // An "engine" that notes each SIGINT and refuses to stop, as a stuck engine would.
      const stubborn = `process.on('SIGINT', () => console.log('SIGINT')); console.log('started'); setInterval(() => {}, 1000);`;
      const engine = processEngine('embedded', process.execPath, ['-e', stubborn], async () => 'stub', OLDEST_K6);
      const interrupt = new AbortController();
      const kill = new AbortController();
      const logPath = join(dir, 'stage.log');
      const running = engine.runStage({
        scriptPath: 'x.js',
        env: {},
        stages: [],
        csvOutputs: [],
        summaryExportPath: join(dir, 's.json'),
        logPath,
        csvTimeFormat: 'unix_milli',
        signal: interrupt.signal,
        kill: kill.signal,
      });
      const until = async (text: string) => {
        for (let i = 0; i < 200 && !(await readFile(logPath, 'utf8').catch(() => '')).includes(text); i += 1)
          await new Promise((r) => setTimeout(r, 25));
      };
      await until('started');
      interrupt.abort();
      await until('SIGINT');
      kill.abort();
      const outcome = await running;
      expect(outcome).toMatchObject({ exitCode: null, signal: 'SIGKILL', interrupted: true });
      expect((await readFile(logPath, 'utf8')).match(/SIGINT/g)).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopbackServer, startLoopbackServer } from '../../test/testkit/loopback.ts';
import { resolveEngine } from './index.ts';
import { k6RunArgs } from './process-engine.ts';
import { CSV_COLUMNS } from '../k6/csv.ts';

describe('k6RunArgs', () => {
  it('gives both engines the same k6 flags: env, stages, outputs, summary export, script last', () => {
    const args = k6RunArgs({
      scriptPath: '/b/search.js',
      env: { HOST: 'http://h', USERS: '50' },
      stages: [{ durationMs: 10_000, target: 50 }, { durationMs: 600_000, target: 50 }],
      csvOutputs: ['/r/stage-50.csv.gz', '/r/.live'],
      summaryExportPath: '/r/stage-50.summary.json',
      logPath: '/r/stage-50.log',
      csvTimeFormat: 'unix_milli',
      signal: new AbortController().signal,
    });
    expect(args).toEqual([
      'run', '--no-color', '--quiet',
      '-e', 'HOST=http://h', '-e', 'USERS=50',
      '--stage', '10s:50,10m:50',
      '--out', 'csv=/r/stage-50.csv.gz', '--out', 'csv=/r/.live',
      '--summary-export', '/r/stage-50.summary.json',
      '/b/search.js',
    ]);
  });

  it('leaves --stage out for a stage without k6 stages (the open model: the scenarios of the script apply)', () => {
    const args = k6RunArgs({
      scriptPath: '/b/search.js',
      env: { HOST: 'http://h', EXECUTOR: 'constant-arrival-rate' },
      stages: [],
      csvOutputs: ['/r/stage-open.csv.gz'],
      summaryExportPath: '/r/stage-open.summary.json',
      logPath: '/r/stage-open.log',
      csvTimeFormat: 'unix_milli',
      signal: new AbortController().signal,
    });
    expect(args).not.toContain('--stage');
    expect(args).toEqual([
      'run', '--no-color', '--quiet',
      '-e', 'HOST=http://h', '-e', 'EXECUTOR=constant-arrival-rate',
      '--out', 'csv=/r/stage-open.csv.gz',
      '--summary-export', '/r/stage-open.summary.json',
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

  it('takes the embedded engine on auto when k6 is absent', async () => {
    const engine = await resolveEngine('auto', { PATH: dir });
    expect(engine.name).toBe('embedded');
    expect(await engine.version()).toMatch(/^k6-embedded v\d/);
  });

  it('drives a k6 binary (K6_BIN) with exactly the invocation the embedded engine gets', async () => {
    // A stand-in for real k6: records its arguments and environment, then runs them on the embedded engine.
    const fake = join(dir, 'k6');
    const record = join(dir, 'args.txt');
    const cli = join(import.meta.dirname, '..', 'embedded', 'cli.ts');
    await writeFile(fake, `#!/bin/sh\nif [ "$1" = version ]; then echo "k6 v0.48.0 (fake)"; exit 0; fi\nprintf '%s\\n' "$@" "K6_CSV_TIME_FORMAT=$K6_CSV_TIME_FORMAT" > ${record}\nexec "${process.execPath}" --import tsx "${cli}" "$@"\n`);
    await chmod(fake, 0o755);
    const engine = await resolveEngine('auto', { K6_BIN: fake });
    expect(engine.name).toBe('k6');
    expect(await engine.version()).toBe('k6 v0.48.0 (fake)');
    const script = join(dir, 'script.js');
    await writeFile(script, `import http from 'k6/http';\nexport default function () { http.get(__ENV.HOST + '/', { tags: { name: 'home' } }); }\n`);
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
    expect(recorded).toEqual([...k6RunArgs({ scriptPath: script, env: { HOST: url }, stages: [{ durationMs: 1000, target: 2 }], csvOutputs: [join(dir, 'out.csv.gz')], summaryExportPath: join(dir, 'summary.json'), logPath: '', csvTimeFormat: 'unix_milli', signal: new AbortController().signal }), 'K6_CSV_TIME_FORMAT=unix_milli']);
    const csv = gunzipSync(await readFile(join(dir, 'out.csv.gz'))).toString('utf8').split('\n');
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
      const engine = processEngine('embedded', process.execPath, ['-e', stubborn], async () => 'stub');
      const interrupt = new AbortController();
      const kill = new AbortController();
      const logPath = join(dir, 'stage.log');
      const running = engine.runStage({
        scriptPath: 'x.js', env: {}, stages: [], csvOutputs: [], summaryExportPath: join(dir, 's.json'), logPath,
        csvTimeFormat: 'unix_milli', signal: interrupt.signal, kill: kill.signal,
      });
      const until = async (text: string) => {
        for (let i = 0; i < 200 && !(await readFile(logPath, 'utf8').catch(() => '')).includes(text); i += 1) await new Promise((r) => setTimeout(r, 25));
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

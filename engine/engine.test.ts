import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import type { ServerResponse } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'csv-parse/sync';
import { startLoopbackServer } from '../test/testkit/loopback.ts';
import { CSV_COLUMNS, HTTP_REQUEST_METRICS, ITERATION_METRICS } from '../formats/k6/csv.ts';
import { launchArgs } from '../test/testkit/launch.ts';
import { runEngineInProcess } from '../test/testkit/engine-runs.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const k6Fixtures = join(here, '..', 'formats', 'k6', '__fixtures__');
const fixtures = join(here, '__fixtures__');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The engine as a process: what only a process shows (its exit on a signal, its outputs then). */
function start(args: string[], cwd: string): ChildProcess {
  return spawn(process.execPath, launchArgs('engine/cli.ts', ...args), {
    cwd,
    env: { ...process.env, K6_CSV_TIME_FORMAT: 'unix_milli' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function finish(child: ChildProcess): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`engine did not exit in time\n${stderr}`));
    }, 40_000);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The engine in this process, for what a script makes it do (no process start). */
const run = runEngineInProcess;

type Row = Record<string, string>;
const rows = (text: string): Row[] => parse(text, { columns: true }) as Row[];

let server: ChildProcess;
let base = '';
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k6-embedded-'));
  // Port 0: the fixture server prints the port it got.
  server = spawn(
    process.execPath,
    [
      '-e',
      `
    const http = require('http');
    process.env.PORT = '0';
    const orig = http.Server.prototype.listen;
    http.Server.prototype.listen = function (...a) { const s = orig.apply(this, a); this.on('listening', () => console.log('PORT=' + this.address().port)); return s; };
    require(${JSON.stringify(join(k6Fixtures, 'server.cjs'))});
  `,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  base = await new Promise<string>((resolve) => {
    server.stdout!.on('data', (d: Buffer) => {
      const m = /PORT=(\d+)/.exec(d.toString());
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    });
  });
});

afterAll(() => {
  server?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the fixture script on the embedded engine, held against real k6 output', () => {
  let csv: Row[] = [];
  let header = '';
  let result: Run;
  let gz = '';
  let plain = '';

  beforeAll(async () => {
    // The server answers every 20th search with a 500: 19 searches first make the engine's first one a 500.
    for (let i = 0; i < 19; i++) await fetch(`${base}/api/search?q=warm`).then((r) => r.text());
    const cwd = mkdtempSync(join(dir, 'fixture-'));
    result = await run(
      [
        'run',
        '--quiet',
        '--no-color',
        '-e',
        `BASE_URL=${base}`,
        '--stage',
        '1s:3,2s:3',
        '--out',
        'csv=out.csv',
        '--out',
        'csv=out.csv.gz',
        '--summary-export',
        'summary.json',
        join(k6Fixtures, 'script.js'),
      ],
      cwd,
    );
    plain = readFileSync(join(cwd, 'out.csv'), 'utf8');
    gz = gunzipSync(readFileSync(join(cwd, 'out.csv.gz'))).toString('utf8');
    header = plain.slice(0, plain.indexOf('\n'));
    csv = rows(plain);
    summaryPath = join(cwd, 'summary.json');
  });
  let summaryPath = '';

  /**
   * The script's thresholds (p(95)<500 on http_req_duration, rate<0.1 on http_req_failed) as the
   * run's own figures say: a machine at load ~100 took the p95 over 500 ms, and k6 then exits 99.
   */
  const thresholdsHeld = (): { duration: boolean; all: boolean } => {
    const { metrics } = JSON.parse(readFileSync(summaryPath, 'utf8')) as { metrics: Record<string, Record<string, number>> };
    const duration = metrics.http_req_duration!['p(95)']! < 500;
    return { duration, all: duration && metrics.http_req_failed!.value! < 0.1 };
  };

  it('exits as its thresholds say (0 when they hold) and writes the same CSV to both outputs (the .gz one gzipped)', () => {
    expect(result.code, result.stderr).toBe(thresholdsHeld().all ? 0 : 99);
    expect(gz).toBe(plain);
  });

  it("has k6's header and metric set", () => {
    const k6 = readFileSync(join(k6Fixtures, 'out.csv'), 'utf8');
    expect(header).toBe(k6.slice(0, k6.indexOf('\n')));
    expect(header.split(',')).toEqual([...CSV_COLUMNS]);
    const names = (r: Row[]) => [...new Set(r.map((x) => x.metric_name))].sort();
    expect(names(csv)).toEqual(names(rows(k6)));
  });

  it("writes 9 rows per request and 4 per iteration in k6's order, plus checks, groups and custom metrics", () => {
    const reqs = csv.filter((r) => r.metric_name === 'http_reqs').length;
    const iters = csv.filter((r) => r.metric_name === 'iterations').length;
    expect(reqs).toBeGreaterThan(0);
    expect(reqs).toBe(2 * iters);
    for (const m of HTTP_REQUEST_METRICS) expect(csv.filter((r) => r.metric_name === m)).toHaveLength(reqs);
    for (const m of ['checks', 'group_duration', 'search_duration', 'search_errors', 'search_requests', ...ITERATION_METRICS]) {
      expect(
        csv.filter((r) => r.metric_name === m),
        m,
      ).toHaveLength(iters);
    }
    const first = csv.findIndex((r) => r.metric_name === 'http_reqs');
    expect(csv.slice(first, first + 9).map((r) => r.metric_name)).toEqual([...HTTP_REQUEST_METRICS]);
    const it0 = csv.findIndex((r) => r.metric_name === 'data_sent');
    expect(csv.slice(it0, it0 + 4).map((r) => r.metric_name)).toEqual([...ITERATION_METRICS]);
    const vus = csv.filter((r) => r.metric_name === 'vus');
    expect(vus.length).toBeGreaterThanOrEqual(2);
    expect(csv.filter((r) => r.metric_name === 'vus_max').every((r) => r.metric_value === '3.000000')).toBe(true);
  });

  it('tags requests as k6 does', () => {
    const search = csv.filter((r) => r.metric_name === 'http_reqs' && r.name === 'athlete_search');
    const home = csv.filter((r) => r.metric_name === 'http_reqs' && r.name !== 'athlete_search');
    expect(search.length).toBeGreaterThan(0);
    for (const r of search) {
      expect(r).toMatchObject({ group: '::search', url: 'athlete_search', method: 'GET', proto: 'HTTP/1.1', scenario: 'default' });
    }
    for (const r of home)
      expect(r).toMatchObject({ group: '', name: `${base}/`, url: `${base}/`, status: '200', expected_response: 'true', error_code: '' });
    const failed = search.filter((r) => r.status === '500');
    expect(failed.length).toBeGreaterThan(0);
    for (const r of failed) expect(r).toMatchObject({ error_code: '1500', expected_response: 'false', error: '' });
    const ok = search.filter((r) => r.status === '200');
    for (const r of ok) expect(r).toMatchObject({ error_code: '', expected_response: 'true' });
    expect(csv.find((r) => r.metric_name === 'checks')).toMatchObject({ check: 'status is 200', group: '::search', scenario: 'default' });
    const k6Row = rows(readFileSync(join(k6Fixtures, 'out.csv'), 'utf8')).find((r) => r.metric_name === 'iterations')!;
    const ours = csv.find((r) => r.metric_name === 'iterations')!;
    expect(Object.keys(ours).filter((k) => ours[k] !== '')).toEqual(Object.keys(k6Row).filter((k) => k6Row[k] !== ''));
    // Timestamps in ms (K6_CSV_TIME_FORMAT=unix_milli) and six decimals.
    expect(csv[0]!.timestamp).toMatch(/^\d{13}$/);
    expect(csv.every((r) => /^-?\d+\.\d{6}$/.test(r.metric_value!))).toBe(true);
  });

  it("hands handleSummary() k6's data shape and writes the files it returns", () => {
    const ours = JSON.parse(readFileSync(join(dirname(summaryPath), 'handle-summary.json'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    const k6 = JSON.parse(readFileSync(join(k6Fixtures, 'handle-summary.json'), 'utf8')) as typeof ours;
    expect(Object.keys(ours).sort()).toEqual(Object.keys(k6).sort());
    expect(Object.keys(ours.metrics!).sort()).toEqual(Object.keys(k6.metrics!).sort());
    expect(ours.metrics!.http_req_duration).toMatchObject({
      type: 'trend',
      contains: 'time',
      thresholds: { 'p(95)<500': { ok: thresholdsHeld().duration } },
    });
    expect(Object.keys(ours.state!).sort()).toEqual(Object.keys(k6.state!).sort());
  });

  it("writes a summary export with k6's keys", () => {
    const ours = JSON.parse(readFileSync(summaryPath, 'utf8')) as {
      metrics: Record<string, Record<string, unknown>>;
      root_group: Record<string, unknown>;
    };
    const k6 = JSON.parse(readFileSync(join(k6Fixtures, 'summary-export.json'), 'utf8')) as typeof ours;
    expect(Object.keys(ours.metrics).sort()).toEqual(Object.keys(k6.metrics).sort());
    for (const [k, v] of Object.entries(k6.metrics)) expect(Object.keys(ours.metrics[k]!).sort(), k).toEqual(Object.keys(v).sort());
    expect(Object.keys(ours.root_group).sort()).toEqual(Object.keys(k6.root_group).sort());
    expect(ours.root_group).toMatchObject({
      id: 'd41d8cd98f00b204e9800998ecf8427e',
      groups: {
        search: { id: '26b8520e2af4331315c3a77500b7a2a4', checks: { 'status is 200': { id: 'e6c2f812f697c42a23c3a2b39bd47a84' } } },
      },
    });
    const iters = csv.filter((r) => r.metric_name === 'iterations').length;
    expect(ours.metrics.iterations!.count).toBe(iters);
  });
});

describe('exit codes and failures, as k6', () => {
  it('exits 99 when thresholds are crossed, and names them', async () => {
    const r = await run(['run', '--quiet', '--summary-export', 's.json', join(fixtures, 'thresholds-fail.js')], dir);
    expect(r.code).toBe(99);
    expect(r.stderr).toContain("thresholds on metrics 'my_trend' have been crossed");
    const s = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as {
      metrics: Record<string, { thresholds?: Record<string, boolean> }>;
    };
    expect(s.metrics.my_trend!.thresholds).toEqual({ 'p(95)<5': true });
    expect(s.metrics['my_trend{kind:a}']!.thresholds).toEqual({ 'max<100': false });
  });

  it('stops early with 99 when an abortOnFail threshold is crossed', async () => {
    const r = await run(['run', '--quiet', '--summary-export', 'aof.json', join(fixtures, 'abort-on-fail.js')], dir);
    expect(r.code).toBe(99);
    expect(r.stderr).toContain(
      "thresholds on metrics 'my_trend' were crossed; at least one has abortOnFail enabled, stopping test prematurely",
    );
    const s = JSON.parse(readFileSync(join(dir, 'aof.json'), 'utf8')) as {
      metrics: Record<string, { thresholds?: Record<string, boolean> }>;
    };
    expect(s.metrics.my_trend!.thresholds).toEqual({ 'max<1': true });
  });

  it('exits 0 with --no-thresholds', async () => {
    expect((await run(['run', '--quiet', '--no-thresholds', join(fixtures, 'thresholds-fail.js')], dir)).code).toBe(0);
  });

  it('exits 108 on exec.test.abort()', async () => {
    const r = await run(['run', '--quiet', join(fixtures, 'abort.js')], dir);
    expect(r.code).toBe(108);
    expect(r.stderr).toContain('test aborted: aborting on purpose');
  });

  it('exits 107 on an error in the init code', async () => {
    const r = await run(['run', '--quiet', join(fixtures, 'init-error.js')], dir);
    expect(r.code).toBe(107);
    // As k6: the position in the script itself (line 2), not in the bundle the VU evaluates.
    expect(r.stderr).toContain(
      `msg="Error: broken init code\\n\\tat ${pathToFileURL(join(fixtures, 'init-error.js')).href}:2:7\\n" hint="script exception"`,
    );
  });

  it('exits 107 on a k6 module it does not have, listing every module it has', async () => {
    const r = await run(['run', '--quiet', join(fixtures, 'unsupported-module.js')], dir);
    expect(r.code).toBe(107);
    const listed = /module \\"k6\/net\/grpc\\" is not supported by the embedded engine \(supported: ([^)]+)\)/
      .exec(r.stderr)?.[1]
      ?.split(', ');
    const documented = [
      'k6',
      'k6/http',
      'k6/metrics',
      'k6/data',
      'k6/execution',
      'k6/timers',
      'k6/experimental/timers',
      'k6/encoding',
      'k6/ws',
      'k6/experimental/websockets',
      'k6/websockets',
      'k6/crypto',
      'k6/html',
    ];
    expect(listed?.sort()).toEqual(documented.sort());
    // Every frame in k6's shape (`\tat …`), the engine's own ones too, and the script's mapped to its line.
    expect(r.stderr).not.toContain('\\n    at ');
    expect(r.stderr).toContain(`\\tat ${pathToFileURL(join(fixtures, 'unsupported-module.js')).href}:2:`);
  });

  it('exits 255 with one line on bad usage', async () => {
    for (const args of [['run', '--abort-on-fail', 'x.js'], ['run', '--vus', 'many', 'x.js'], ['run'], ['walk']]) {
      const r = await run(args, dir);
      expect(r.code, args.join(' ')).toBe(255);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('shows each scenario with its own VUs, and a finished one at 100 %', async () => {
    const r = await run(['run', '--no-color', '--no-summary', join(fixtures, 'two-scenarios.js')], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/execution: local\n {5}script: .*two-scenarios\.js\n/);
    expect(r.stdout).toContain('scenarios: (100.00%) 2 scenarios, 3 max VUs');
    const last = r.stdout.trimEnd().split('\n').slice(-2);
    expect(last[0]).toMatch(/^a ✓ \[ 100% \] 0\/2 VUs {2}1\.0s\/1\.0s$/);
    // b ended after its one iteration: its own elapsed time, not the test's, against its maxDuration.
    expect(last[1]).toMatch(/^b ✓ \[ 100% \] 0\/1 VUs {2}\d+\.\ds\/600\.0s$/);
  });

  it('logs an exception inside an iteration and goes on', async () => {
    const r = await run(['run', '--quiet', '--out', 'csv=iter.csv', join(fixtures, 'iteration-error.js')], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `level=error msg="Error: boom in iteration\\n\\tat default (${pathToFileURL(join(fixtures, 'iteration-error.js')).href}:6:27)\\n"`,
    );
    const c = rows(readFileSync(join(dir, 'iter.csv'), 'utf8'));
    expect(c.filter((x) => x.metric_name === 'reached')).toHaveLength(3);
    expect(c.filter((x) => x.metric_name === 'iterations')).toHaveLength(3);
  });

  it('fails loudly (exit 103, one line naming the file) when an output cannot be written', async () => {
    const r = await run(['run', '--quiet', '--out', `csv=${join(dir, 'missing', 'x.csv.gz')}`, join(fixtures, 'thresholds-fail.js')], dir);
    expect(r.code).toBe(103);
    expect(r.stderr).toMatch(/level=error msg="writing .*missing\/x\.csv\.gz: ENOENT/);
  });

  it('prints its version', async () => {
    const r = await run(['version'], dir);
    expect(r.stdout).toMatch(/^k6-embedded v\d+\.\d+\.\d+ \(node v\d+\.\S+, k6 v0\.48 compatible\)\n$/);
  });
});

describe('k6 semantics', () => {
  it('runs setup/teardown, SharedArray, checks, nested groups, custom metrics; VUs share no globals; sleep blocks only its VU', async () => {
    const r = await run(['run', '--no-color', '--out', 'csv=f.csv', '--summary-export', 'f.json', join(fixtures, 'features.js')], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('teardown got 42');
    const c = rows(readFileSync(join(dir, 'f.csv'), 'utf8'));
    const checks = c.filter((x) => x.metric_name === 'checks');
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.every((x) => x.metric_value === '1.000000' && x.group === '::outer::inner')).toBe(true);
    expect(new Set(c.filter((x) => x.metric_name === 'group_duration').map((x) => x.group))).toEqual(
      new Set(['::outer::inner', '::outer']),
    );
    const counter = c.filter((x) => x.metric_name === 'my_counter');
    expect(counter.every((x) => x.metric_value === '2.000000' && /word=(alpha|beta|gamma)/.test(x.extra_tags!))).toBe(true);
    for (const m of ['my_gauge', 'my_rate', 'my_trend'])
      expect(
        c.some((x) => x.metric_name === m),
        m,
      ).toBe(true);
    const itersOf = (vu: string) => c.filter((x) => x.metric_name === 'iterations' && x.extra_tags === `vu_id=${vu}`).length;
    // VU 1 sleeps 1.2 s per iteration: 2 at most in 1.5 s. VU 2 sleeps 50 ms: if sleeps blocked
    // every VU, it would be held to VU 1's pace.
    expect(itersOf('1')).toBeLessThanOrEqual(2);
    expect(itersOf('2')).toBeGreaterThan(4 * itersOf('1'));
    const s = JSON.parse(readFileSync(join(dir, 'f.json'), 'utf8')) as {
      root_group: { groups: Record<string, { groups: Record<string, { checks: Record<string, { passes: number; fails: number }> }> }> };
    };
    const inner = s.root_group.groups.outer!.groups.inner!.checks;
    expect(Object.keys(inner)).toEqual(['setup data arrives', 'shared array is shared', 'globals are per VU']);
    expect(Object.values(inner).every((x) => x.fails === 0 && x.passes > 0)).toBe(true);
    expect(r.stdout).toContain('✓ setup data arrives');
    expect(r.stdout).toMatch(/my_counter\.+: \d+/);
  });

  it('interrupts ramped-down VUs after gracefulRampDown; per-vu-iterations runs N iterations per VU', async () => {
    const r = await run(['run', '--no-color', '-e', 'LONG=1', '--out', 'csv=ramp.csv', join(fixtures, 'ramp-down.js')], dir);
    expect(r.code, r.stderr).toBe(0);
    const c = rows(readFileSync(join(dir, 'ramp.csv'), 'utf8'));
    const iters = (scenario: string) => c.filter((x) => x.metric_name === 'iterations' && x.scenario === scenario).length;
    // The ramp's only iteration sleeps 20 s: with gracefulRampDown 0s it is interrupted, never complete.
    expect(iters('ramp')).toBe(0);
    expect(c.some((x) => x.metric_name === 'data_sent' && x.scenario === 'ramp')).toBe(true);
    expect(iters('each')).toBe(6);
    expect(r.stdout).toMatch(/running \([\d.]+s\), \d+\/3 VUs, 6 complete and 1 interrupted iterations/);
  });

  it('gives each VU a cookie jar, emptied at each iteration', async () => {
    const server = await startLoopbackServer((req, res) => {
      if (req.url === '/login') res.setHeader('Set-Cookie', 'sid=abc; Path=/; HttpOnly');
      res.end(req.url === '/me' ? (req.headers.cookie ?? '') : 'ok');
    });
    try {
      const r = await run(
        ['run', '--quiet', '-e', `BASE_URL=${server.url}`, '--out', 'csv=cookies.csv', join(fixtures, 'cookies.js')],
        dir,
      );
      expect(r.code, r.stderr).toBe(0);
      const checks = rows(readFileSync(join(dir, 'cookies.csv'), 'utf8')).filter((x) => x.metric_name === 'checks');
      expect(checks).toHaveLength(6);
      expect(checks.filter((x) => x.metric_value !== '1.000000').map((x) => x.check)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('supports k6/http beyond GET: batch, parallel asyncRequest, redirects, bodies, response types, callbacks', async () => {
    // /slow holds a request until a second one is in flight, then answers both at once, or answers
    // it alone after 2 s: two requests sent in parallel are told 2 whatever the machine's load (at
    // load ~100 the answers' clocks, 200 ms each, drifted apart by more than the script allowed).
    const held: ServerResponse[] = [];
    const holdSlow = (res: ServerResponse) => {
      held.push(res);
      if (held.length === 2) for (const r of held.splice(0)) r.end(JSON.stringify({ inFlight: 2 }));
      else
        setTimeout(() => {
          const at = held.indexOf(res);
          if (at < 0) return;
          held.splice(at, 1);
          res.end(JSON.stringify({ inFlight: 1 }));
        }, 2000).unref();
    };
    const server = await startLoopbackServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const [path, query = ''] = (req.url ?? '').split('?');
        if (path === '/redirect') {
          res.writeHead(302, { Location: '/echo?from=redirect' });
          res.end();
        } else if (path === '/slow') holdSlow(res);
        else if (path === '/echo')
          res.end(
            JSON.stringify({
              method: req.method,
              query,
              body,
              type: req.headers['content-type'] ?? '',
              auth: req.headers.authorization ?? '',
            }),
          );
        else {
          res.writeHead(404);
          res.end('no');
        }
      });
    });
    try {
      const r = await run(['run', '--quiet', '-e', `BASE_URL=${server.url}`, '--out', 'csv=http.csv', join(fixtures, 'http-api.js')], dir);
      expect(r.code, r.stderr).toBe(0);
      const c = rows(readFileSync(join(dir, 'http.csv'), 'utf8'));
      const checks = c.filter((x) => x.metric_name === 'checks');
      expect(checks.filter((x) => x.metric_value !== '1.000000').map((x) => x.check)).toEqual([]);
      expect(checks).toHaveLength(12);
      // stdout is a pipe here: the summary has no colour codes, as k6's.
      expect(r.stdout).toMatch(/✓ batch GET/);
      expect(r.stdout).not.toContain('\x1b[');
      // A timeout is k6's 1050 (the statistics count timeouts by it), a failed request.
      expect(
        c.filter((x) => x.name === 'timeout' && x.metric_name === 'http_req_failed').map((x) => [x.error_code, x.metric_value]),
      ).toEqual([['1050', '1.000000']]);
      // Credentials in a script's URL: masked in the tags as k6's URL.Clean(), never in the CSV.
      const text = readFileSync(join(dir, 'http.csv'), 'utf8');
      expect(text).not.toContain('p%40ss');
      expect(text).not.toContain('u1:');
      expect(c.filter((x) => x.metric_name === 'http_reqs' && x.url!.includes('****')).map((x) => [x.name, x.url])).toEqual([
        [`${server.url.replace('://', '://****:****@')}/echo`, `${server.url.replace('://', '://****:****@')}/echo`],
      ]);
      // A followed redirect is two requests, each with its own 9 rows; the name tag stays.
      expect(c.filter((x) => x.metric_name === 'http_reqs' && x.name === 'redirect').map((x) => x.status)).toEqual(['302', '200']);
      const expected404 = c.find((x) => x.metric_name === 'http_req_failed' && x.status === '404')!;
      expect(expected404).toMatchObject({ metric_value: '0.000000', expected_response: 'true', error_code: '1404' });
      // setResponseCallback(null): no expected_response tag and no http_req_failed row.
      const noCb = c.filter((x) => x.name === 'no-callback');
      expect(noCb.map((x) => x.metric_name)).toEqual([
        'http_reqs',
        'http_req_duration',
        'http_req_blocked',
        'http_req_connecting',
        'http_req_tls_handshaking',
        'http_req_sending',
        'http_req_waiting',
        'http_req_receiving',
      ]);
      expect(noCb.every((x) => x.expected_response === '')).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('stops cleanly on SIGINT: exit 105, every output complete', async () => {
    const cwd = mkdtempSync(join(dir, 'sigint-'));
    const child = start(
      [
        'run',
        '--quiet',
        '-e',
        `BASE_URL=${base}`,
        '--out',
        'csv=a.csv',
        '--out',
        'csv=b.csv.gz',
        '--summary-export',
        's.json',
        join(fixtures, 'long-run.js'),
      ],
      cwd,
    );
    const done = finish(child);
    // Wait until a flush brought a request to the file (up to 30 s: a loaded machine starts slowly), then interrupt.
    const flushed = () => existsSync(join(cwd, 'a.csv')) && readFileSync(join(cwd, 'a.csv'), 'utf8').includes('\nhttp_reqs,');
    for (let i = 0; i < 600 && !flushed(); i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const r = await done;
    expect(r.code, r.stderr).toBe(105);
    const a = readFileSync(join(cwd, 'a.csv'), 'utf8');
    expect(a.endsWith('\n')).toBe(true);
    expect(gunzipSync(readFileSync(join(cwd, 'b.csv.gz'))).toString('utf8')).toBe(a);
    const s = JSON.parse(readFileSync(join(cwd, 's.json'), 'utf8')) as { metrics: Record<string, { count?: number }> };
    const c = rows(a);
    expect(s.metrics.http_reqs!.count).toBe(c.filter((x) => x.metric_name === 'http_reqs').length);
    expect(s.metrics.ticks!.count).toBe(c.filter((x) => x.metric_name === 'ticks').length);
  });
});

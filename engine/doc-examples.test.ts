/**
 * Evidence that scripts written as k6's documentation examples run on the embedded engine:
 * each runs against a loopback server, and its exit code, summary export and output are held to
 * what k6 gives for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpbin } from '../test/testkit/httpbin.ts';
import { loopback, runEngineInProcess, type EngineRun, type Loopback } from '../test/testkit/engine-runs.ts';

const examples = fileURLToPath(new URL('./__fixtures__/doc-examples/', import.meta.url));

type Metrics = Record<string, Record<string, unknown>>;
interface Outcome {
  run: EngineRun;
  metrics: Metrics;
  checks: Record<string, { passes: number; fails: number }>;
  dir: string;
}

const num = (m: Metrics, metric: string, key: string): number => Number(m[metric]?.[key]);

/** Every check of the script passed `times` times, and there are `count` of them. */
function allPassed(checks: Outcome['checks'], count: number, times: number): void {
  expect(Object.keys(checks)).toHaveLength(count);
  for (const [name, c] of Object.entries(checks)) expect(c, name).toEqual({ passes: times, fails: 0 });
}

interface Case {
  script: string;
  args?: string[];
  code: number;
  expect(o: Outcome): void;
}

/** For an example whose one iteration checks everything: `count` checks, each passed once. */
const eachCheckPassedOnce =
  (count: number): Case['expect'] =>
  ({ checks }) =>
    allPassed(checks, count, 1);

const CASES: Case[] = [
  {
    script: '01-http-get.js',
    code: 0,
    expect: ({ metrics, checks }) => {
      expect(num(metrics, 'iterations', 'count')).toBe(6);
      expect(num(metrics, 'http_reqs', 'count')).toBe(6);
      expect(checks['status is 200']).toEqual({ passes: 6, fails: 0 });
      expect(metrics['http_reqs{env:staging}']).toMatchObject({ count: 6, thresholds: { 'count==6': false } });
    },
  },
  {
    script: '02-thresholds-pass.js',
    code: 0,
    expect: ({ metrics }) => {
      expect(metrics['http_req_duration{name:search}']?.thresholds).toEqual({ 'p(99)<2000': false, 'max<3000': false });
      expect(num(metrics, 'http_req_duration{name:search}', 'count')).toBeNaN(); // trend: the summary's stats only
      expect(metrics.http_reqs?.thresholds).toEqual({ 'count>=10': false, 'rate>0': false });
      expect(metrics.iterations?.thresholds).toEqual({ 'count==5': false });
    },
  },
  {
    script: '03-thresholds-fail.js',
    code: 99,
    expect: ({ metrics, run }) => {
      expect(metrics.http_req_failed).toMatchObject({ value: 1, passes: 3, fails: 0, thresholds: { 'rate<0.5': true } });
      expect(run.stderr).toContain("thresholds on metrics 'http_req_failed' have been crossed");
      expect(run.stdout).toMatch(/✗ http_req_failed\.+: 100\.00%/);
    },
  },
  {
    script: '04-abort-on-fail.js',
    code: 99,
    expect: ({ metrics, run }) => {
      expect(run.stderr).toContain('abortOnFail enabled, stopping test prematurely');
      // Stopped within a few seconds of the 1 s delay, far from the 20 s duration.
      expect(num(metrics, 'iterations', 'count')).toBeLessThan(60);
    },
  },
  {
    script: '05-constant-arrival-rate.js',
    code: 0,
    expect: ({ metrics }) => {
      // Every planned arrival either starts or is dropped, whatever the machine's load. How many
      // start depends on how fast the VUs are (on a loaded machine a VU may still be busy), but
      // the 3 pre-allocated VUs are ready before the start, so the first 3 arrivals always run.
      const done = num(metrics, 'iterations', 'count');
      const dropped = metrics.dropped_iterations ? num(metrics, 'dropped_iterations', 'count') : 0;
      expect(done + dropped).toBe(20);
      expect(done).toBeGreaterThanOrEqual(3);
    },
  },
  {
    script: '06-ramping-arrival-rate-dropped.js',
    code: 0,
    expect: ({ metrics }) => {
      // 10→30/s over 1 s plans 20 iterations; one VU at 100 ms each does about 10 of them.
      const done = num(metrics, 'iterations', 'count');
      const dropped = num(metrics, 'dropped_iterations', 'count');
      expect(done + dropped).toBe(20);
      expect(dropped).toBeGreaterThan(0);
      expect(metrics.dropped_iterations?.thresholds).toEqual({ 'count>0': false });
    },
  },
  {
    script: '07-multiple-scenarios.js',
    code: 0,
    expect: ({ metrics, checks }) => {
      expect(num(metrics, 'http_reqs{flow:browse}', 'count')).toBe(4);
      expect(num(metrics, 'http_reqs{flow:buy}', 'count')).toBe(3);
      expect(checks['bought the item from the env']).toEqual({ passes: 3, fails: 0 });
    },
  },
  {
    script: '08-custom-metrics.js',
    code: 0,
    expect: ({ metrics }) => {
      expect(metrics.orders).toMatchObject({ count: 8 });
      expect(metrics.basket_size).toMatchObject({ value: 4, min: 1, max: 4 });
      expect(metrics.order_ok).toMatchObject({ value: 0.75, passes: 3, fails: 1 });
      expect(metrics.order_wait).toMatchObject({ avg: 25, min: 10, max: 40, med: 25 });
      expect(Object.values(metrics.order_wait?.thresholds as Record<string, boolean>).every((failed) => !failed)).toBe(true);
    },
  },
  {
    script: '09-groups-checks.js',
    code: 0,
    expect: ({ run }) => {
      expect(run.stdout).toMatch(/█ home\s+✓ home is 200/);
      expect(run.stdout).toMatch(/█ api\s+█ items\s+✓ has items\s+✗ is slow\s+↳ {2}0% — ✓ 0 \/ ✗ 2/);
      expect(run.stdout).toMatch(/checks\.+: 66\.66%/);
    },
  },
  {
    script: '10-handle-summary.js',
    code: 0,
    expect: ({ run, dir }) => {
      expect(run.stdout).toMatch(/custom summary\n/);
      expect(run.stdout).toMatch(/✓ http_req_duration\.+: avg=/);
      expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'))).toEqual({
        reqs: 2,
        stats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'],
      });
      expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('<testcase name="http_req_duration - p(95)&lt;5000" />');
    },
  },
  {
    script: '11-k6-utils.js',
    code: 0,
    expect: ({ checks }) => {
      for (const name of [
        'int in range',
        'item from the list',
        'string of the charset',
        'uuid v4',
        'title found',
        'all between, or null',
        'bell-curve stages',
      ])
        expect(checks[name], name).toEqual({ passes: 5, fails: 0 });
    },
  },
  {
    script: '12-crypto-encoding.js',
    code: 0,
    expect: eachCheckPassedOnce(9),
  },
  {
    script: '30-encoding.js',
    code: 0,
    expect: eachCheckPassedOnce(16),
  },
  {
    script: '31-unsupported-api.js',
    code: 0,
    expect: eachCheckPassedOnce(8),
  },
  {
    script: '32-unsupported-module.js',
    code: 107,
    expect: ({ run }) => {
      const lines = run.stderr.split('\n').filter((l) => l.includes('level='));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /level=error msg="Error: module \\"k6\/browser\\" is not supported by the embedded engine \(supported: k6, /,
      );
    },
  },
  {
    script: '13-timers.js',
    code: 0,
    expect: ({ checks }) => {
      expect(checks['interval ticked 3 times']).toEqual({ passes: 1, fails: 0 });
      expect(checks['cleared timeout never ran']).toEqual({ passes: 1, fails: 0 });
    },
  },
  {
    script: '14-test-abort.js',
    code: 108,
    expect: ({ run, metrics }) => {
      expect(run.stderr).toContain('test aborted: enough');
      expect(num(metrics, 'http_reqs', 'count')).toBe(3);
    },
  },
  {
    script: '15-remote-module.js',
    code: 107,
    expect: ({ run }) => {
      expect(run.stderr).toContain('https://jslib.k6.io/aws/0.11.0/s3.js');
      expect(run.stderr).toContain('is not available to the embedded engine');
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    },
  },
  {
    script: '16-setup-teardown.js',
    code: 0,
    expect: ({ checks, metrics }) => {
      expect(checks['token sent']).toEqual({ passes: 3, fails: 0 });
      expect(metrics['checks{check:token sent}']).toMatchObject({ value: 1, thresholds: { 'rate==1': false } });
    },
  },
  {
    script: '17-bad-threshold.js',
    code: 104,
    expect: ({ run }) => expect(run.stderr).toContain('uses p(95), which a counter metric does not have (expected count, rate)'),
  },
  {
    script: '18-summary-options.js',
    code: 0,
    expect: ({ run, metrics }) => {
      expect(Object.keys(metrics.http_req_duration ?? {}).sort()).toEqual(['count', 'min', 'p(99)']);
      expect(run.stdout).toMatch(/http_req_duration\.+: min=\d+\.\d\dms +p\(99\)=\d+\.\d\dms +count=2/);
    },
  },
  {
    script: '18-summary-options.js',
    args: ['--summary-trend-stats', 'avg,max', '--summary-time-unit', 'us'],
    code: 0,
    expect: ({ run }) => expect(run.stdout).toMatch(/http_req_duration\.+: avg=\d+\.\d\dµs +max=\d+\.\d\dµs\s/),
  },
  {
    script: '19-graceful-stop.js',
    code: 0,
    expect: ({ metrics }) => {
      // 2 iterations planned in 500 ms at 4/s both started, then cut 300 ms after the end.
      expect(num(metrics, 'http_reqs', 'count')).toBe(2);
      expect(metrics.iterations).toBeUndefined();
      expect(metrics.iteration_duration).toBeUndefined();
      expect(metrics.dropped_iterations).toBeUndefined();
    },
  },
  {
    script: '20-sequential-scenarios.js',
    code: 0,
    expect: ({ checks, run }) => {
      expect(checks['warmup env']).toEqual({ passes: 2, fails: 0 });
      expect(checks['main env']).toEqual({ passes: 4, fails: 0 });
      expect(checks['a VU of the pool']).toEqual({ passes: 4, fails: 0 });
      // -q: as k6, no execution description (its "2 scenarios, 2 max VUs" is tested without -q).
      expect(run.stdout).not.toContain('execution: local');
    },
  },
  {
    script: '21-html.js',
    code: 0,
    expect: eachCheckPassedOnce(13),
  },
  {
    script: '22-cookies.js',
    code: 0,
    expect: ({ checks }) => allPassed(checks, 13, 2),
  },
  {
    script: '23-auth.js',
    code: 0,
    expect: ({ checks, metrics }) => {
      allPassed(checks, 6, 1);
      // As k6 (api-probes/auth): a digest exchange is two requests, its first 401 expected; the
      // wrong basic and the wrong digest's second 401 are the failures.
      expect(num(metrics, 'http_reqs', 'count')).toBe(7);
      expect(metrics.http_req_failed).toMatchObject({ passes: 2, fails: 5 });
    },
  },
  {
    script: '24-forms.js',
    code: 0,
    expect: ({ checks }) => allPassed(checks, 8, 1),
  },
  {
    script: '25-http-options.js',
    code: 0,
    expect: ({ checks, metrics }) => {
      allPassed(checks, 8, 1);
      // 1 + 3 (redirects: 5 of a 2-redirect chain) + 2 + 1 + 2 + 6 + 8.
      expect(num(metrics, 'http_reqs', 'count')).toBe(23);
    },
  },
  {
    script: '26-throw-errors.js',
    code: 0,
    expect: ({ checks, metrics, run }) => {
      allPassed(checks, 4, 1);
      // Thrown or not, a failed request is measured; only the one not thrown is logged (as k6).
      expect(metrics.http_req_failed).toMatchObject({ passes: 3, fails: 0 });
      expect(run.stderr.match(/msg="Request Failed"/g)).toHaveLength(1);
      expect(run.stderr).toContain(
        'level=warning msg="Request Failed" error="Get \\"http://127.0.0.1:1/\\": dial tcp 127.0.0.1:1: connect: connection refused"',
      );
    },
  },
  {
    script: '27-vu-connections.js',
    code: 0,
    expect: ({ checks }) => allPassed(checks, 1, 3),
  },
  {
    script: '28-click-submit.js',
    code: 0,
    expect: ({ checks }) => allPassed(checks, 6, 1),
  },
];

/** The page 21-html.js reads with Response.html(). */
const PAGE = `<!DOCTYPE html><html><head><title>Shelf</title></head><body>
<h1>Books &amp; more</h1>
<section id="shelf" data-shelf-size="3" data-open="true" data-meta='{"kind":"books"}' data-label="front">
<ul><li class="book fav" id="b1" data-id="1">Dune</li><li class="book" data-id="2">Emma</li><li class="book fav" data-id="3">Ulysses</li><li class="ad">Ad</li></ul>
</section>
<a id="next" href="/page/2">next</a>
<form><input name="q" value="sci-fi"><textarea>notes</textarea>
<select id="single"><option value="a">A</option><option value="b" selected>B</option></select>
<select id="multi" multiple><option value="x" selected>X</option><option value="y">Y</option><option selected>z</option></select></form>
</body></html>`;

let srv: Loopback;
let bin: Loopback;
const outcomes = new Map<Case, Outcome>();
const dirs: string[] = [];

beforeAll(async () => {
  srv = await loopback((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      switch (path) {
        case '/json':
          res.setHeader('Content-Type', 'application/json');
          return res.end(JSON.stringify({ items: [1, 2, 3] }));
        case '/echo':
          res.setHeader('Content-Type', 'application/json');
          return res.end(body);
        case '/slow':
          return void setTimeout(() => res.end('slow'), 100);
        case '/status/500':
          res.statusCode = 500;
          return res.end('error');
        case '/auth':
          res.statusCode = req.headers['x-token'] === 'abc123' ? 200 : 401;
          return res.end();
        case '/page.html':
          res.setHeader('Content-Type', 'text/html');
          return res.end(PAGE);
        default:
          res.setHeader('Content-Type', 'text/html');
          return res.end('<html><head><title>Home</title></head><body>hi</body></html>');
      }
    });
  });
  bin = await httpbin();
  // Three engines at a time: the machine has two cores, most of a run is waiting.
  const queue = [...CASES];
  const worker = async (): Promise<void> => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const dir = mkdtempSync(join(tmpdir(), 'k6-doc-'));
      dirs.push(dir);
      const run = await runEngineInProcess(
        [
          'run',
          '-q',
          '--no-color',
          '-e',
          `BASE=${srv.base}`,
          '-e',
          `HTTPBIN=${bin.base}`,
          '--summary-export',
          'export.json',
          ...(c.args ?? []),
          join(examples, c.script),
        ],
        dir,
      );
      const exp = existsSync(join(dir, 'export.json'))
        ? (JSON.parse(readFileSync(join(dir, 'export.json'), 'utf8')) as { metrics: Metrics; root_group: unknown })
        : { metrics: {}, root_group: {} };
      const checks: Outcome['checks'] = {};
      const walk = (g: {
        checks?: Record<string, { name: string; passes: number; fails: number }>;
        groups?: Record<string, unknown>;
      }): void => {
        for (const c2 of Object.values(g.checks ?? {})) checks[c2.name] = { passes: c2.passes, fails: c2.fails };
        for (const sub of Object.values(g.groups ?? {})) walk(sub as typeof g);
      };
      walk(exp.root_group as Parameters<typeof walk>[0]);
      outcomes.set(c, { run, metrics: exp.metrics, checks, dir });
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  // A bound on a hang, not a speed check: an engine run takes up to ~10 s on the shared machine under load.
}, CASES.length * 10_000);

afterAll(async () => {
  await srv?.close();
  await bin?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('k6 documentation-style examples on the embedded engine', () => {
  it.each(CASES.map((c) => [`${c.script}${c.args ? ` ${c.args.join(' ')}` : ''}`, c] as const))('%s', (_name, c) => {
    const o = outcomes.get(c)!;
    expect(o.run.code, o.run.stderr).toBe(c.code);
    c.expect(o);
  });
});

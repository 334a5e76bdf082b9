import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLoopbackServer } from '../../test/testkit/loopback.ts';
import { bundleScenario, resolveScenario } from '../bundle.ts';
import { inProcessEngine } from '../../test/testkit/in-process-engine.ts';
import { Metric } from '../../formats/k6/csv.ts';
import { startDemoTarget, type DemoTarget } from './server.ts';

let tmp: string;
let target: DemoTarget;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'search-scenario-'));
  target = await startDemoTarget({ seed: 11 });
});
afterAll(async () => {
  await target.close();
  await rm(tmp, { recursive: true, force: true });
});

it('the bundled search scenario runs on the embedded engine against the demo target: the whole journey, tagged, checked', async () => {
  const { entry } = await resolveScenario('search', tmp);
  const bundle = await bundleScenario(entry, join(tmp, 'dist'));
  const engine = inProcessEngine();
  const csvPath = join(tmp, 'out.csv');
  const outcome = await engine.runStage({
    scriptPath: bundle.path,
    // Short think times so 3 users make a few iterations in 2 s.
    env: { HOST: target.url, USERS: '3', RAMP_RATE: '6', HOLD: '1500ms', THINK_MIN: '0.05', THINK_MAX: '0.15' },
    stages: [
      { durationMs: 500, target: 3 },
      { durationMs: 1500, target: 3 },
    ],
    csvOutputs: [csvPath],
    summaryExportPath: join(tmp, 'summary.json'),
    logPath: join(tmp, 'engine.log'),
    csvTimeFormat: 'unix_milli',
    signal: new AbortController().signal,
  });
  const log = await readFile(join(tmp, 'engine.log'), 'utf8');
  expect(outcome.exitCode, log).toBe(0);

  const rows = parse<Record<string, string>>(await readFile(csvPath, 'utf8'), { columns: true });
  const requests = rows.filter((r) => r.metric_name === Metric.httpReqs);
  const names = new Set(requests.map((r) => r.name));
  expect([...names].sort()).toEqual(['home', 'result', 'search']);
  expect(requests.every((r) => r.status === '200' && r.scenario === 'default')).toBe(true);
  const checks = rows.filter((r) => r.metric_name === Metric.checks);
  expect(new Set(checks.map((r) => r.check))).toEqual(
    new Set([
      'home: status 200',
      'home: has a body',
      'search: status 200',
      'search: has results',
      'result: status 200',
      'result: shows the result',
    ]),
  );
  expect(checks.every((r) => r.metric_value === '1.000000')).toBe(true);
  // The demo target saw what the engine recorded.
  const stats = target.stats();
  expect(stats.byRoute.search).toBe(requests.filter((r) => r.name === 'search').length);
  expect(stats.ok).toBe(requests.length);
});

it('without HOST the scenario fails in its init code with a message naming HOST (k6 exit 107)', async () => {
  const { entry } = await resolveScenario('search', tmp);
  const bundle = await bundleScenario(entry, join(tmp, 'dist-nohost'));
  const engine = inProcessEngine();
  const before = target.stats().received;
  const outcome = await engine.runStage({
    scriptPath: bundle.path,
    env: { USERS: '1' },
    stages: [{ durationMs: 500, target: 1 }],
    csvOutputs: [join(tmp, 'nohost.csv')],
    summaryExportPath: join(tmp, 'nohost.json'),
    logPath: join(tmp, 'nohost.log'),
    csvTimeFormat: 'unix_milli',
    signal: new AbortController().signal,
  });
  expect(outcome.exitCode).toBe(107);
  expect(await readFile(join(tmp, 'nohost.log'), 'utf8')).toMatch(/HOST: the base URL of the service under test is required/);
  expect(target.stats().received).toBe(before);
});

it('credentials from --host and an environment’s headers reach the service through the environment, never a URL or a file', async () => {
  const expected = `Basic ${Buffer.from('alice:p@ss:word').toString('base64')}`;
  let denied = 0;
  const server = await startLoopbackServer((req, res) => {
    if (req.headers.authorization !== expected || req.headers['x-tenant'] !== 'blue' || req.headers['x-api-key'] !== 'k3y-secret') {
      denied += 1;
      res.writeHead(401).end();
      return;
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    res.writeHead(200, { 'content-type': path === '/search' ? 'application/json' : 'text/html' });
    res.end(path === '/search' ? '{"results":[{"id":"7"}]}' : path === '/items/7' ? '<h1>7</h1>' : '<h1>home</h1>');
  });
  try {
    const { entry } = await resolveScenario('search', tmp);
    const bundle = await bundleScenario(entry, join(tmp, 'dist-auth'));
    const engine = inProcessEngine();
    const spec = {
      scriptPath: bundle.path,
      env: { HOST: server.url, THINK_MIN: '0.05', THINK_MAX: '0.1' },
      secretEnv: { HOST_USERNAME: 'alice', HOST_PASSWORD: 'p@ss:word', HOST_HEADERS: '{"X-Tenant":"blue","X-Api-Key":"k3y-secret"}' },
      stages: [{ durationMs: 800, target: 1 }],
      csvOutputs: [join(tmp, 'auth.csv')],
      summaryExportPath: join(tmp, 'auth.json'),
      logPath: join(tmp, 'auth.log'),
      csvTimeFormat: 'unix_milli' as const,
      signal: new AbortController().signal,
    };
    const outcome = await engine.runStage(spec);
    expect(outcome.exitCode, await readFile(spec.logPath, 'utf8')).toBe(0);
    const csv = await readFile(spec.csvOutputs[0]!, 'utf8');
    const rows = parse<Record<string, string>>(csv, { columns: true }).filter((r) => r.metric_name === Metric.httpReqs);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.status === '200')).toBe(true);
    expect(denied).toBe(0);
    const { k6RunArgs } = await import('../engines/process-engine.ts');
    const { OLDEST_K6 } = await import('../engines/k6-version.ts');
    for (const text of [
      csv,
      await readFile(spec.logPath, 'utf8'),
      await readFile(spec.summaryExportPath, 'utf8'),
      k6RunArgs(spec, OLDEST_K6).join(' '),
    ]) {
      expect(text).not.toContain('p@ss:word');
      expect(text).not.toContain('k3y-secret');
    }
  } finally {
    await server.close();
  }
});

/**
 * The three WebSocket scripts a real k6 v0.48 ran (`__fixtures__/k6-websockets/`), run on the
 * embedded engine against the same server started here on 127.0.0.1: the console lines, the CSV
 * rows (metric, tags), the summary export's keys and the exit code must be k6's.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { csvRows, runEngineInProcess, wsLoopback, type CsvRow } from '../test/testkit/engine-runs.ts';

const fixtures = fileURLToPath(new URL('./__fixtures__/k6-websockets/', import.meta.url));
/** Where the server listened when k6 recorded the fixtures. */
const RECORDED = 'ws://127.0.0.1:18310';
/** The tag columns a row is compared on (timestamps and values are the run's own). */
const TAGS = ['check', 'error', 'error_code', 'expected_response', 'group', 'method', 'name', 'proto', 'scenario', 'status', 'url'];

const fixture = (file: string, ws: string): string => readFileSync(join(fixtures, file), 'utf8').replaceAll(RECORDED, ws);
const consoleLines = (log: string): string[] =>
  log
    .split('\n')
    .filter((l) => l.includes('source=console'))
    .map((l) => l.replace(/^time="[^"]*" /, ''));
const rowKey = (r: CsvRow): string => [r.metric_name, ...TAGS.map((t) => `${t}=${r[t] ?? ''}`)].join(' ');
/**
 * `vus` and `vus_max` are sampled once a second by the test's clock, not by the sessions: k6's runs
 * ended within that second (none in the fixtures); a run slowed by a loaded machine has some more.
 */
const PERIODIC = new Set(['vus', 'vus_max']);
const sessionRows = (rows: CsvRow[]): CsvRow[] => rows.filter((r) => !PERIODIC.has(r.metric_name!));
type Export = { metrics: Record<string, Record<string, number>> };
/** Each metric's keys in the summary export, the periodic ones left out (as from the rows). */
const shape = (e: Export): Record<string, string[]> =>
  Object.fromEntries(
    Object.entries(e.metrics)
      .filter(([k]) => !PERIODIC.has(k))
      .map(([k, v]) => [k, Object.keys(v).sort()] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );

describe('k6/ws and k6/experimental/websockets, as k6 v0.48 ran them', () => {
  let server: Awaited<ReturnType<typeof wsLoopback>>;
  let dir: string;
  beforeAll(async () => {
    // What is tested is the sessions, not the VU threads' priority: at nice 10 (engine/worker.ts)
    // a VU gets a tenth of a nice-0 thread's share, and on a machine at load ~100 it did not open
    // its session within the held scenario's 3 s.
    vi.stubEnv('K6_EMBEDDED_VU_NICE', '0');
    server = await wsLoopback();
    dir = mkdtempSync(join(tmpdir(), 'k6ws-'));
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (name: string) => {
    const csv = join(dir, `${name}.csv`);
    const exp = join(dir, `${name}.json`);
    const r = await runEngineInProcess(
      [
        'run',
        '--quiet',
        '--no-summary',
        '-e',
        `WS=${server.ws}`,
        '--out',
        `csv=${csv}`,
        '--summary-export',
        exp,
        join(fixtures, `${name}.js`),
      ],
      dir,
    );
    return { ...r, rows: csvRows(readFileSync(csv, 'utf8')), exp: JSON.parse(readFileSync(exp, 'utf8')) as Export };
  };

  // Sessions are timed by the server's 30 ms answers, not by k6: the order of rows within a
  // session follows the frames, so it is k6's where the frames' order is fixed (ws-legacy).
  it.each([
    ['ws-legacy', true],
    ['ws-echo', false],
    ['ws-experimental', false],
  ])('%s: console lines, metric rows with their tags, summary-export keys, exit 0', async (name, ordered) => {
    const r = await run(name);
    expect(r.code, r.stderr).toBe(0);
    expect(consoleLines(r.stderr)).toEqual(consoleLines(fixture(`${name}.k6-log.txt`, server.ws)));
    const want = csvRows(fixture(`${name}.csv`, server.ws)).map(rowKey);
    // The periodic rows, if any, are the script's one VU's.
    for (const row of r.rows.filter((x) => PERIODIC.has(x.metric_name!))) expect(['0.000000', '1.000000']).toContain(row.metric_value);
    const got = sessionRows(r.rows).map(rowKey);
    if (ordered) expect(got).toEqual(want);
    else expect([...got].sort()).toEqual([...want].sort());
    const k6 = JSON.parse(fixture(`${name}.summary-export.json`, server.ws)) as Export;
    expect(shape(r.exp)).toEqual(shape(k6));
    for (const m of ['ws_sessions', 'ws_msgs_sent', 'ws_msgs_received', 'iterations'])
      expect(r.exp.metrics[m]!.count, m).toBe(k6.metrics[m]!.count);
  });

  // One run, two scenarios: a refused session, and a session still open when its scenario ends.
  // 3 s, not 1: at load ~12 the VU thread (nice 10) did not always open its session within 1 s,
  // and a session never opened leaves no duration to record.
  it('a session refused: k6 warns, ws.connect answers with the error, no ws_* rows; a session cut by the end of its scenario is closed', async () => {
    const script = join(dir, 'refused-and-held.js');
    writeFileSync(
      script,
      `import ws from 'k6/ws';
export const options = { scenarios: {
  refused: { executor: 'shared-iterations', iterations: 1, exec: 'refused' },
  held: { executor: 'constant-vus', vus: 1, duration: '3s', gracefulStop: '0s', exec: 'held' },
} };
export function refused() {
  const res = ws.connect(__ENV.CLOSED + '/nowhere', {}, () => { throw new Error('never set up'); });
  console.log('status ' + res.status + ' ' + (res.error !== ''));
}
export function held() {
  ws.connect(__ENV.WS + '/echo', null, (s) => { s.on('open', () => s.send('x')); });
}`,
    );
    const closed = server.ws.replace(/:\d+$/, ':1');
    const csv = join(dir, 'refused.csv');
    const r = await runEngineInProcess(
      ['run', '--quiet', '--no-summary', '-e', `WS=${server.ws}`, '-e', `CLOSED=${closed}`, '--out', `csv=${csv}`, script],
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('level=warning msg="Attempt to establish a WebSocket connection failed"');
    expect(r.stderr).toContain('msg="status 0 true"');
    const rows = csvRows(readFileSync(csv, 'utf8'));
    expect(rows.filter((row) => row.metric_name!.startsWith('ws_') && row.scenario === 'refused')).toEqual([]);
    // The held session was closed by the end of its scenario: its duration is recorded, no iteration counted.
    expect(rows.filter((row) => row.metric_name === 'ws_session_duration' && row.scenario === 'held')).toHaveLength(1);
    expect(rows.filter((row) => row.metric_name === 'iterations' && row.scenario === 'held')).toEqual([]);
  });
});

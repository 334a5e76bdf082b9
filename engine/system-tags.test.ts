import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CSV_COLUMNS } from '../formats/k6/csv.ts';
import { csvHeader, csvTail, tagColumns } from './csv-output.ts';
import { DEFAULT_SYSTEM_TAGS, parseSystemTags, systemTagPlan, withoutTags } from './system-tags.ts';
import { csvRows, loopback, runEngineInProcess, type CsvRow, type Loopback } from '../test/testkit/engine-runs.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const featureTests = join(here, '..', 'formats', 'k6', '__fixtures__', 'feature-tests');
const fixtureScript = readFileSync(join(featureTests, 'f-metadata-vu-iter.js'), 'utf8');
const fixtureCsv = readFileSync(join(featureTests, 'f-metadata-vu-iter.csv'), 'utf8');
/** The URL the fixture was recorded against (k6's fixture server), replaced by the test's own server. */
const FIXTURE_BASE = 'http://127.0.0.1:18090';

/** `a=1&b=2` → the sorted keys (k6 writes them in Go map order, which varies from row to row). */
const keys = (pairs: string): string[] =>
  pairs
    ? pairs
        .split('&')
        .map((p) => p.slice(0, p.indexOf('=')))
        .sort()
    : [];

describe('systemTags, pure', () => {
  it("k6's default set gives k6's default CSV header", () => {
    const plan = systemTagPlan(null);
    expect(plan.columns).toEqual(CSV_COLUMNS.slice(3, -2));
    expect(plan.drop).toEqual([]);
    expect(csvHeader(tagColumns(plan.columns))).toBe(`${CSV_COLUMNS.join(',')}\n`);
    expect(systemTagPlan([...DEFAULT_SYSTEM_TAGS])).toEqual(plan);
  });

  it("the fixture's set gives the fixture's header; vu and iter go to metadata, not columns", () => {
    const m = /systemTags: (\[[^\]]*\])/.exec(fixtureScript);
    const list = JSON.parse(m![1]!.replaceAll("'", '"')) as unknown;
    const plan = systemTagPlan(parseSystemTags(list, 'systemTags'));
    expect(csvHeader(tagColumns(plan.columns))).toBe(`${fixtureCsv.split('\n')[0]}\n`);
    expect(plan).toMatchObject({ vu: true, iter: true });
    expect(plan.drop).toEqual(['proto', 'tls_version']);
  });

  it('reads a comma-separated flag value and rejects an unknown tag, naming it', () => {
    expect(parseSystemTags('status, url,ip,ocsp_status', 'f')).toEqual(['status', 'url', 'ip', 'ocsp_status']);
    expect(() => parseSystemTags(['status', 'host'], 'invalid option systemTags')).toThrow(
      /^invalid option systemTags: "host" is not a system tag: expected some of proto, /,
    );
    expect(() => parseSystemTags(42, 'systemTags')).toThrow('expected a list of system tags');
  });

  it('a tag left out goes from the sample, and a tag that is no column goes to extra_tags', () => {
    const tags = { status: '200', proto: 'HTTP/1.1', mytag: 'v' };
    expect(withoutTags(tags, ['method'])).toBe(tags);
    expect(withoutTags(tags, ['proto'])).toEqual({ status: '200', mytag: 'v' });
    expect(csvTail(tags, { vu: '1' }, tagColumns(['proto', 'status']))).toBe(',HTTP/1.1,200,mytag=v,vu=1\n');
  });
});

describe('systemTags on the embedded engine', () => {
  let server: Loopback;
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k6-systags-'));
    server = await loopback((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"results":[]}');
    });
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs f-metadata-vu-iter.js: k6's header, and its extra_tags and metadata keys per metric", async () => {
    writeFileSync(join(dir, 'f.js'), fixtureScript.replaceAll(FIXTURE_BASE, server.base));
    const r = await runEngineInProcess(['run', '-q', '--no-summary', '--out', 'csv=out.csv', 'f.js'], dir);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(join(dir, 'out.csv'), 'utf8');
    expect(text.split('\n')[0]).toBe(fixtureCsv.split('\n')[0]);
    const byMetric = (rows: CsvRow[]): Map<string, { extra: string[]; meta: string[] }> =>
      new Map(
        rows
          .filter((x) => !x.metric_name!.startsWith('vus'))
          .map((x) => [x.metric_name!, { extra: keys(x.extra_tags!), meta: keys(x.metadata!) }]),
      );
    const want = byMetric(csvRows(fixtureCsv));
    const got = byMetric(csvRows(text));
    expect(got).toEqual(want);
    // The values too: vu 1, its first iteration, the script's own tag and metadata.
    const reqs = csvRows(text).find((x) => x.metric_name === 'http_reqs')!;
    expect(Object.fromEntries(new URLSearchParams(reqs.metadata))).toEqual({ iter: '0', trace_id: 'abc', vu: '1' });
    expect(Object.fromEntries(new URLSearchParams(reqs.extra_tags))).toEqual({ env: 'dev', mytag: 'v' });
    expect(reqs).toMatchObject({
      name: 'athlete_search',
      url: 'athlete_search',
      method: 'GET',
      status: '200',
      scenario: 'default',
      expected_response: 'true',
    });
  });

  it('--system-tags takes over: dropped tags leave the CSV and the submetrics, the checks summary stays', async () => {
    writeFileSync(
      join(dir, 'g.js'),
      `
      import http from 'k6/http';
      import { check, group } from 'k6';
      export const options = { vus: 1, iterations: 2, thresholds: { 'http_reqs{status:200}': ['count==0'], 'http_reqs{scenario:default}': ['count==2'] } };
      export default function () {
        group('g', () => check(http.get('${server.base}/x'), { 'is 200': (r) => r.status === 200 }));
      }`,
    );
    const r = await runEngineInProcess(
      ['run', '--system-tags', 'scenario,check', '--out', 'csv=g.csv', '--summary-export', 'sum.json', 'g.js'],
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(join(dir, 'g.csv'), 'utf8');
    expect(text.split('\n')[0]).toBe('metric_name,timestamp,metric_value,check,scenario,extra_tags,metadata');
    const rows = csvRows(text);
    expect(rows.filter((x) => x.metric_name === 'checks').map((x) => [x.check, x.extra_tags])).toEqual([
      ['is 200', ''],
      ['is 200', ''],
    ]);
    expect(rows.filter((x) => x.metric_name === 'http_reqs').map((x) => x.extra_tags)).toEqual(['', '']);
    const sum = JSON.parse(readFileSync(join(dir, 'sum.json'), 'utf8')) as {
      root_group: { groups: Record<string, { checks: Record<string, { passes: number }> }> };
    };
    expect(sum.root_group.groups.g!.checks['is 200']!.passes).toBe(2);
  });

  it('an unknown system tag in the options is exit 104 with one line naming it; in the flag, bad usage (255)', async () => {
    writeFileSync(join(dir, 'bad.js'), `export const options = { systemTags: ['status', 'hostname'] };\nexport default function () {}\n`);
    const r = await runEngineInProcess(['run', '-q', 'bad.js'], dir);
    expect(r.code).toBe(104);
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.includes('hostname'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('systemTags');
    const f = await runEngineInProcess(['run', '-q', '--system-tags', 'status,bogus', 'bad.js'], dir);
    expect(f.code).toBe(255);
    expect(f.stderr).toMatch(/--system-tags.*bogus.* is not a system tag/);
  });
});

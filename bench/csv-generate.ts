import { closeSync, createReadStream, createWriteStream, openSync, writeSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { CSV_COLUMNS, HTTP_REQUEST_METRICS, ITERATION_METRICS, Metric, csvField, formatValue } from '../formats/k6/csv.ts';

/**
 * Writes a k6 CSV the way k6 v0.48 writes `--out csv` with K6_CSV_TIME_FORMAT=unix_milli: the
 * default header, 9 rows per request, a `checks` and a `group_duration` row per grouped call,
 * 4 rows per iteration, `vus`/`vus_max` every second, Go csv quoting (check names and error
 * messages with commas and quotes). The shape of a stage: `users` users ramped over `rampS`,
 * then held; each iteration a grouped `search` and an ungrouped home page request, users spread over two
 * scenarios and two groups (one named with a comma, as real scripts do).
 */
export interface GenerateOptions {
  rows: number;
  users?: number;
  rampS?: number;
  seed?: number;
}

export interface GeneratedStage {
  rows: number;
  users: number;
  rampMs: number;
  holdMs: number;
}

export function generateK6Csv(path: string, options: GenerateOptions): GeneratedStage {
  const users = options.users ?? 150;
  const rampMs = (options.rampS ?? 30) * 1000;
  let seed = options.seed ?? 12345;
  // xorshift32: reproducible, fast, good enough for synthetic latencies.
  const rnd = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
  const t0 = 1_795_355_090_000;
  const fd = openSync(path, 'w');
  let buf: string[] = [];
  let bytesPending = 0;
  const emit = (line: string): void => {
    buf.push(line);
    bytesPending += line.length;
    if (bytesPending > 1 << 20) flush();
  };
  const flush = (): void => {
    writeSync(fd, buf.join(''));
    buf = [];
    bytesPending = 0;
  };
  emit(`${CSV_COLUMNS.join(',')}\n`);
  let rows = 0;
  const cols = (c: Partial<Record<(typeof CSV_COLUMNS)[number], string>>): string =>
    CSV_COLUMNS.slice(3)
      .map((k) => csvField(c[k] ?? ''))
      .join(',');
  const searchUrl = 'https://shop.example.com/api/v2/search?q=red,shoes&page=2';
  const homeUrl = 'https://shop.example.com/';
  // Real runs carry several scenarios and groups; a group name with a comma makes k6 (Go csv)
  // quote the field, so about a third of the rows hold quoted fields as in the CSV.
  const tagsFor = (scenario: string, group: string) => ({
    ok: cols({
      expected_response: 'true',
      group,
      method: 'GET',
      name: 'search',
      proto: 'HTTP/2.0',
      scenario,
      status: '200',
      url: 'search',
    }),
    err500: cols({
      error_code: '1500',
      expected_response: 'false',
      group,
      method: 'GET',
      name: 'search',
      proto: 'HTTP/2.0',
      scenario,
      status: '500',
      url: 'search',
    }),
    timeout: cols({
      error: `Get "${searchUrl}": request timeout`,
      error_code: '1050',
      expected_response: 'false',
      group,
      method: 'GET',
      name: 'search',
      scenario,
      status: '0',
      url: 'search',
    }),
    home: cols({ expected_response: 'true', method: 'GET', name: homeUrl, proto: 'HTTP/2.0', scenario, status: '200', url: homeUrl }),
    checkOk: cols({ check: 'status is 200, "results" present', group, scenario }),
    group: cols({ group, scenario }),
    plain: cols({ scenario }),
    none: cols({}),
  });
  const variants = [tagsFor('browse', '::find, then open'), tagsFor('browse', '::search'), tagsFor('checkout', '::find, then open')];
  const row = (metric: string, t: number, v: number, tagText: string): void => {
    emit(`${metric},${t},${formatValue(v)},${tagText}\n`);
    rows++;
  };
  const request = (t: number, durationMs: number, tagText: string, failed: boolean): void => {
    const parts = [1, durationMs, rnd() * 0.01, 0, 0, 0.02, durationMs * 0.98, 0.1, failed ? 1 : 0];
    HTTP_REQUEST_METRICS.forEach((m, i) => row(m, t, parts[i]!, tagText));
  };
  // Each user's next iteration start, ms after t0; users start one by one over the ramp.
  const next = Array.from({ length: users }, (_, u) => (u * rampMs) / users);
  let lastVus = -1;
  while (rows < options.rows) {
    let u = 0;
    for (let i = 1; i < users; i++) if (next[i]! < next[u]!) u = i;
    const t = next[u]!;
    const second = Math.floor(t / 1000);
    if (second !== lastVus) {
      lastVus = second;
      const vus = Math.min(users, Math.floor((t / rampMs) * users) + 1);
      row(Metric.vus, t0 + second * 1000, vus, variants[0]!.none);
      row(Metric.vusMax, t0 + second * 1000, users, variants[0]!.none);
    }
    const tags = variants[u % variants.length]!;
    // Log-normal-ish search latency around 120 ms; 4 % of searches fail (3 % 500s, 1 % timeouts): 2 % of requests.
    const r = rnd();
    const kind = r < 0.01 ? tags.timeout : r < 0.04 ? tags.err500 : tags.ok;
    const search = kind === tags.timeout ? 60_000 : Math.exp(Math.log(120) + 0.5 * (rnd() + rnd() + rnd() - 1.5));
    const ts = Math.round(t0 + t + search);
    request(ts, search, kind, kind !== tags.ok);
    row(Metric.checks, ts, kind === tags.ok ? 1 : 0, tags.checkOk);
    row(Metric.groupDuration, ts, search + 0.3, tags.group);
    const home = 2 + rnd() * 3;
    const th = Math.round(ts + home);
    request(th, home, tags.home, false);
    const iter = search + home + 500;
    const te = Math.round(t0 + t + iter);
    const values = [420, 1150, iter, 1];
    ITERATION_METRICS.forEach((m, i) => row(m, te, values[i]!, tags.plain));
    next[u] = t + iter;
  }
  flush();
  closeSync(fd);
  const lastMs = Math.max(...next);
  return { rows, users, rampMs, holdMs: Math.max(1000, Math.floor(lastMs - rampMs)) };
}

/** gzip as k6 does for `--out csv=file.gz` (Go's default compression level, 6). */
export async function gzipFile(from: string, to: string): Promise<void> {
  await pipeline(createReadStream(from), createGzip({ level: 6 }), createWriteStream(to));
}

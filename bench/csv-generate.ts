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

type Column = (typeof CSV_COLUMNS)[number];

/** The tag columns of a row (all but metric_name, timestamp, metric_value), quoted as Go csv does. */
function tagColumns(c: Partial<Record<Column, string>>): string {
  return CSV_COLUMNS.slice(3)
    .map((k) => csvField(c[k] ?? ''))
    .join(',');
}

const SEARCH_URL = 'https://shop.example.com/api/v2/search?q=red,shoes&page=2';
const HOME_URL = 'https://shop.example.com/';

/**
 * The tag columns of each kind of row for one scenario and group. Real runs carry several
 * scenarios and groups; a group name with a comma makes k6 (Go csv) quote the field, so about a
 * third of the rows hold quoted fields as in the CSV.
 */
function tagsFor(scenario: string, group: string) {
  const search = { group, method: 'GET', name: 'search', scenario, url: 'search' };
  return {
    ok: tagColumns({ ...search, expected_response: 'true', proto: 'HTTP/2.0', status: '200' }),
    err500: tagColumns({ ...search, error_code: '1500', expected_response: 'false', proto: 'HTTP/2.0', status: '500' }),
    timeout: tagColumns({
      ...search,
      error: `Get "${SEARCH_URL}": request timeout`,
      error_code: '1050',
      expected_response: 'false',
      status: '0',
    }),
    home: tagColumns({
      expected_response: 'true',
      method: 'GET',
      name: HOME_URL,
      proto: 'HTTP/2.0',
      scenario,
      status: '200',
      url: HOME_URL,
    }),
    checkOk: tagColumns({ check: 'status is 200, "results" present', group, scenario }),
    group: tagColumns({ group, scenario }),
    plain: tagColumns({ scenario }),
    none: tagColumns({}),
  };
}
type Tags = ReturnType<typeof tagsFor>;

/** Rows written through a 1 MiB buffer, counted. */
class CsvWriter {
  rows = 0;
  private readonly fd: number;
  private pending: string[] = [];
  private bytes = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
    this.line(`${CSV_COLUMNS.join(',')}\n`);
  }

  row(metric: string, t: number, v: number, tags: string): void {
    this.line(`${metric},${t},${formatValue(v)},${tags}\n`);
    this.rows++;
  }

  /** The 9 rows of one HTTP request, in k6's order. */
  request(t: number, durationMs: number, tags: string, failed: boolean, rnd: () => number): void {
    const parts = [1, durationMs, rnd() * 0.01, 0, 0, 0.02, durationMs * 0.98, 0.1, failed ? 1 : 0];
    HTTP_REQUEST_METRICS.forEach((m, i) => this.row(m, t, parts[i]!, tags));
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private line(text: string): void {
    this.pending.push(text);
    this.bytes += text.length;
    if (this.bytes > 1 << 20) this.flush();
  }

  private flush(): void {
    writeSync(this.fd, this.pending.join(''));
    this.pending = [];
    this.bytes = 0;
  }
}

/** xorshift32: reproducible, fast, good enough for synthetic latencies. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/**
 * One user's iteration started at t (ms since t0): a grouped search (4 % fail: 3 % 500s, 1 %
 * timeouts, so 2 % of requests), its check and group duration, the home page, the iteration's
 * rows. Returns how long it lasted.
 */
function iteration(out: CsvWriter, t0: number, t: number, tags: Tags, rnd: () => number): number {
  const r = rnd();
  const kind = r < 0.01 ? tags.timeout : r < 0.04 ? tags.err500 : tags.ok;
  // Log-normal-ish search latency around 120 ms.
  const search = kind === tags.timeout ? 60_000 : Math.exp(Math.log(120) + 0.5 * (rnd() + rnd() + rnd() - 1.5));
  const ts = Math.round(t0 + t + search);
  out.request(ts, search, kind, kind !== tags.ok, rnd);
  out.row(Metric.checks, ts, kind === tags.ok ? 1 : 0, tags.checkOk);
  out.row(Metric.groupDuration, ts, search + 0.3, tags.group);
  const home = 2 + rnd() * 3;
  out.request(Math.round(ts + home), home, tags.home, false, rnd);
  const iter = search + home + 500;
  const values = [420, 1150, iter, 1];
  ITERATION_METRICS.forEach((m, i) => out.row(m, Math.round(t0 + t + iter), values[i]!, tags.plain));
  return iter;
}

export function generateK6Csv(path: string, options: GenerateOptions): GeneratedStage {
  const users = options.users ?? 150;
  const rampMs = (options.rampS ?? 30) * 1000;
  const rnd = random(options.seed ?? 12345);
  const t0 = 1_795_355_090_000;
  const out = new CsvWriter(path);
  const variants = [tagsFor('browse', '::find, then open'), tagsFor('browse', '::search'), tagsFor('checkout', '::find, then open')];
  // Each user's next iteration start, ms after t0; users start one by one over the ramp.
  const next = Array.from({ length: users }, (_, u) => (u * rampMs) / users);
  let lastVus = -1;
  while (out.rows < options.rows) {
    let u = 0;
    for (let i = 1; i < users; i++) if (next[i]! < next[u]!) u = i;
    const t = next[u]!;
    const second = Math.floor(t / 1000);
    if (second !== lastVus) {
      lastVus = second;
      out.row(Metric.vus, t0 + second * 1000, Math.min(users, Math.floor((t / rampMs) * users) + 1), variants[0]!.none);
      out.row(Metric.vusMax, t0 + second * 1000, users, variants[0]!.none);
    }
    next[u] = t + iteration(out, t0, t, variants[u % variants.length]!, rnd);
  }
  out.close();
  const lastMs = Math.max(...next);
  return { rows: out.rows, users, rampMs, holdMs: Math.max(1000, Math.floor(lastMs - rampMs)) };
}

/** gzip as k6 does for `--out csv=file.gz` (Go's default compression level, 6). */
export async function gzipFile(from: string, to: string): Promise<void> {
  await pipeline(createReadStream(from), createGzip({ level: 6 }), createWriteStream(to));
}

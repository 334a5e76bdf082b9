import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as csvParse } from 'csv-parse/sync';
import { UserError } from '../../formats/errors.ts';
import { CSV_COLUMNS, csvField, parseTimestamp } from '../../formats/k6/csv.ts';
import { createK6CsvParser, type K6Record } from './k6-csv-reader.ts';

const fixtures = join(import.meta.dirname, '../../formats/k6/__fixtures__');

interface Row {
  line: number;
  metric: string;
  timeMs: number;
  value: number;
  name: string;
  status: number;
  errorCode: number;
  check: string;
  error: string;
  url: string;
}
const snapshot = (r: K6Record): Row => ({
  line: r.line,
  metric: r.metric,
  timeMs: r.timeMs,
  value: r.value,
  name: r.name,
  status: r.status,
  errorCode: r.errorCode,
  check: r.field('check'),
  error: r.field('error'),
  url: r.field('url'),
});

function parseAll(
  text: string | Uint8Array,
  chunkSize = Infinity,
): { rows: Row[]; result: ReturnType<ReturnType<typeof createK6CsvParser>['end']> } {
  const rows: Row[] = [];
  const p = createK6CsvParser((r) => rows.push(snapshot(r)), { source: 'test.csv' });
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  for (let i = 0; i < bytes.length; i += Math.min(chunkSize, bytes.length)) p.push(bytes.subarray(i, i + chunkSize));
  return { rows, result: p.end() };
}

const HEADER = CSV_COLUMNS.join(',');
function row(fields: Partial<Record<(typeof CSV_COLUMNS)[number], string>>): string {
  return CSV_COLUMNS.map((c) => csvField(fields[c] ?? '')).join(',');
}

/** A reference reading with csv-parse (slow, general), holding our scanner to its results. */
function reference(text: string): Row[] {
  const records = csvParse(text, { columns: true, relax_column_count: false }) as Array<Record<string, string>>;
  return records.map((r) => ({
    metric: r.metric_name!,
    timeMs: parseTimestamp(r.timestamp!),
    value: Number(r.metric_value),
    name: r.name ?? '',
    status: r.status ? Number(r.status) : 0,
    errorCode: r.error_code ? Number(r.error_code) : 0,
    check: r.check ?? '',
    error: r.error ?? '',
    url: r.url ?? '',
  })) as Row[];
}
const withoutLine = (rows: Row[]) => rows.map(({ line: _line, ...rest }) => rest);

describe('createK6CsvParser', () => {
  it('reads every row of the real k6 fixture as csv-parse does', () => {
    const text = readFileSync(join(fixtures, 'out.csv'), 'utf8');
    const { rows, result } = parseAll(text);
    expect(result.rows).toBe(6456);
    expect(result.timeResolutionMs).toBe(1000);
    expect(withoutLine(rows)).toEqual(reference(text));
    expect(rows[0]!.line).toBe(2);
  });

  it('reads columns by header name when k6 writes fewer (systemTags)', () => {
    const text = readFileSync(join(fixtures, 'feature-tests/f-metadata-vu-iter.csv'), 'utf8');
    const { rows, result } = parseAll(text);
    expect(result.columns).not.toContain('proto');
    expect(withoutLine(rows)).toEqual(reference(text));
    expect(rows.find((r) => r.metric === 'http_req_duration')!.name).toBe('athlete_search');
  });

  it('reads RFC 3339 timestamps', () => {
    const text = readFileSync(join(fixtures, 'out-rfc3339.csv'), 'utf8');
    const { rows, result } = parseAll(text);
    expect(withoutLine(rows)).toEqual(reference(text));
    expect(result.timeResolutionMs).toBe(1000);
  });

  const quoted = `${[
    HEADER,
    row({
      metric_name: 'checks',
      timestamp: '1795355090123',
      metric_value: '1.000000',
      check: 'status is 200, body has "ok"',
      name: 'search, by name',
      status: '200',
    }),
    row({
      metric_name: 'http_req_failed',
      timestamp: '1795355090124',
      metric_value: '1.000000',
      error: 'dial tcp 127.0.0.1:1: connect: connection refused',
      error_code: '1212',
      status: '0',
      url: 'http://h/a?x=1,2',
    }),
    row({
      metric_name: 'http_req_failed',
      timestamp: '1795355090125',
      metric_value: '1.000000',
      error: 'line one\nline "two"',
      error_code: '1050',
      status: '0',
      name: ' leading space',
    }),
    row({ metric_name: 'iterations', timestamp: '1795355090126', metric_value: '1' }),
  ].join('\n')}\n`;

  it('parses Go csv quoting (commas, doubled quotes, newlines, leading spaces) like csv-parse', () => {
    const { rows, result } = parseAll(quoted);
    expect(result.rows).toBe(4);
    expect(result.timeResolutionMs).toBe(1);
    expect(withoutLine(rows)).toEqual(reference(quoted));
    expect(rows[0]!.check).toBe('status is 200, body has "ok"');
    expect(rows[0]!.name).toBe('search, by name');
    expect(rows[2]!.error).toBe('line one\nline "two"');
    expect(rows[2]!.name).toBe(' leading space');
    // The quoted newline counts: the row after it starts two lines further.
    expect(rows.map((r) => r.line)).toEqual([2, 3, 4, 6]);
  });

  // Real runs quote whole columns (a group named with a comma is on a third of the rows): each
  // case is one column's raw CSV text and the text the reader must give back, at every chunking.
  it.each([
    ['group', '"::find, then open"', '::find, then open'],
    ['group', '"::a ""b"", c"', '::a "b", c'],
    ['check', '""""', '"'],
    ['check', '"a\r\nb"', 'a\r\nb'],
    ['metadata', '"x,y"', 'x,y'],
    ['metadata', '""', ''],
  ])('decodes a quoted %s column %s', (column, raw, expected) => {
    const cells = CSV_COLUMNS.map((c) => (c === column ? raw : ''));
    cells[0] = 'checks';
    cells[1] = '1795355090120';
    cells[2] = '1.000000';
    const text = `${HEADER}\n${cells.join(',')}\n${row({ metric_name: 'iterations', timestamp: '1795355090121', metric_value: '1' })}\n`;
    for (const size of [Infinity, 1, 5]) {
      const seen: string[] = [];
      const p = createK6CsvParser((r) => seen.push(`${r.metric}|${r.field(column)}`), { source: 'test.csv' });
      const bytes = Buffer.from(text);
      for (let i = 0; i < bytes.length; i += Math.min(size, bytes.length)) p.push(bytes.subarray(i, i + size));
      expect(p.end().rows, `chunks of ${size}`).toBe(2);
      expect(seen, `chunks of ${size}`).toEqual([`checks|${expected}`, 'iterations|']);
    }
  });

  it('reads rows whose tags repeat the row before and metrics come in the same order (not scanned again) as csv-parse does, lines and errors too', () => {
    // k6 writes a request's rows with the same tags: here tags with a quoted line end, tags that
    // differ in one byte, a tag row ended by CRLF; then a row whose status is not a number. And its
    // metrics in the same order (the next one expected): here once a metric whose name starts with
    // the expected one's.
    const tags = [
      { error: 'line one\nline "two"', error_code: '1050', status: '0', name: 'a,b', url: 'http://h/a' },
      { error: 'line one\nline "two"', error_code: '1050', status: '0', name: 'a,b', url: 'http://h/b' },
      { status: '200', name: 'home', check: 'x' },
    ];
    const lines = [HEADER];
    for (const [j, t] of tags.entries())
      for (const [i, metric] of ['http_reqs', j === 2 ? 'http_req_duration_x' : 'http_req_duration', 'http_req_failed'].entries())
        lines.push(row({ metric_name: metric, timestamp: `179535509012${i}`, metric_value: `${i}.5`, ...t }));
    const text = `${lines.join('\n')}\r\n${lines[lines.length - 1]}\n`;
    for (const size of [Infinity, 7, 64]) {
      const { rows } = parseAll(text, size);
      expect(withoutLine(rows), `chunks of ${size}`).toEqual(reference(text));
      expect(
        rows.map((r) => r.line),
        `chunks of ${size}`,
      ).toEqual([2, 4, 6, 8, 10, 12, 14, 15, 16, 17]);
    }
    const bad = `${text}${lines[lines.length - 1]!.replace(',200,', ',2x0,')}\n`;
    expect(() => parseAll(bad)).toThrow('test.csv: line 18: status "2x0" is not a number');
  });

  it('gives the same rows whatever the chunk boundaries', () => {
    const whole = parseAll(quoted).rows;
    for (const size of [1, 2, 3, 7, 16, 33]) expect(parseAll(quoted, size).rows, `chunks of ${size}`).toEqual(whole);
  });

  it('reads a row longer than a chunk at every chunk size, as csv-parse does', () => {
    // A long quoted error (a response body, a stack) spans chunks: the cut row is joined across them.
    const long = `boom, "x"\n${'y,'.repeat(12_000)}`;
    const text = `${[
      HEADER,
      row({ metric_name: 'vus', timestamp: '1795355090120', metric_value: '1' }),
      row({ metric_name: 'http_req_failed', timestamp: '1795355090121', metric_value: '1', error: long, status: '0' }),
      row({ metric_name: 'iterations', timestamp: '1795355090122', metric_value: '1', name: 'a,b' }),
    ].join('\r\n')}\r\n`;
    const expected = reference(text);
    expect(expected[1]!.error).toBe(long);
    for (const size of [100, 4095, 4097, 9000, 30_000])
      expect(withoutLine(parseAll(text, size).rows), `chunks of ${size}`).toEqual(expected);
  });

  it('accepts CRLF line ends, blank lines and a whole last row without its line end', () => {
    const text = `${HEADER}\r\n${row({ metric_name: 'vus', timestamp: '1795355090', metric_value: '3.000000' })}\r\n\r\n${row({ metric_name: 'vus', timestamp: '1795355091', metric_value: '4.000000', name: '"x"' })}`;
    const { rows, result } = parseAll(text, 5);
    expect(result.truncated).toBe(false);
    expect(rows.map((r) => [r.value, r.name, r.line])).toEqual([
      [3, '', 2],
      [4, '"x"', 4],
    ]);
  });

  it('reads every unix time format to ms', () => {
    const t = 1795355090123.456;
    const forms = ['1795355090', '1795355090123', '1795355090123456', '1795355090123456000'];
    const text = [HEADER, ...forms.map((ts) => row({ metric_name: 'vus', timestamp: ts, metric_value: '1' }))].join('\n');
    const { rows, result } = parseAll(text);
    expect(rows.map((r) => r.timeMs)).toEqual([1795355090000, 1795355090123, t, t]);
    expect(result.timeResolutionMs).toBe(1e-6);
  });

  it('parses values exactly as Number() does', () => {
    const values = ['21.330490', '0.000000', '-3.500000', '95222', '1e3', '123456789.123456', '0.1', '1234567890123.123456'];
    const text = [HEADER, ...values.map((v) => row({ metric_name: 'x', timestamp: '1795355090', metric_value: v }))].join('\n');
    expect(parseAll(text).rows.map((r) => r.value)).toEqual(values.map(Number));
  });

  it.each([
    { name: 'empty file', text: '', message: /line 1: empty file/ },
    { name: 'header only', text: `${HEADER}\n`, message: /line 2: no samples/ },
    { name: 'unknown header', text: 'a,b,c\n1,2,3\n', message: /line 1: unknown header "a,b,c"/ },
    { name: 'too few fields', text: `${HEADER}\nvus,1795355090,1\n`, message: /line 2: 3 fields where the header has 19/ },
    {
      name: 'too many fields',
      text: `${HEADER}\n${row({ metric_name: 'vus', timestamp: '1795355090', metric_value: '1' })},extra\n`,
      message: /line 2: 20 fields where the header has 19/,
    },
    {
      name: 'bad value',
      text: `${HEADER}\n${row({ metric_name: 'vus', timestamp: '1795355090', metric_value: 'abc' })}\n`,
      message: /line 2: metric_value "abc" is not a number/,
    },
    {
      name: 'bad timestamp',
      text: `${HEADER}\n${row({ metric_name: 'vus', timestamp: '1795355090' })}\n${row({ metric_name: 'vus', timestamp: 'yesterday', metric_value: '1' })}\n`,
      message: /line 2: metric_value "" is not a number/,
    },
    {
      name: 'bad timestamp text',
      text: `${HEADER}\n${row({ metric_name: 'vus', timestamp: 'yesterday', metric_value: '1' })}\n`,
      message: /line 2: timestamp "yesterday" is not a k6 timestamp/,
    },
    {
      name: 'garbage after a quote',
      text: `${HEADER}\n"vus"x,1795355090,1${','.repeat(16)}\n`,
      message: /line 2: unexpected character after the closing quote/,
    },
  ])('rejects $name with a UserError naming the file and line', ({ text, message }) => {
    let error: unknown;
    try {
      parseAll(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/^test\.csv: /);
    expect((error as UserError).message).toMatch(message);
  });

  it('drops a cut last row with a warning instead of failing', () => {
    const text = `${HEADER}\n${row({ metric_name: 'vus', timestamp: '1795355090', metric_value: '1' })}\nhttp_reqs,17953550`;
    const { rows, result } = parseAll(text);
    expect(rows).toHaveLength(1);
    expect(result.truncated).toBe(true);
    expect(result.warnings[0]).toMatch(/line 3: incomplete last row ignored/);
  });
});

describe('RFC 3339 timestamps with a fraction or an offset', () => {
  it.each([
    { ts: '2026-11-22T13:47:24Z', ms: Date.UTC(2026, 10, 22, 13, 47, 24), res: 1000 },
    { ts: '2026-11-22T13:47:24.5Z', ms: Date.UTC(2026, 10, 22, 13, 47, 24, 500), res: 100 },
    { ts: '2026-11-22T13:47:24.123456789Z', ms: Date.UTC(2026, 10, 22, 13, 47, 24, 123), res: 1 },
    { ts: '2026-11-22T14:47:24.25+01:00', ms: Date.UTC(2026, 10, 22, 13, 47, 24, 250), res: 10 },
  ])('$ts', ({ ts, ms, res }) => {
    const { rows, result } = parseAll(`${HEADER}\n${row({ metric_name: 'vus', timestamp: ts, metric_value: '1' })}\n`);
    expect(rows[0]!.timeMs).toBe(ms);
    expect(result.timeResolutionMs).toBe(res);
  });
});

/**
 * k6's CSV output, the one contract shared by the embedded engine (which writes it) and the
 * collector (which reads it, from real k6 or the embedded engine alike). Everything here was
 * read off a real k6 v0.48 run (test fixtures in formats/k6/__fixtures__/) and k6's docs.
 */

/** k6's header with its default `systemTags`. Real files may have fewer or more columns:
 * readers look columns up by name, never by position. */
export const CSV_COLUMNS = [
  'metric_name',
  'timestamp',
  'metric_value',
  'check',
  'error',
  'error_code',
  'expected_response',
  'group',
  'method',
  'name',
  'proto',
  'scenario',
  'service',
  'status',
  'subproto',
  'tls_version',
  'url',
  'extra_tags',
  'metadata',
] as const;

/** k6's built-in metric names. */
export const Metric = {
  vus: 'vus',
  vusMax: 'vus_max',
  iterations: 'iterations',
  iterationDuration: 'iteration_duration',
  droppedIterations: 'dropped_iterations',
  dataSent: 'data_sent',
  dataReceived: 'data_received',
  checks: 'checks',
  groupDuration: 'group_duration',
  httpReqs: 'http_reqs',
  httpReqDuration: 'http_req_duration',
  httpReqBlocked: 'http_req_blocked',
  httpReqConnecting: 'http_req_connecting',
  httpReqTlsHandshaking: 'http_req_tls_handshaking',
  httpReqSending: 'http_req_sending',
  httpReqWaiting: 'http_req_waiting',
  httpReqReceiving: 'http_req_receiving',
  httpReqFailed: 'http_req_failed',
} as const;
export type BuiltinMetric = (typeof Metric)[keyof typeof Metric];

/** The 9 rows k6 writes for one HTTP request, in k6's order. */
export const HTTP_REQUEST_METRICS = [
  Metric.httpReqs,
  Metric.httpReqDuration,
  Metric.httpReqBlocked,
  Metric.httpReqConnecting,
  Metric.httpReqTlsHandshaking,
  Metric.httpReqSending,
  Metric.httpReqWaiting,
  Metric.httpReqReceiving,
  Metric.httpReqFailed,
] as const;

/** The rows k6 writes at the end of each iteration, in k6's order. */
export const ITERATION_METRICS = [Metric.dataSent, Metric.dataReceived, Metric.iterationDuration, Metric.iterations] as const;

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';
/** What a metric's values are, as k6's summary calls it ("contains"). */
export type ValueType = 'default' | 'time' | 'data';

/** Type and value type of k6's built-in metrics (k6 docs, "Built-in metrics"). */
export const BUILTIN_METRICS: Readonly<Record<BuiltinMetric, { type: MetricType; contains: ValueType }>> = {
  vus: { type: 'gauge', contains: 'default' },
  vus_max: { type: 'gauge', contains: 'default' },
  iterations: { type: 'counter', contains: 'default' },
  iteration_duration: { type: 'trend', contains: 'time' },
  dropped_iterations: { type: 'counter', contains: 'default' },
  data_sent: { type: 'counter', contains: 'data' },
  data_received: { type: 'counter', contains: 'data' },
  checks: { type: 'rate', contains: 'default' },
  group_duration: { type: 'trend', contains: 'time' },
  http_reqs: { type: 'counter', contains: 'default' },
  http_req_duration: { type: 'trend', contains: 'time' },
  http_req_blocked: { type: 'trend', contains: 'time' },
  http_req_connecting: { type: 'trend', contains: 'time' },
  http_req_tls_handshaking: { type: 'trend', contains: 'time' },
  http_req_sending: { type: 'trend', contains: 'time' },
  http_req_waiting: { type: 'trend', contains: 'time' },
  http_req_receiving: { type: 'trend', contains: 'time' },
  http_req_failed: { type: 'rate', contains: 'default' },
};

/** The metrics of k6's WebSocket sessions (k6/ws, k6/experimental/websockets): declared when a script opens one. */
export const WS_METRICS: Readonly<Record<string, { type: MetricType; contains: ValueType }>> = {
  ws_sessions: { type: 'counter', contains: 'default' },
  ws_connecting: { type: 'trend', contains: 'time' },
  ws_session_duration: { type: 'trend', contains: 'time' },
  ws_msgs_sent: { type: 'counter', contains: 'default' },
  ws_msgs_received: { type: 'counter', contains: 'default' },
  ws_ping: { type: 'trend', contains: 'time' },
};

/**
 * k6's numeric error codes (source: k6 docs, "Error codes", javascript-api/error-codes).
 * HTTP statuses ≥ 400 map to 1000 + status (a 500 is 1500), see httpStatusErrorCode.
 */
export const K6_ERROR_CODES = {
  generic: 1000,
  nonTcpNetwork: 1010,
  invalidUrl: 1020,
  requestTimeout: 1050,
  dnsGeneric: 1100,
  dnsNoIp: 1101,
  tcpGeneric: 1200,
  tcpBrokenPipe: 1201,
  tcpUnknownWrite: 1202,
  tcpDialGeneric: 1210,
  tcpDialTimeout: 1211,
  tcpDialRefused: 1212,
  tcpDialUnknown: 1213,
  tcpResetByPeer: 1220,
  tlsGeneric: 1300,
  tlsUnknownAuthority: 1310,
  tlsHostnameMismatch: 1311,
  http2Generic: 1600,
} as const;

export function httpStatusErrorCode(status: number): number | undefined {
  return status >= 400 && status < 600 ? 1000 + status : undefined;
}

/** `K6_CSV_TIME_FORMAT` values k6 accepts. Default (`unix`) is whole seconds. */
export const CSV_TIME_FORMATS = ['unix', 'unix_milli', 'unix_micro', 'unix_nano', 'rfc3339', 'rfc3339_nano'] as const;
export type CsvTimeFormat = (typeof CSV_TIME_FORMATS)[number];

export function isCsvTimeFormat(s: string): s is CsvTimeFormat {
  return (CSV_TIME_FORMATS as readonly string[]).includes(s);
}

/** Formats a timestamp (ms since epoch, fractional allowed) as k6 writes it. */
export function formatTimestamp(epochMs: number, format: CsvTimeFormat): string {
  switch (format) {
    case 'unix':
      return String(Math.floor(epochMs / 1000));
    case 'unix_milli':
      return String(Math.floor(epochMs));
    case 'unix_micro':
      return String(Math.floor(epochMs * 1000));
    case 'unix_nano':
      return (BigInt(Math.floor(epochMs * 1000)) * 1000n).toString();
    case 'rfc3339':
      return `${new Date(Math.floor(epochMs / 1000) * 1000).toISOString().slice(0, 19)}Z`;
    case 'rfc3339_nano': {
      const whole = Math.floor(epochMs);
      const iso = new Date(whole).toISOString().slice(0, 19);
      const nanos = Math.round((epochMs - Math.floor(epochMs / 1000) * 1000) * 1e6);
      // Go's RFC3339Nano trims trailing zeros of the fraction.
      const frac = String(nanos).padStart(9, '0').replace(/0+$/, '');
      return frac ? `${iso}.${frac}Z` : `${iso}Z`;
    }
  }
}

/**
 * Parses any timestamp k6 may write into ms since epoch. Unix forms are told apart by
 * magnitude (seconds ~1e9, ms ~1e12, µs ~1e15, ns ~1e18), valid for dates 2001–2286.
 * Returns NaN when the text is not a timestamp.
 */
export function parseTimestamp(text: string): number {
  if (text.length > 0 && text.charCodeAt(0) >= 48 && text.charCodeAt(0) <= 57 && !text.includes('-')) {
    const digits = text.length;
    if (digits <= 10) return Number(text) * 1000;
    if (digits <= 13) return Number(text);
    if (digits <= 16) return Number(text) / 1000;
    return Number(text.slice(0, digits - 3)) / 1000;
  }
  return Date.parse(text);
}

/** k6 prints values with six decimals (Go's strconv.FormatFloat(v, 'f', 6, 64)). */
export function formatValue(value: number): string {
  return value.toFixed(6);
}

/** Quotes a field the way Go's encoding/csv does (k6 writes through it). */
export function csvField(field: string): string {
  if (field === '') return field;
  const c0 = field.charCodeAt(0);
  const needs = field.includes(',') || field.includes('"') || field.includes('\n') || field.includes('\r') || c0 === 32 || c0 === 9;
  return needs ? `"${field.replaceAll('"', '""')}"` : field;
}

/** Encodes `extra_tags` / `metadata` as k6 does: `k=v&k=v`. */
export function encodePairs(pairs: Readonly<Record<string, string>>): string {
  return Object.entries(pairs)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

import { formatTimestamp } from '../formats/k6/csv.ts';

/** k6's log line (logrus text format): time="…" level=… msg="…" key=value. */
export function logLine(level: string, msg: string, fields = '', epochMs = Date.now()): string {
  // The same RFC 3339 (whole seconds, UTC) k6 writes in its CSV: one formatter for both.
  const time = formatTimestamp(epochMs, 'rfc3339');
  const quoted = JSON.stringify(msg).replaceAll('\\u001b', '\\x1b');
  return `time="${time}" level=${level} msg=${quoted}${fields ? ` ${fields}` : ''}\n`;
}

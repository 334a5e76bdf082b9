/** k6's log line (logrus text format): time="…" level=… msg="…" key=value. */
export function logLine(level: string, msg: string, fields = '', epochMs = Date.now()): string {
  const time = `${new Date(Math.floor(epochMs / 1000) * 1000).toISOString().slice(0, 19)}Z`;
  const quoted = JSON.stringify(msg).replaceAll('\\u001b', '\\x1b');
  return `time="${time}" level=${level} msg=${quoted}${fields ? ` ${fields}` : ''}\n`;
}

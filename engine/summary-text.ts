/**
 * k6's end-of-test text summary and the handleSummary data types. Pure and free of Node
 * imports: the VUs' runtime uses it too (k6-summary's textSummary and jUnit).
 */

export interface SummaryCheck {
  name: string;
  path: string;
  id: string;
  passes: number;
  fails: number;
}
export interface SummaryGroup {
  name: string;
  path: string;
  id: string;
  groups: SummaryGroup[];
  checks: SummaryCheck[];
}
export interface SummaryMetric {
  type: 'counter' | 'gauge' | 'rate' | 'trend';
  contains: 'default' | 'time' | 'data';
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}
/** The object k6 hands to handleSummary(). */
export interface SummaryData {
  root_group: SummaryGroup;
  options: { summaryTrendStats: string[]; summaryTimeUnit: string; noColor: boolean };
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  metrics: Record<string, SummaryMetric>;
}

/** A time in ms as k6 prints it (Go durations, two decimals): 711ns, 4.36µs, 12.83ms, 1.5s, 1m3s. */
export function formatTime(ms: number): string {
  if (ms === 0) return '0s';
  const trim = (n: number): string => String(Number(n.toFixed(2)));
  const ns = ms * 1e6;
  if (ns < 1000) return `${Math.round(ns)}ns`;
  if (ns < 1e6) return `${trim(ns / 1000)}µs`;
  if (ms < 1000) return `${trim(ms)}ms`;
  if (ms < 60_000) return `${trim(ms / 1000)}s`;
  const m = Math.floor(ms / 60_000);
  const s = (ms - m * 60_000) / 1000;
  return m >= 60 ? `${Math.floor(m / 60)}h${m % 60}m${Math.round(s)}s` : `${m}m${Number(s.toFixed(1))}s`;
}

/** Bytes as k6 prints them (decimal units): 727 B, 9.2 kB, 95 kB, 1.3 MB. */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? Math.round(v) : v < 10 ? Number(v.toFixed(1)) : Math.round(v)} ${units[i]}`;
}

const UNITS: Record<string, { coef: number; unit: string }> = {
  s: { coef: 0.001, unit: 's' },
  ms: { coef: 1, unit: 'ms' },
  us: { coef: 1000, unit: 'µs' },
};

/** A time in ms in the summary's fixed unit (`--summary-time-unit`), else as formatTime. */
export function formatTimeIn(ms: number, unit: string): string {
  const u = UNITS[unit];
  return u ? `${(ms * u.coef).toFixed(2)}${u.unit}` : formatTime(ms);
}

/**
 * The text summary printed at the end of a test, laid out like k6's (its default indent is one
 * space; `indent` replaces it, as k6-summary's textSummary option).
 */
export function textSummary(d: SummaryData, opts: { color: boolean; indent?: string }): string {
  const body = textSummaryBody(d, opts);
  if (opts.indent === undefined || opts.indent === ' ') return body;
  const ind = opts.indent;
  return body
    .split('\n')
    .map((l) => (l.startsWith(' ') ? ind + l.slice(1) : l))
    .join('\n');
}

function textSummaryBody(d: SummaryData, opts: { color: boolean }): string {
  const stats = d.options.summaryTrendStats;
  const unit = d.options.summaryTimeUnit;
  const green = (s: string): string => (opts.color ? `\x1b[32m${s}\x1b[0m` : s);
  const red = (s: string): string => (opts.color ? `\x1b[31m${s}\x1b[0m` : s);
  let out = '';
  const checks = (g: SummaryGroup, indent: string): void => {
    for (const c of g.checks) {
      if (c.fails === 0) out += `${indent}${green('✓')} ${c.name}\n`;
      else {
        const pct = Math.floor((c.passes / (c.passes + c.fails)) * 100);
        out += `${indent}${red('✗')} ${c.name}\n${indent} ↳  ${pct}% — ✓ ${c.passes} / ✗ ${c.fails}\n`;
      }
    }
    for (const sub of g.groups) {
      out += `\n${indent}█ ${sub.name}\n\n`;
      checks(sub, `${indent}  `);
    }
  };
  checks(d.root_group, '     ');
  // Nested groups without checks of their own: one blank line between headers, as k6.
  out = `${out.replace(/\n{3,}/g, '\n\n')}\n`;
  const names = Object.keys(d.metrics).sort((a, b) => {
    const ba = a.split('{')[0]!;
    const bb = b.split('{')[0]!;
    return ba === bb ? a.length - b.length : ba < bb ? -1 : 1;
  });
  const fmt = (m: SummaryMetric, v: number): string =>
    m.contains === 'time' ? formatTimeIn(v, unit) : m.contains === 'data' ? formatBytes(v) : String(Number(v.toFixed(6)));
  for (const name of names) {
    const m = d.metrics[name]!;
    const sub = name.includes('{');
    const label = sub ? `{ ${name.slice(name.indexOf('{') + 1, -1)} }` : name;
    const mark = m.thresholds ? (Object.values(m.thresholds).every((t) => t.ok) ? `${green('✓')} ` : `${red('✗')} `) : '  ';
    let value: string;
    switch (m.type) {
      case 'trend':
        value = stats
          .map((s) => `${s}=${s === 'count' ? String(m.values[s] ?? 0) : fmt(m, m.values[s] ?? 0)}`.padEnd(s.length + 10))
          .join(' ');
        break;
      case 'counter':
        value = `${fmt(m, m.values.count!).padEnd(6)} ${m.contains === 'data' ? `${formatBytes(m.values.rate!)}/s` : `${Number(m.values.rate!.toFixed(6))}/s`}`;
        break;
      case 'rate':
        // k6 truncates a rate to two decimals (94.957% shows as 94.95%).
        value = `${`${(Math.trunc(m.values.rate! * 10_000) / 100).toFixed(2)}%`.padEnd(6)} ${`✓ ${m.values.passes}`.padEnd(9)} ✗ ${m.values.fails}`;
        break;
      case 'gauge':
        value = `${fmt(m, m.values.value!).padEnd(6)} ${`min=${fmt(m, m.values.min!)}`.padEnd(11)} max=${fmt(m, m.values.max!)}`;
        break;
    }
    // A submetric sits two columns in, its threshold mark included (as k6).
    out += sub ? `     ${mark}${label.padEnd(29, '.')}: ${value}\n` : `   ${mark}${label.padEnd(31, '.')}: ${value}\n`;
  }
  return `${out}\n`;
}

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A JUnit XML report of the thresholds (one test case per threshold), as k6-summary's jUnit. */
export function junitSummary(d: SummaryData, opts: { name?: string; classname?: string } = {}): string {
  const cases: string[] = [];
  let failures = 0;
  for (const [metric, m] of Object.entries(d.metrics)) {
    for (const [expr, r] of Object.entries(m.thresholds ?? {})) {
      const name = xml(`${metric} - ${expr}`);
      const cls = opts.classname ? ` classname="${xml(opts.classname)}"` : '';
      if (r.ok) cases.push(`<testcase name="${name}"${cls} />`);
      else {
        failures++;
        cases.push(`<testcase name="${name}"${cls}><failure message="${xml(`${metric} threshold ${expr} failed`)}" /></testcase>`);
      }
    }
  }
  const suite = xml(opts.name ?? 'k6 thresholds');
  return `<?xml version="1.0"?>\n<testsuites tests="${cases.length}" failures="${failures}">\n<testsuite name="${suite}" tests="${cases.length}" failures="${failures}">${cases.join('\n')}\n</testsuite>\n</testsuites>\n`;
}

/**
 * k6's end-of-test summaries from the aggregated metrics: the handleSummary data (the source of
 * the others), the `--summary-export` JSON and the text summary. Pure.
 */
import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { MetricStore, Sink, Threshold } from './metrics.ts';

export const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'] as const;

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

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

function values(sink: Sink, type: SummaryMetric['type'], durationS: number): Record<string, number> {
  switch (type) {
    case 'trend':
      return Object.fromEntries(TREND_STATS.map((s) => [s, sink.aggregate(s, durationS)]));
    case 'counter':
      return { count: sink.sum, rate: durationS > 0 ? sink.sum / durationS : 0 };
    case 'gauge':
      return { value: sink.last, min: sink.min, max: sink.max };
    case 'rate':
      return { rate: sink.count ? sink.trues / sink.count : 0, passes: sink.trues, fails: sink.count - sink.trues };
  }
}

export function summaryData(store: MetricStore, thresholds: Threshold[], durationMs: number, _options: unknown, stdout: Writable & { isTTY?: boolean }): SummaryData {
  const durationS = durationMs / 1000;
  const metrics: Record<string, SummaryMetric> = {};
  const add = (key: string, sink: Sink, type: SummaryMetric['type'], contains: SummaryMetric['contains']): void => {
    const m: SummaryMetric = { type, contains, values: values(sink, type, durationS) };
    const th = thresholds.filter((t) => t.metricKey.replace(/\s/g, '') === key.replace(/\s/g, '') || t.sink === sink);
    if (th.length) m.thresholds = Object.fromEntries(th.map((t) => [t.expr, { ok: !t.failed }]));
    metrics[key] = m;
  };
  for (const [name, e] of store.entries) {
    if (e.sink.count === 0) continue;
    add(name, e.sink, e.info.type, e.info.contains);
    for (const s of e.subs) if (s.sink.count > 0 || thresholds.some((t) => t.sink === s.sink)) add(s.key, s.sink, e.info.type, e.info.contains);
  }
  const group = (path: string): SummaryGroup => {
    const name = path === '' ? '' : path.slice(path.lastIndexOf('::') + 2);
    const children = [...store.groups].filter((g) => g !== path && g.startsWith(`${path}::`) && !g.slice(path.length + 2).includes('::'));
    const checks = [...(store.checks.get(path) ?? new Map()).entries()].map(([n, c]) => ({ name: n, path: `${path}::${n}`, id: md5(`${path}::${n}`), passes: c.passes, fails: c.fails }));
    return { name, path, id: md5(path), groups: children.map(group), checks };
  };
  return {
    root_group: group(''),
    options: { summaryTrendStats: [...TREND_STATS], summaryTimeUnit: '', noColor: false },
    state: { isStdOutTTY: Boolean(stdout.isTTY), isStdErrTTY: false, testRunDurationMs: durationMs },
    metrics,
  };
}

interface ExportGroup {
  name: string;
  path: string;
  id: string;
  groups: Record<string, ExportGroup>;
  checks: Record<string, SummaryCheck>;
}

/** The `--summary-export` shape (k6's legacy JSON summary): thresholds map to "failed". */
export function summaryExport(d: SummaryData): { root_group: ExportGroup; metrics: Record<string, Record<string, unknown>> } {
  const g = (x: SummaryGroup): ExportGroup => ({
    name: x.name, path: x.path, id: x.id,
    groups: Object.fromEntries(x.groups.map((c) => [c.name, g(c)])),
    checks: Object.fromEntries(x.checks.map((c) => [c.name, { ...c }])),
  });
  const metrics: Record<string, Record<string, unknown>> = {};
  for (const [k, m] of Object.entries(d.metrics)) {
    let v: Record<string, unknown>;
    if (m.type === 'rate') v = { passes: m.values.passes, fails: m.values.fails, value: m.values.rate };
    else v = { ...m.values };
    if (m.thresholds) v.thresholds = Object.fromEntries(Object.entries(m.thresholds).map(([e, r]) => [e, !r.ok]));
    metrics[k] = v;
  }
  return { root_group: g(d.root_group), metrics };
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

/** The text summary printed at the end of a test, laid out like k6's. */
export function textSummary(d: SummaryData, opts: { color: boolean }): string {
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
  const fmt = (m: SummaryMetric, v: number): string => (m.contains === 'time' ? formatTime(v) : m.contains === 'data' ? formatBytes(v) : String(Number(v.toFixed(6))));
  for (const name of names) {
    const m = d.metrics[name]!;
    const sub = name.includes('{');
    const label = sub ? `  { ${name.slice(name.indexOf('{') + 1, -1).replace(':', ': ').replace(': ', ':')} }` : name;
    const mark = m.thresholds ? (Object.values(m.thresholds).every((t) => t.ok) ? `${green('✓')} ` : `${red('✗')} `) : '  ';
    let value: string;
    switch (m.type) {
      case 'trend':
        value = TREND_STATS.map((s) => `${s}=${fmt(m, m.values[s]!)}`.padEnd(s.length + 10)).join(' ');
        break;
      case 'counter':
        value = `${fmt(m, m.values.count!).padEnd(6)} ${m.contains === 'data' ? `${formatBytes(m.values.rate!)}/s` : `${Number(m.values.rate!.toFixed(6))}/s`}`;
        break;
      case 'rate':
        value = `${`${(m.values.rate! * 100).toFixed(2)}%`.padEnd(6)} ${`✓ ${m.values.passes}`.padEnd(9)} ✗ ${m.values.fails}`;
        break;
      case 'gauge':
        value = `${fmt(m, m.values.value!).padEnd(6)} ${`min=${fmt(m, m.values.min!)}`.padEnd(11)} max=${fmt(m, m.values.max!)}`;
        break;
    }
    out += `   ${mark}${label.padEnd(31, '.')}: ${value}\n`;
  }
  return `${out}\n`;
}

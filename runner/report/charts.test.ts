import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { healthyShape, run, SETTINGS } from './__testkit__/builders.ts';
import { caseInput } from './__testkit__/cases.ts';
import { buildChartSpecs, runLabels, uslThroughput, type ChartSpec } from './chart-data.ts';
import { CHART_HEIGHT, CHART_WIDTH, chartLayout, LEGEND_ROW, niceAxisMax, renderChartSvg, textWidth } from './charts.ts';
import type { ReportInput } from './view-model.ts';

type XmlNode = Record<string, unknown>;

/** Every text of <text> elements in the document (legend entries, axis names, labels). */
function texts(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) texts(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node as XmlNode)) {
      if (k === 'text') {
        for (const t of Array.isArray(v) ? v : [v]) out.push(typeof t === 'object' && t !== null ? String((t as XmlNode)['#text'] ?? '') : String(t));
      }
      texts(v, out);
    }
  }
  return out;
}

function count(node: unknown, tag: string): number {
  if (Array.isArray(node)) return node.reduce((a: number, n) => a + count(n, tag), 0);
  if (!node || typeof node !== 'object') return 0;
  let n = 0;
  for (const [k, v] of Object.entries(node as XmlNode)) {
    if (k === tag) n += Array.isArray(v) ? v.length : 1;
    n += count(v, tag);
  }
  return n;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });

function parseSvg(svg: string): XmlNode {
  expect(XMLValidator.validate(svg)).toBe(true);
  const doc = parser.parse(svg) as XmlNode;
  expect(Object.keys(doc)).toEqual(['svg']);
  return doc.svg as XmlNode;
}

const specs = buildChartSpecs(caseInput('no-go'));
const NO_GO_IDS = ['2026-11-22T0300Z-bb04', '2026-11-20T0300Z-bb03', '2026-11-18T0300Z-bb01'];
const NO_GO_LABELS = ['11-22 03:00', '11-20 03:00', '11-18 03:00'];
const byId = (id: ChartSpec['id']) => specs.find((s) => s.id === id)!;

describe('chart specs', () => {
  it('has the four charts of the issue, one line per run used', () => {
    expect(specs.map((s) => s.id)).toEqual(['p95-vs-users', 'throughput-vs-users', 'error-rate-vs-users', 'target-windows']);
    // Legends name runs by their UTC start (as the report's run table does); the ids travel with the spec.
    expect(byId('p95-vs-users').series.map((s) => s.name)).toEqual(NO_GO_LABELS);
    expect(byId('p95-vs-users').series.map((s) => s.run)).toEqual([0, 1, 2]);
    for (const spec of specs) expect(spec.runs).toEqual(NO_GO_IDS.map((id, i) => ({ id, label: NO_GO_LABELS[i] })));
  });

  it('labels runs by start minute, and by full id when two share a minute or the start is unknown', () => {
    expect(runLabels([{ id: 'a', startedAt: '2026-01-02T03:04:59Z' }])).toEqual([{ id: 'a', label: '01-02 03:04' }]);
    expect(
      runLabels([
        { id: 'x-1', startedAt: '2026-11-26T15:24:01Z' },
        { id: 'x-2', startedAt: '2026-11-26T15:24:40Z' },
        { id: 'x-3', startedAt: null },
        { id: 'x-4', startedAt: '2026-11-26T15:25:00Z' },
      ]).map((r) => r.label),
    ).toEqual(['x-1', 'x-2', 'x-3', '11-26 15:25']);
  });

  it('plots the key p95 per stage, with the green and orange bounds of the config', () => {
    const p95 = byId('p95-vs-users');
    const newest = caseInput('no-go').runs.find((r) => r.id === '2026-11-22T0300Z-bb04')!.summary!;
    expect(p95.series[0]!.points).toEqual(newest.stages.map((s) => [s.users, s.stats!.key.p95Ms]));
    expect(p95.bounds.map((b) => [b.level, b.value])).toEqual([
      ['green', 2500],
      ['orange', 4000],
    ]);
    expect(p95.yAxes[0]!.name).toBe('p95 of search (ms)');
  });

  it('draws the capacity estimate (USL fit) on the throughput chart, and its peak', () => {
    const t = byId('throughput-vs-users');
    const fit = t.series.find((s) => s.name.startsWith('USL fit'))!;
    expect(fit.name).toBe('USL fit (11-22 03:00)');
    expect(fit.run).toBeNull();
    expect(fit.dashed).toBe(true);
    const estimate = caseInput('no-go').runs.find((r) => r.id === '2026-11-22T0300Z-bb04')!.summary!.capacity.estimate!;
    for (const [n, y] of fit.points) expect(y).toBeCloseTo(uslThroughput(estimate, n), 1);
    expect(t.markers).toEqual([{ label: 'peak 87/s at 183 users', x: 183 }]);
  });

  it('error rates in percent, target windows in minutes into the hold', () => {
    const e = byId('error-rate-vs-users');
    expect(e.series[0]!.points.find(([u]) => u === 100)![1]).toBe(3.5);
    const w = byId('target-windows');
    // Colour (the run) tells runs apart, line style the metric: p95 solid on the left axis,
    // throughput dashed on the right, explained once by the style key.
    expect(w.series.map((s) => [s.name, s.run, s.yAxis, s.dashed])).toEqual(
      NO_GO_LABELS.flatMap((label, i) => [
        [label, i, 0, false],
        [label, i, 1, true],
      ]),
    );
    expect(w.styleKeys).toEqual([
      { name: 'p95 (left axis)', dashed: false },
      { name: 'throughput (right axis)', dashed: true },
    ]);
    // Windows start after the 60 s warm-up and are 30 s long: the first midpoint is 1.25 min in.
    expect(w.series[0]!.points[0]![0]).toBe(1.25);
    expect(w.series[1]!.yAxis).toBe(1);
  });

  it('short holds (demos) are shown in seconds, without a bound far above the lines', () => {
    const input = caseInput('go');
    const shortened = input.runs.map((r) => {
      if (!r.summary) return r;
      const stages = r.summary.stages.map((st) => {
        if (!st.stats || st.users !== 100) return st;
        const h = st.stats.hold;
        const windows = [0, 1, 2, 3].map((i) => ({ ...st.stats!.windows[i]!, startMs: h.startMs + 4000 + i * 2000, endMs: h.startMs + 6000 + i * 2000, keyP95Ms: 300 }));
        return { ...st, stats: { ...st.stats, hold: { ...h, endMs: h.startMs + 40_000 }, windows } };
      });
      return { ...r, summary: { ...r.summary, stages } };
    });
    const w = buildChartSpecs({ ...input, runs: shortened }).find((s) => s.id === 'target-windows')!;
    expect(w.xAxis.name).toBe('seconds into the hold');
    expect(w.series[0]!.points.map(([x]) => x)).toEqual([5, 7, 9, 11]);
    expect(w.bounds).toEqual([]);
  });

  it('no chart without a run that has statistics', () => {
    expect(buildChartSpecs(caseInput('insufficient-data'))).toEqual([]);
  });
});

describe('SVG rendering (ECharts server-side)', () => {
  it.each(specs.map((s) => [s.id, s] as const))('%s is a valid SVG with its title, axes and every series in the legend', (_id, spec) => {
    const svg = renderChartSvg(spec);
    const root = parseSvg(svg);
    expect(root['@width']).toBe(String(CHART_WIDTH));
    expect(root['@height']).toBe(String(CHART_HEIGHT));
    const words = texts(root);
    expect(words).toContain(spec.title);
    expect(words).toContain(spec.xAxis.name);
    for (const axis of spec.yAxes) expect(words).toContain(axis.name);
    for (const s of spec.series) expect(words).toContain(s.name);
    for (const b of spec.bounds) expect(words).toContain(b.label);
    for (const m of spec.markers) expect(words).toContain(m.label);
    // One path per drawn line at least (plus axes and grid lines).
    expect(count(root, 'path')).toBeGreaterThan(spec.series.length);
  });

  it('has an opaque light background, so it reads the same in light and dark themes', () => {
    const root = parseSvg(renderChartSvg(byId('p95-vs-users')));
    const rects = ([] as XmlNode[]).concat((root.rect as XmlNode | XmlNode[]) ?? []);
    expect(rects[0]).toMatchObject({ '@width': String(CHART_WIDTH), '@height': String(CHART_HEIGHT), '@fill': '#ffffff' });
  });

  it('renders the same spec to the same picture', () => {
    // ECharts numbers its instances in class names: the renderer renames them, so files are stable.
    expect(renderChartSvg(byId('error-rate-vs-users'))).toBe(renderChartSvg(byId('error-rate-vs-users')));
  });
});

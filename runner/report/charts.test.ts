import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { uslThroughput } from '../stats/usl.ts';
import { healthyShape, run, SETTINGS } from '../../test/testkit/report-builders.ts';
import { caseInput } from '../../test/testkit/report-cases.ts';
import { allSeries, buildChartSpecs, runLabels, type ChartSpec } from './chart-data.ts';
import {
  CHART_HEIGHT,
  CHART_WIDTH,
  chartLayout,
  LEGEND_ROW,
  niceAxisMax,
  PANEL_GAP,
  PANEL_HEIGHT,
  panelScale,
  renderChartSvg,
  textWidth,
} from './charts.ts';
import type { ReportInput } from './report-input.ts';

type XmlNode = Record<string, unknown>;

/** Every text of <text> elements in the document (legend entries, axis names, labels). */
function texts(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) texts(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node as XmlNode)) {
      if (k === 'text') {
        for (const t of Array.isArray(v) ? v : [v])
          out.push(typeof t === 'object' && t !== null ? String((t as XmlNode)['#text'] ?? '') : String(t));
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
    expect(byId('p95-vs-users').panels[0]!.series.map((s) => s.name)).toEqual(NO_GO_LABELS);
    expect(byId('p95-vs-users').panels[0]!.series.map((s) => s.run)).toEqual([0, 1, 2]);
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
    expect(p95.panels[0]!.series[0]!.points).toEqual(newest.stages.map((s) => [s.users, s.stats!.key.p95Ms]));
    expect(p95.panels[0]!.bounds.map((b) => [b.level, b.value])).toEqual([
      ['green', 2500],
      ['orange', 4000],
    ]);
    expect(p95.panels[0]!.yAxis.name).toBe('p95 of search (ms)');
  });

  it('plots goodput (successful requests/s), labelled so, with the capacity estimate (USL fit) and its peak', () => {
    const t = byId('throughput-vs-users');
    expect(t.panels[0]!.yAxis.name).toBe('goodput (successful requests/s)');
    const newest = caseInput('no-go').runs.find((r) => r.id === '2026-11-22T0300Z-bb04')!.summary!;
    expect(t.panels[0]!.series[0]!.points).toEqual(newest.stages.map((s) => [s.users, Number(s.stats!.all.goodputPerS.toFixed(1))]));
    expect(newest.stages.some((s) => s.stats!.all.goodputPerS < s.stats!.all.throughputPerS)).toBe(true);
    const fit = t.panels[0]!.series.find((s) => s.name.startsWith('USL fit'))!;
    expect(fit.name).toBe('USL fit (11-22 03:00)');
    expect(fit.run).toBeNull();
    expect(fit.dashed).toBe(true);
    const estimate = caseInput('no-go').runs.find((r) => r.id === '2026-11-22T0300Z-bb04')!.summary!.capacity.estimate!;
    for (const [n, y] of fit.points) expect(y).toBeCloseTo(uslThroughput(estimate, n), 1);
    expect(t.markers).toEqual([{ label: 'peak 87/s at 183 users', x: 183 }]);
  });

  it('error rates in percent; the target stage as two panels (p95, goodput) over minutes into the hold', () => {
    const e = byId('error-rate-vs-users');
    expect(e.panels[0]!.series[0]!.points.find(([u]) => u === 100)![1]).toBe(3.5);
    const w = byId('target-windows');
    // Small multiples: one panel per metric, one line per run in each, the run's colour in both.
    expect(w.panels.map((p) => p.yAxis.name)).toEqual(['p95 of search (ms)', 'goodput (successful requests/s)']);
    for (const p of w.panels)
      expect(p.series.map((s) => [s.name, s.run, s.dashed])).toEqual(NO_GO_LABELS.map((label, i) => [label, i, false]));
    const newest = caseInput('no-go')
      .runs.find((r) => r.id === '2026-11-22T0300Z-bb04')!
      .summary!.stages.find((s) => s.users === 100)!.stats!;
    expect(w.panels[1]!.series[0]!.points.map(([, y]) => y)).toEqual(newest.windows.map((x) => Number(x.goodputPerS.toFixed(1))));
    // Windows start after the 60 s warm-up and are 30 s long: the first midpoint is 1.25 min in.
    expect(w.panels[0]!.series[0]!.points[0]![0]).toBe(1.25);
  });

  it('short holds (demos) are shown in seconds, without a bound far above the lines', () => {
    const input = caseInput('go');
    const shortened = input.runs.map((r) => {
      if (!r.summary) return r;
      const stages = r.summary.stages.map((st) => {
        if (!st.stats || st.users !== 100) return st;
        const h = st.stats.hold;
        const windows = [0, 1, 2, 3].map((i) => ({
          ...st.stats!.windows[i]!,
          startMs: h.startMs + 4000 + i * 2000,
          endMs: h.startMs + 6000 + i * 2000,
          keyP95Ms: 300,
        }));
        return { ...st, stats: { ...st.stats, hold: { ...h, endMs: h.startMs + 40_000 }, windows } };
      });
      return { ...r, summary: { ...r.summary, stages } };
    });
    const w = buildChartSpecs({ ...input, runs: shortened }).find((s) => s.id === 'target-windows')!;
    expect(w.xAxis.name).toBe('seconds into the hold');
    expect(w.panels[0]!.series[0]!.points.map(([x]) => x)).toEqual([5, 7, 9, 11]);
    // The p95 panel is scaled to its 300 ms, not to the bounds: they are marked at its top edge.
    const scale = chartLayout(w).scales[0]!;
    expect(scale.max).toBe(400);
    expect(scale.inRange).toEqual([]);
    expect(scale.offScale.map((b) => b.value)).toEqual([2500, 4000]);
  });

  it.each([
    ['data far below the bounds: scaled to the data, both bounds marked at the top', [300, 360], [2500, 4000], 400, [], [2500, 4000]],
    ['a bound within twice the data is drawn as a line', [1500, 2100], [2500, 4000], 5000, [2500, 4000], []],
    ['one bound in range, one above', [1400], [2500, 4000], 3000, [2500], [4000]],
    ['no data above zero (no failure): the bounds give the scale', [0, 0], [1, 3], 4, [1, 3], []],
  ])('panel scale: %s', (_name, ys, bounds, max, inRange, offScale) => {
    const panel = {
      yAxis: { name: 'y' },
      series: [{ name: 'r', run: 0, points: ys.map((y, i) => [i, y] as const), dashed: false, symbols: true }],
      bounds: bounds.map((value, i) => ({ label: String(value), value, level: i === 0 ? ('green' as const) : ('orange' as const) })),
    };
    const scale = panelScale(panel);
    expect([scale.max, scale.inRange.map((b) => b.value), scale.offScale.map((b) => b.value)]).toEqual([max, inRange, offScale]);
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
    expect(root['@height']).toBe(String(CHART_HEIGHT + (spec.panels.length - 1) * (PANEL_HEIGHT + PANEL_GAP)));
    const words = texts(root);
    expect(words).toContain(spec.title);
    expect(words).toContain(spec.xAxis.name);
    for (const p of spec.panels) expect(words).toContain(p.yAxis.name);
    for (const s of allSeries(spec)) expect(words).toContain(s.name);
    // Every bound is labelled: on its line, or with an arrow at the top edge when above the scale.
    const { scales } = chartLayout(spec);
    for (const sc of scales) {
      for (const b of sc.inRange) expect(words).toContain(b.label);
      for (const b of sc.offScale) expect(words).toContain(`↑ ${b.label}`);
    }
    for (const m of spec.markers) expect(words).toContain(m.label);
    // One path per drawn line at least (plus axes and grid lines).
    expect(count(root, 'path')).toBeGreaterThan(allSeries(spec).length);
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

/** An input whose decision compares `n` runs, two days apart, each a little slower than the last. */
function inputWith(n: number, options: { keyName?: string; sameMinute?: boolean } = {}): ReportInput {
  const base = caseInput('no-go');
  const runs = Array.from({ length: n }, (_, i) => {
    const day = 22 - 2 * i;
    const id = `2026-11-${day}T0300Z-run${i}`;
    const startedAt = options.sameMinute ? '2026-11-22T03:00:00Z' : `2026-11-${day}T03:00:00Z`;
    return run({ id, startedAt, shape: (u) => ({ ...healthyShape(u), p95Ms: Math.round(healthyShape(u).p95Ms * (1 + i * 0.15)) }) });
  });
  const settings = options.keyName ? { ...SETTINGS, keyTransaction: { name: options.keyName } } : SETTINGS;
  return { ...base, settings, runs, decision: { ...base.decision, runs: runs.map((r) => r.id) } };
}

interface TextBox {
  text: string;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/**
 * The box of every <text> of an ECharts SVG, from its anchor, transform and font size, with the
 * same generous width per character the renderer lays text out with.
 */
function textBoxes(svg: string): TextBox[] {
  const boxes: TextBox[] = [];
  for (const m of svg.matchAll(/<text ([^>]*)>([^<]*)<\/text>/g)) {
    const attrs = m[1]!;
    const text = m[2]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    const attr = (name: string) => new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(attrs)?.[1];
    const size = Number(/font-size:(\d+(?:\.\d+)?)px/.exec(attrs)?.[1] ?? 12);
    expect(attr('dominant-baseline')).toBe('central');
    const w = textWidth(text, size);
    const x = Number(attr('x') ?? 0);
    const y = Number(attr('y') ?? 0);
    const anchor = attr('text-anchor') ?? 'start';
    const lx0 = anchor === 'start' ? x : anchor === 'end' ? x - w : x - w / 2;
    const local = { x0: lx0, x1: lx0 + w, y0: y - size / 2, y1: y + size / 2 };
    const t = attr('transform') ?? '';
    const tr = /translate\(([-\d.e]+) ([-\d.e]+)\)/.exec(t);
    const mx = /matrix\(([^)]*)\)/.exec(t);
    let box: Omit<TextBox, 'text'>;
    if (mx) {
      const [a, b, c, d, e, f] = mx[1]!.split(',').map(Number) as [number, number, number, number, number, number];
      const corners = [
        [local.x0, local.y0],
        [local.x1, local.y0],
        [local.x0, local.y1],
        [local.x1, local.y1],
      ].map(([px, py]) => [a * px! + c * py! + e, b * px! + d * py! + f] as const);
      box = {
        x0: Math.min(...corners.map((p) => p[0])),
        x1: Math.max(...corners.map((p) => p[0])),
        y0: Math.min(...corners.map((p) => p[1])),
        y1: Math.max(...corners.map((p) => p[1])),
      };
    } else {
      const dx = tr ? Number(tr[1]) : 0;
      const dy = tr ? Number(tr[2]) : 0;
      box = { x0: local.x0 + dx, x1: local.x1 + dx, y0: local.y0 + dy, y1: local.y1 + dy };
    }
    if (text.trim()) boxes.push({ text, ...box });
  }
  return boxes;
}

/** WCAG contrast ratio of a #rrggbb colour against white. */
function contrastOnWhite(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  return 1.05 / (l + 0.05);
}

const overlaps = (a: TextBox, b: TextBox) => a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5;

describe('layout: nothing cut at the edges, no text over another', () => {
  const LONG_KEY = 'GET /api/v2/catalogue/products/search?category=garden-furniture&sort=price-ascending';
  const layouts: [string, ReportInput][] = [
    ['1 run', inputWith(1)],
    ['3 runs', inputWith(3)],
    ['5 runs', inputWith(5)],
    ['5 runs started in the same minute (full ids)', inputWith(5, { sameMinute: true })],
    ['3 runs, a long key-transaction name', inputWith(3, { keyName: LONG_KEY })],
  ];
  const rendered = layouts.flatMap(([name, input]) => {
    const all = buildChartSpecs(input);
    expect(all.map((s) => s.id)).toEqual(['p95-vs-users', 'throughput-vs-users', 'error-rate-vs-users', 'target-windows']);
    return all.map((spec) => [`${name}: ${spec.id}`, spec, renderChartSvg(spec)] as const);
  });

  it.each(rendered)('%s', (_name, spec, svg) => {
    const layout = chartLayout(spec);
    const root = parseSvg(svg);
    expect(root['@height']).toBe(String(layout.height));
    // Dark themes show the page behind any transparent part: the first thing drawn is an
    // opaque white rectangle over the whole canvas, and every text reads on it (WCAG AA, 4.5:1).
    expect(svg).toMatch(
      new RegExp(
        `^<svg[^>]*>\\n(<title>.*</title>\\n<desc>.*</desc>\\n)<rect width="${CHART_WIDTH}" height="${layout.height}" x="0" y="0" fill="#ffffff"></rect>`,
      ),
    );
    const textFills = [...svg.matchAll(/<text [^>]*fill="([^"]*)"/g)].map((m) => m[1]!);
    expect(textFills.length).toBeGreaterThan(10);
    for (const fill of new Set(textFills)) expect(contrastOnWhite(fill), fill).toBeGreaterThanOrEqual(4.5);
    const boxes = textBoxes(svg);
    for (const b of boxes) {
      expect(b.x0, b.text).toBeGreaterThanOrEqual(0);
      expect(b.x1, b.text).toBeLessThanOrEqual(CHART_WIDTH);
      expect(b.y0, b.text).toBeGreaterThanOrEqual(0);
      expect(b.y1, b.text).toBeLessThanOrEqual(layout.height);
    }
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++)
        expect(overlaps(boxes[i]!, boxes[j]!), `"${boxes[i]!.text}" over "${boxes[j]!.text}"`).toBe(false);
    }
    // Every legend entry is shown once, whole, above the plot.
    const entries = [...new Set(allSeries(spec).map((s) => s.name))];
    expect(layout.legendRows.flat()).toEqual(entries);
    for (const name of entries) {
      const shown = boxes.filter((b) => b.text === name);
      expect(shown, name).toHaveLength(1);
      expect(shown[0]!.y1).toBeLessThan(layout.plots[0]!.top);
    }
    // Bound labels sit right of the plots, never over the data.
    for (const l of layout.boundLabels) {
      const box = boxes.find((b) => b.text.endsWith(l.text.replace(/^↑ /, '')) && Math.abs((b.y0 + b.y1) / 2 - l.y) < 1)!;
      expect(box, l.text).toBeDefined();
      expect(box.x0).toBeGreaterThan(layout.plots[0]!.right);
    }
    // The canvas grows with the legend and the panels, so each plot keeps its height.
    expect(layout.height).toBe(
      CHART_HEIGHT + (layout.legendRows.length - 1) * LEGEND_ROW + (spec.panels.length - 1) * (PANEL_HEIGHT + PANEL_GAP),
    );
    for (const p of layout.plots) expect(p.bottom - p.top).toBe(PANEL_HEIGHT);
    // The full title and every run's full id are in the file, whatever the legend shows.
    expect(root.title).toBe(spec.title);
    for (const r of spec.runs) expect(String(root.desc)).toContain(r.id);
  });

  it('5 runs started in the same minute need a second legend row (full ids), and get it', () => {
    const spec = buildChartSpecs(inputWith(5, { sameMinute: true })).find((s) => s.id === 'throughput-vs-users')!;
    expect(spec.panels[0]!.series[0]!.name).toBe('2026-11-22T0300Z-run0');
    expect(chartLayout(spec).legendRows.length).toBeGreaterThan(1);
  });

  it('a long key-transaction name is shortened with an ellipsis in the picture, whole in its <title>', () => {
    const spec = buildChartSpecs(inputWith(3, { keyName: LONG_KEY }))[0]!;
    const svg = renderChartSvg(spec);
    const shown = textBoxes(svg).map((b) => b.text);
    expect(shown).not.toContain(spec.title);
    expect(shown.some((t) => t.startsWith('p95 of GET /api') && t.endsWith('…'))).toBe(true);
    expect(parseSvg(svg).title).toBe(spec.title);
  });

  it('axis ends are round', () => {
    expect([150, 151, 248, 1, 0.3, 7, 0].map(niceAxisMax)).toEqual([150, 200, 250, 1, 0.3, 8, 1]);
  });
});

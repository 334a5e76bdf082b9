import { LineChart, type LineSeriesOption } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TitleComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { ChartSpec } from './chart-data.ts';

/**
 * Renders a chart spec to an SVG document with Apache ECharts' server-side SVG renderer (no
 * browser, no canvas, no native dependency). Only the parts the report uses are registered.
 *
 * Readable in light and dark themes: the chart carries its own opaque white background and
 * dark text, and run colours come from the Okabe–Ito palette (distinguishable with the common
 * colour-vision deficiencies), kept apart from the green/orange of the bounds.
 */
echarts.use([LineChart, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, SVGRenderer]);

/**
 * Without a canvas, zrender guesses text widths too narrow for the fonts a viewer substitutes
 * (legend entries then overlap or run off the edge). A deliberately generous width per
 * character keeps the layout right whatever sans-serif font draws it.
 */
const EM_PER_CHAR = 0.62;
function fontSizeOf(font: string | undefined): number {
  const m = /(\d+(?:\.\d+)?)px/.exec(font ?? '');
  return m ? Number(m[1]) : 12;
}
function textWidth(text: string, fontSize: number): number {
  return [...text].length * fontSize * EM_PER_CHAR;
}
echarts.setPlatformAPI({ measureText: (text: string, font?: string) => ({ width: textWidth(text, fontSizeOf(font)) }) });

export const CHART_WIDTH = 820;
export const CHART_HEIGHT = 420;

const BACKGROUND = '#ffffff';
const TEXT = '#1f2328';
const GRID_LINE = '#d0d7de';
const RUN_COLOURS = ['#0072B2', '#CC79A7', '#56B4E9', '#D55E00', '#000000', '#F0E442'];
const BOUND_COLOURS = { green: '#1a7f37', orange: '#d4700a' } as const;
const MARKER_COLOUR = '#6e7781';

type MarkLineData = NonNullable<NonNullable<LineSeriesOption['markLine']>['data']>;

function colourOf(spec: ChartSpec, index: number): string {
  // On the windows chart a run's p95 and throughput lines share its colour (solid vs dashed).
  const runIndex = spec.id === 'target-windows' ? Math.floor(index / 2) : index;
  const name = spec.series[index]!.name;
  if (name.startsWith('USL fit')) return '#57606a';
  return RUN_COLOURS[runIndex % RUN_COLOURS.length]!;
}

const LEGEND_TOP = 34;
const LEGEND_SIDE = 20;
const LEGEND_GAP = 16;
const LEGEND_ICON = 25;
// ECharts spaces wrapped legend rows by the item gap too: the item height (14) plus the gap.
const LEGEND_ROW = 14 + LEGEND_GAP;

/** Rows the legend wraps into, packing entries the way ECharts does (icon, 5 px, text, gap). */
function legendRowCount(names: readonly string[]): number {
  const room = CHART_WIDTH - 2 * LEGEND_SIDE;
  let rows = 1;
  let used = 0;
  for (const name of names) {
    const w = LEGEND_ICON + 5 + textWidth(name, 12);
    if (used > 0 && used + w > room) {
      rows += 1;
      used = 0;
    }
    used += w + LEGEND_GAP;
  }
  return rows;
}

/** The ECharts option of a spec (exported for tests). */
export function chartOption(spec: ChartSpec): echarts.EChartsCoreOption {
  const textStyle = { color: TEXT, fontFamily: 'Helvetica, Arial, sans-serif', fontSize: 12 };
  const axisCommon = {
    nameTextStyle: { color: TEXT, fontSize: 12 },
    axisLine: { lineStyle: { color: TEXT } },
    axisLabel: { color: TEXT },
    splitLine: { lineStyle: { color: GRID_LINE } },
  };
  const series: LineSeriesOption[] = spec.series.map((s, i) => ({
    type: 'line',
    name: s.name,
    yAxisIndex: s.yAxis,
    data: s.points.map(([x, y]) => [x, y]),
    connectNulls: false,
    showSymbol: s.symbols,
    symbolSize: 6,
    color: colourOf(spec, i),
    lineStyle: { width: 2, type: s.dashed ? 'dashed' : 'solid' },
  }));
  // Bounds and markers are drawn by a series without data, left out of the legend: their
  // labels sit on the lines themselves.
  const lines: MarkLineData = [
    ...spec.bounds.map((b) => ({
      yAxis: b.value,
      name: b.label,
      label: { formatter: b.label, position: 'insideEndTop' as const, color: BOUND_COLOURS[b.level] },
      lineStyle: { color: BOUND_COLOURS[b.level], type: 'dashed' as const, width: 1.5 },
    })),
    ...spec.markers.map((m) => ({
      xAxis: m.x,
      name: m.label,
      label: { formatter: m.label, position: 'insideEndTop' as const, color: MARKER_COLOUR },
      lineStyle: { color: MARKER_COLOUR, type: 'dotted' as const, width: 1.5 },
    })),
  ];
  if (lines.length) {
    series.push({
      type: 'line',
      name: '__marks',
      data: [],
      silent: true,
      markLine: { symbol: 'none', animation: false, data: lines },
    });
  }
  const highestBound = Math.max(0, ...spec.bounds.map((b) => b.value));
  const legendRows = legendRowCount(spec.series.map((s) => s.name));
  return {
    animation: false,
    backgroundColor: BACKGROUND,
    textStyle,
    title: { text: spec.title, left: 'center', top: 8, textStyle: { color: TEXT, fontSize: 15, fontWeight: 'bold' } },
    // The SSR renderer estimates text widths: a wide gap keeps long run ids from overlapping.
    legend: {
      data: spec.series.map((s) => s.name),
      top: LEGEND_TOP,
      left: LEGEND_SIDE,
      right: LEGEND_SIDE,
      itemGap: LEGEND_GAP,
      itemWidth: LEGEND_ICON,
      textStyle: { color: TEXT, fontSize: 12 },
      type: 'plain',
    },
    // The plot starts below however many rows the legend wraps into.
    grid: { left: 80, right: spec.yAxes.length > 1 ? 80 : 40, top: LEGEND_TOP + legendRows * LEGEND_ROW + 30, bottom: 60 },
    xAxis: { type: 'value', name: spec.xAxis.name, nameLocation: 'middle', nameGap: 30, min: 0, ...axisCommon, splitLine: { show: false } },
    yAxis: spec.yAxes.map((a, i) => ({
      type: 'value',
      name: a.name,
      nameLocation: 'middle',
      nameGap: 55,
      min: 0,
      // Keep the bounds in view even when every run is far below them.
      ...(i === 0 && highestBound > 0 ? { max: (extent: { max: number }) => niceCeil(Math.max(extent.max, highestBound * 1.1)) } : {}),
      position: i === 0 ? 'left' : 'right',
      ...axisCommon,
      splitLine: { show: i === 0, lineStyle: { color: GRID_LINE } },
    })),
    series,
  };
}

/** Rounds up to 1, 2 or 5 × a power of ten, so that the axis ends on a round tick. */
function niceCeil(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  const m = v / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/**
 * ECharts names hover-style classes and clip paths after a process-wide instance counter
 * (`zr3-cls-5`, `zr3-c0`);
 * renaming them in order of appearance makes the same chart the same file, whatever was
 * rendered before it (so regenerated examples do not churn).
 */
function stableClassNames(svg: string): string {
  const names = new Map<string, string>();
  return svg.replace(/\bzr\d+-(cls-|c)?\d+\b/g, (name) => {
    if (!names.has(name)) names.set(name, `chart-${names.size}`);
    return names.get(name)!;
  });
}

/** One SVG document (UTF-8 text, with an XML declaration-free `<svg>` root) per spec. */
export function renderChartSvg(spec: ChartSpec): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: CHART_WIDTH, height: CHART_HEIGHT });
  try {
    chart.setOption(chartOption(spec));
    return stableClassNames(chart.renderToSVGString());
  } finally {
    chart.dispose();
  }
}

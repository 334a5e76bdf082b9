import { LineChart, type LineSeriesOption } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TitleComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { ChartSpec, LineSeries } from './chart-data.ts';

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
const EM_PER_CHAR = 0.64;
function fontSizeOf(font: string | undefined): number {
  const m = /(\d+(?:\.\d+)?)px/.exec(font ?? '');
  return m ? Number(m[1]) : 12;
}
export function textWidth(text: string, fontSize: number): number {
  return [...text].length * fontSize * EM_PER_CHAR;
}
echarts.setPlatformAPI({ measureText: (text: string, font?: string) => ({ width: textWidth(text, fontSizeOf(font)) }) });

export const CHART_WIDTH = 820;
/** Height with a one-row legend; each further legend row adds LEGEND_ROW so the plot keeps its size. */
export const CHART_HEIGHT = 420;

const BACKGROUND = '#ffffff';
const TEXT = '#1f2328';
const GRID_LINE = '#d0d7de';
// Okabe–Ito (colour-blind safe) without its yellow, unreadable on white; its green and orange
// are left to the bounds. Every colour here has at least 3:1 contrast on white except sky blue,
// which is only ever a line with symbols, never text.
const RUN_COLOURS = ['#0072B2', '#CC79A7', '#56B4E9', '#D55E00', '#000000', '#7B3294'];
const NEUTRAL = '#57606a';
const BOUND_COLOURS = { green: '#1a7f37', orange: '#bc4c00' } as const;
const MARKER_COLOUR = '#57606a';
const FONT = 'Helvetica, Arial, sans-serif';

type MarkLineData = NonNullable<NonNullable<LineSeriesOption['markLine']>['data']>;

function colourOf(s: LineSeries): string {
  return s.run === null ? NEUTRAL : RUN_COLOURS[s.run % RUN_COLOURS.length]!;
}

// Legend icons are scaled to the icon box from their path's bounds: the leading moves pin
// those bounds to the whole box, so the bars stay thin and centred.
const SOLID_ICON = 'path://M0,0M25,14M0,6h25v2.5h-25z';
const DASHED_ICON = 'path://M0,0M25,14M0,6h7v2.5h-7zM9,6h7v2.5h-7zM18,6h7v2.5h-7z';

/**
 * A light box behind labels drawn on the plot, so a data line crossing one does not strike it
 * through; translucent, so the line stays visible under it (the canvas itself stays opaque).
 */
const LABEL_BOX = { backgroundColor: 'rgba(255,255,255,0.8)', padding: [1, 3] as [number, number] };

const SIDE = 20;
const TITLE_TOP = 8;
const LEGEND_TOP = 36;
const LEGEND_GAP = 18;
const LEGEND_ICON = 25;
const LEGEND_ITEM_HEIGHT = 14;
export const LEGEND_ROW = 24;
/** Room above the plot for a marker's label (drawn above the plot) and the top tick label. */
const ABOVE_PLOT = 30;
const GRID_LEFT = 90;
const GRID_RIGHT_ONE_AXIS = 40;
const GRID_RIGHT_TWO_AXES = 90;
const GRID_BOTTOM = 60;
const AXIS_NAME_GAP = 62;

const legendTextRoom = CHART_WIDTH - 2 * SIDE - LEGEND_ICON - 5;
/** Width of one legend entry as ECharts lays it out: icon, 5 px, text (truncated to the room). */
function legendItemWidth(name: string): number {
  return LEGEND_ICON + 5 + Math.min(textWidth(name, 12), legendTextRoom);
}

/**
 * Legend entries (unique names, in order) packed into rows no wider than the canvas. The style
 * key's entries stay together (on a new row if they do not fit), so they read as one key.
 */
export function legendRows(spec: ChartSpec): string[][] {
  const seriesNames = [...new Set(spec.series.map((s) => s.name))].map((name) => [name]);
  const groups = spec.styleKeys.length ? [...seriesNames, spec.styleKeys.map((k) => k.name)] : seriesNames;
  const room = CHART_WIDTH - 2 * SIDE;
  const rows: string[][] = [];
  let used = 0;
  for (const group of groups) {
    const w = group.reduce((a, name, i) => a + (i ? LEGEND_GAP : 0) + legendItemWidth(name), 0);
    if (rows.length === 0 || used + LEGEND_GAP + w > room) {
      // A group wider than a row (never with the keys the charts have) is split item by item.
      if (w > room && group.length > 1) {
        for (const name of group) {
          const iw = legendItemWidth(name);
          if (rows.length === 0 || used + LEGEND_GAP + iw > room) {
            rows.push([name]);
            used = iw;
          } else {
            rows.at(-1)!.push(name);
            used += LEGEND_GAP + iw;
          }
        }
        continue;
      }
      rows.push([...group]);
      used = w;
    } else {
      rows.at(-1)!.push(...group);
      used += LEGEND_GAP + w;
    }
  }
  return rows;
}

export interface ChartLayout {
  readonly width: number;
  readonly height: number;
  readonly legendRows: readonly (readonly string[])[];
  /** The plot's rectangle, in pixels from the top-left corner. */
  readonly plot: { readonly left: number; readonly top: number; readonly right: number; readonly bottom: number };
}

/**
 * Where everything goes (pure): the legend takes as many rows as it needs below the title, the
 * plot starts below it, and the canvas grows by the extra rows so the plot never shrinks.
 */
export function chartLayout(spec: ChartSpec): ChartLayout {
  const rows = legendRows(spec);
  const extra = Math.max(0, rows.length - 1) * LEGEND_ROW;
  const height = CHART_HEIGHT + extra;
  const top = LEGEND_TOP + rows.length * LEGEND_ROW + ABOVE_PLOT;
  const right = CHART_WIDTH - (spec.yAxes.length > 1 ? GRID_RIGHT_TWO_AXES : GRID_RIGHT_ONE_AXIS);
  return { width: CHART_WIDTH, height, legendRows: rows, plot: { left: GRID_LEFT, top, right, bottom: height - GRID_BOTTOM } };
}

/** A round axis end at or above v, on a step of 1, 2, 2.5 or 5 × 10^k (about five ticks). */
export function niceAxisMax(v: number): number {
  if (!(v > 0)) return 1;
  const raw = v / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((x) => x >= raw)!;
  return Number((Math.ceil(v / step - 1e-9) * step).toPrecision(12));
}

/** The ECharts option of a spec (exported for tests). */
export function chartOption(spec: ChartSpec): echarts.EChartsCoreOption {
  const layout = chartLayout(spec);
  const { plot } = layout;
  const textStyle = { color: TEXT, fontFamily: FONT, fontSize: 12 };
  const axisCommon = {
    nameTextStyle: { color: TEXT, fontSize: 12 },
    axisLine: { lineStyle: { color: TEXT } },
    axisLabel: { color: TEXT },
    splitLine: { lineStyle: { color: GRID_LINE } },
  };
  const series: LineSeriesOption[] = spec.series.map((s) => ({
    type: 'line',
    name: s.name,
    yAxisIndex: s.yAxis,
    data: s.points.map(([x, y]) => [x, y]),
    connectNulls: false,
    showSymbol: s.symbols,
    symbolSize: 6,
    color: colourOf(s),
    lineStyle: { width: 2, type: s.dashed ? 'dashed' : 'solid' },
  }));
  // The style key: series without data, in the neutral colour, only there for their legend entry.
  for (const k of spec.styleKeys) {
    series.push({ type: 'line', name: k.name, data: [], color: NEUTRAL, lineStyle: { width: 2, type: k.dashed ? 'dashed' : 'solid' }, showSymbol: false });
  }

  // The x axis ends on a round figure we know, so a marker's label can be aligned to stay
  // inside the canvas (to the left of its line near the right edge, and so on).
  const xs = [...spec.series.flatMap((s) => s.points.map(([x]) => x)), ...spec.markers.map((m) => m.x)];
  const xMax = niceAxisMax(Math.max(0, ...xs));
  const alignAt = (x: number): 'left' | 'center' | 'right' => (x / xMax > 0.6 ? 'right' : x / xMax < 0.4 ? 'left' : 'center');

  // Bounds and markers are drawn by a series without data, left out of the legend: their
  // labels sit on the lines themselves, at the left where the lines of a load test are lowest.
  // The orange label goes above its line and the green one below, so close bounds do not print
  // one label over the other.
  const lines: MarkLineData = [
    ...spec.bounds.map((b) => ({
      yAxis: b.value,
      name: b.label,
      label: { formatter: b.label, position: b.level === 'green' ? ('insideStartBottom' as const) : ('insideStartTop' as const), color: BOUND_COLOURS[b.level], ...LABEL_BOX },
      lineStyle: { color: BOUND_COLOURS[b.level], type: 'dashed' as const, width: 1.5 },
    })),
    // Marker labels are written level, above the plot (where the layout keeps room), rather
    // than along the line inside it where the data lines cross them.
    ...spec.markers.map((m) => ({
      xAxis: m.x,
      name: m.label,
      label: { formatter: m.label, position: 'end' as const, distance: 6, align: alignAt(m.x), color: MARKER_COLOUR, ...LABEL_BOX },
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
  // Entries drawn without symbols (a fitted curve, the style key) get a bare line as their
  // legend icon, dashed or not like the line: ECharts would otherwise add a circle to it.
  const lineOnlyEntries = new Map<string, boolean>([
    ...spec.series.filter((s) => !s.symbols && !spec.series.some((o) => o.name === s.name && o.symbols)).map((s) => [s.name, s.dashed] as const),
    ...spec.styleKeys.map((k) => [k.name, k.dashed] as const),
  ]);
  const highestBound = Math.max(0, ...spec.bounds.map((b) => b.value));
  const plotHeight = plot.bottom - plot.top;
  return {
    animation: false,
    backgroundColor: BACKGROUND,
    textStyle,
    title: {
      text: spec.title,
      left: 'center',
      top: TITLE_TOP,
      // A long key-transaction name is cut with an ellipsis; the full title is the SVG's <title>.
      textStyle: { color: TEXT, fontSize: 15, fontWeight: 'bold', width: CHART_WIDTH - 2 * SIDE, overflow: 'truncate' },
    },
    // One legend component per row, each centred: rows are packed here, with the same text
    // widths ECharts measures, so that nothing wraps on its own or runs off the canvas.
    legend: layout.legendRows.map((names, r) => ({
      data: names.map((name) => {
        const dashed = lineOnlyEntries.get(name);
        return dashed === undefined ? name : { name, icon: dashed ? DASHED_ICON : SOLID_ICON };
      }),
      top: LEGEND_TOP + r * LEGEND_ROW,
      left: 'center',
      itemGap: LEGEND_GAP,
      itemWidth: LEGEND_ICON,
      itemHeight: LEGEND_ITEM_HEIGHT,
      textStyle: { color: TEXT, fontSize: 12, width: legendTextRoom, overflow: 'truncate' },
      type: 'plain',
    })),
    grid: { left: plot.left, right: CHART_WIDTH - plot.right, top: plot.top, bottom: layout.height - plot.bottom },
    xAxis: {
      type: 'value',
      name: spec.xAxis.name,
      nameLocation: 'middle',
      nameGap: 30,
      min: 0,
      ...(spec.markers.length ? { max: xMax } : {}),
      ...axisCommon,
      splitLine: { show: false },
    },
    yAxis: spec.yAxes.map((a, i) => ({
      type: 'value',
      name: a.name,
      nameLocation: 'middle',
      nameGap: AXIS_NAME_GAP,
      nameTruncate: { maxWidth: plotHeight, ellipsis: '…' },
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

function xmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The chart's full title and its runs' full ids as the SVG's <title> and <desc> (read by
 * screen readers and shown on hover when the file is opened alone): the legend names runs by
 * their start time only.
 */
function withTitle(svg: string, spec: ChartSpec): string {
  const runs = spec.runs.map((r) => (r.label === r.id ? r.id : `${r.label} UTC = ${r.id}`)).join('; ');
  const extra = `<title>${xmlText(spec.title)}</title>\n<desc>${xmlText(`${spec.alt}. Runs: ${runs}.`)}</desc>\n`;
  return svg.replace(/^(<svg\b[^>]*>\n?)/, `$1${extra}`);
}

/** One SVG document (UTF-8 text, with an XML declaration-free `<svg>` root) per spec. */
export function renderChartSvg(spec: ChartSpec): string {
  const { width, height } = chartLayout(spec);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(chartOption(spec));
    return withTitle(stableClassNames(chart.renderToSVGString()), spec);
  } finally {
    chart.dispose();
  }
}

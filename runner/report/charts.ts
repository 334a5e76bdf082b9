import { LineChart, type LineSeriesOption } from 'echarts/charts';
import { GraphicComponent, GridComponent, LegendComponent, MarkLineComponent, TitleComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { allSeries, type Bound, type ChartSpec, type LineSeries, type Panel } from './chart-data.ts';

/**
 * Renders a chart spec to an SVG document with Apache ECharts' server-side SVG renderer (no
 * browser, no canvas, no native dependency). Only the parts the report uses are registered.
 *
 * Readable in light and dark themes: the chart carries its own opaque white background and
 * dark text, and run colours come from the Okabe–Ito palette (distinguishable with the common
 * colour-vision deficiencies), kept apart from the green/orange of the bounds.
 * Tests render every chart to PNG (resvg) and check the picture, not only the SVG text.
 */
echarts.use([LineChart, GraphicComponent, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, SVGRenderer]);

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
/** Height of one panel with a one-row legend; each further legend row adds LEGEND_ROW so the plot keeps its size. */
export const CHART_HEIGHT = 420;

const BACKGROUND = '#ffffff';
const TEXT = '#1f2328';
const GRID_LINE = '#d0d7de';
/**
 * Okabe–Ito (colour-blind safe): blue, vermillion and black first, as most charts show three
 * runs and no other three of its colours stay as far apart with the common colour-vision
 * deficiencies (the former blue / sky-blue pair read as one blue). Its green and yellow are left
 * out (the green bound; unreadable on white). Each run also has its own symbol, for print in grey.
 */
export const RUN_COLOURS = ['#0072B2', '#D55E00', '#000000', '#CC79A7', '#56B4E9'] as const;
export const RUN_SYMBOLS = ['circle', 'triangle', 'rect', 'diamond', 'roundRect', 'pin'] as const;
const NEUTRAL = '#57606a';
const BOUND_COLOURS = { green: '#1a7f37', orange: '#bc4c00' } as const;
const MARKER_COLOUR = '#57606a';
const FONT = 'Helvetica, Arial, sans-serif';

type MarkLineData = NonNullable<NonNullable<LineSeriesOption['markLine']>['data']>;

function colourOf(s: LineSeries): string {
  return s.run === null ? NEUTRAL : RUN_COLOURS[s.run % RUN_COLOURS.length]!;
}

function symbolOf(s: LineSeries): string {
  return s.run === null ? 'none' : RUN_SYMBOLS[s.run % RUN_SYMBOLS.length]!;
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
/** Height of one panel's plot; a chart of two panels is one panel taller, plus the gap. */
export const PANEL_HEIGHT = 270;
export const PANEL_GAP = 30;
const GRID_LEFT = 90;
const GRID_RIGHT = 40;
const GRID_BOTTOM = 60;
const AXIS_NAME_GAP = 62;
const BOUND_FONT = 12;
/** Bound labels sit in a column right of the plot, never on the data, at least this far apart. */
const BOUND_LABEL_GAP = 8;
const BOUND_LABEL_ROW = 16;
/**
 * A bound above OFF_SCALE × the panel's highest value would squeeze the data into a thin band
 * at the bottom: the axis is scaled to the data and such a bound is marked at the top edge.
 */
const OFF_SCALE = 2;

const legendTextRoom = CHART_WIDTH - 2 * SIDE - LEGEND_ICON - 5;
/** Width of one legend entry as ECharts lays it out: icon, 5 px, text (truncated to the room). */
function legendItemWidth(name: string): number {
  return LEGEND_ICON + 5 + Math.min(textWidth(name, 12), legendTextRoom);
}

/** Legend entries (unique series names, in order) packed into rows no wider than the canvas. */
export function legendRows(spec: ChartSpec): string[][] {
  const names = [...new Set(allSeries(spec).map((s) => s.name))];
  const room = CHART_WIDTH - 2 * SIDE;
  const rows: string[][] = [];
  let used = 0;
  for (const name of names) {
    const w = legendItemWidth(name);
    if (rows.length === 0 || used + LEGEND_GAP + w > room) {
      rows.push([name]);
      used = w;
    } else {
      rows.at(-1)!.push(name);
      used += LEGEND_GAP + w;
    }
  }
  return rows;
}

interface Rect {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/** A panel's y scale: 0 to `max` in steps of `step`; bounds within it drawn as lines, the others marked at the top. */
export interface PanelScale {
  readonly max: number;
  readonly step: number;
  readonly inRange: readonly Bound[];
  readonly offScale: readonly Bound[];
}

export interface ChartLayout {
  readonly width: number;
  readonly height: number;
  readonly legendRows: readonly (readonly string[])[];
  /** Each panel's plot rectangle, in pixels from the top-left corner, top to bottom. */
  readonly plots: readonly Rect[];
  readonly scales: readonly PanelScale[];
  /** The x axis, shared by the panels: 0 to `max`. */
  readonly xMax: number;
  /** Every bound label, in the column right of the plots. */
  readonly boundLabels: readonly { readonly text: string; readonly level: Bound['level']; readonly x: number; readonly y: number }[];
}

/** The y scale of a panel (pure): scaled to the data, with the bounds that do not squeeze it. */
export function panelScale(panel: Panel): PanelScale {
  const values = panel.series.flatMap((s) => s.points.flatMap(([, y]) => (y == null ? [] : [y])));
  const dataMax = Math.max(0, ...values);
  const inRange = panel.bounds.filter((b) => dataMax === 0 || b.value <= OFF_SCALE * dataMax);
  const { max, step } = niceScale(Math.max(dataMax, ...inRange.map((b) => b.value)) * 1.05);
  return { max, step, inRange: inRange.filter((b) => b.value <= max), offScale: panel.bounds.filter((b) => b.value > max) };
}

/**
 * Where everything goes (pure): the legend takes as many rows as it needs below the title, the
 * panels follow, and the canvas grows by the extra rows so the plots never shrink. Bound labels
 * go in a column right of the plots (so none sits on the data), pushed apart where bounds are
 * close; a bound above the scale is labelled "↑" at the top of its panel.
 */
export function chartLayout(spec: ChartSpec): ChartLayout {
  const rows = legendRows(spec);
  const firstTop = LEGEND_TOP + rows.length * LEGEND_ROW + ABOVE_PLOT;
  const n = spec.panels.length;
  const height = firstTop + n * PANEL_HEIGHT + (n - 1) * PANEL_GAP + GRID_BOTTOM;
  const scales = spec.panels.map(panelScale);
  const labelText = (b: Bound, off: boolean) => (off ? `↑ ${b.label}` : b.label);
  const labelWidth = Math.max(
    0,
    ...scales
      .flatMap((sc) => [...sc.inRange.map((b) => labelText(b, false)), ...sc.offScale.map((b) => labelText(b, true))])
      .map((t) => textWidth(t, BOUND_FONT)),
  );
  const right = CHART_WIDTH - Math.max(GRID_RIGHT, labelWidth ? labelWidth + 2 * BOUND_LABEL_GAP : 0);
  const plots = spec.panels.map((_, i) => {
    const top = firstTop + i * (PANEL_HEIGHT + PANEL_GAP);
    return { left: GRID_LEFT, top, right, bottom: top + PANEL_HEIGHT };
  });
  const boundLabels = scales.flatMap((sc, i) => {
    const plot = plots[i]!;
    const wanted = [
      ...sc.offScale.map((b, k) => ({ text: labelText(b, true), level: b.level, y: plot.top + BOUND_LABEL_ROW / 2 + k * BOUND_LABEL_ROW })),
      ...sc.inRange.map((b) => ({ text: labelText(b, false), level: b.level, y: plot.bottom - (b.value / sc.max) * PANEL_HEIGHT })),
    ].sort((a, b) => a.y - b.y);
    // Push labels down until none overlaps the one above, then back up from the bottom edge.
    for (let k = 1; k < wanted.length; k++) wanted[k]!.y = Math.max(wanted[k]!.y, wanted[k - 1]!.y + BOUND_LABEL_ROW);
    for (let k = wanted.length - 1; k >= 0; k--) {
      const limit = k === wanted.length - 1 ? plot.bottom - BOUND_LABEL_ROW / 2 : wanted[k + 1]!.y - BOUND_LABEL_ROW;
      wanted[k]!.y = Math.min(wanted[k]!.y, limit);
    }
    return wanted.map((w) => ({ ...w, x: right + BOUND_LABEL_GAP }));
  });
  const xs = [...allSeries(spec).flatMap((s) => s.points.map(([x]) => x)), ...spec.markers.map((m) => m.x)];
  return { width: CHART_WIDTH, height, legendRows: rows, plots, scales, xMax: niceAxisMax(Math.max(0, ...xs)), boundLabels };
}

/** A round axis end at or above v, on a step of 1, 2, 2.5 or 5 × 10^k (about five ticks). */
function niceScale(v: number): { max: number; step: number } {
  if (!(v > 0)) return { max: 1, step: 0.2 };
  const raw = v / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = Number(
    [1, 2, 2.5, 5, 10]
      .map((m) => m * p)
      .find((x) => x >= raw)!
      .toPrecision(12),
  );
  return { max: Number((Math.ceil(v / step - 1e-9) * step).toPrecision(12)), step };
}

export function niceAxisMax(v: number): number {
  return niceScale(v).max;
}

const TEXT_STYLE = { color: TEXT, fontFamily: FONT, fontSize: 12 };
const AXIS_COMMON = {
  nameTextStyle: { color: TEXT, fontSize: 12 },
  axisLine: { lineStyle: { color: TEXT } },
  axisLabel: { color: TEXT },
  splitLine: { lineStyle: { color: GRID_LINE } },
};

/** The data lines, each on its panel's axes. */
function dataSeries(spec: ChartSpec): LineSeriesOption[] {
  return spec.panels.flatMap((panel, p) =>
    panel.series.map(
      (s): LineSeriesOption => ({
        type: 'line',
        name: s.name,
        xAxisIndex: p,
        yAxisIndex: p,
        data: s.points.map(([x, y]) => [x, y]),
        connectNulls: false,
        showSymbol: s.symbols,
        symbol: symbolOf(s),
        symbolSize: 7,
        color: colourOf(s),
        lineStyle: { width: 2, type: s.dashed ? 'dashed' : 'solid' },
      }),
    ),
  );
}

/**
 * Bound and marker lines, drawn by a series without data per panel, left out of the legend;
 * bound labels are graphic texts in the column right of the plots (see chartLayout).
 */
function markSeries(spec: ChartSpec, layout: ChartLayout): LineSeriesOption[] {
  const { scales, xMax } = layout;
  // Marker labels are aligned to stay inside the canvas (to the left of their line near the right edge, and so on).
  const alignAt = (x: number): 'left' | 'center' | 'right' => (x / xMax > 0.6 ? 'right' : x / xMax < 0.4 ? 'left' : 'center');
  return spec.panels.flatMap((_, p): LineSeriesOption[] => {
    const lines: MarkLineData = [
      ...scales[p]!.inRange.map((b) => ({
        yAxis: b.value,
        name: b.label,
        label: { show: false },
        lineStyle: { color: BOUND_COLOURS[b.level], type: 'dashed' as const, width: 1.5 },
      })),
      // Marker labels are written level, above the top plot (where the layout keeps room),
      // rather than along the line inside it where the data lines cross them.
      ...spec.markers.map((m) => ({
        xAxis: m.x,
        name: m.label,
        label:
          p === 0
            ? { formatter: m.label, position: 'end' as const, distance: 6, align: alignAt(m.x), color: MARKER_COLOUR, ...LABEL_BOX }
            : { show: false },
        lineStyle: { color: MARKER_COLOUR, type: 'dotted' as const, width: 1.5 },
      })),
    ];
    if (!lines.length) return [];
    return [
      {
        type: 'line',
        name: '__marks',
        xAxisIndex: p,
        yAxisIndex: p,
        data: [],
        silent: true,
        markLine: { symbol: 'none', animation: false, data: lines },
      },
    ];
  });
}

/**
 * One legend component per row, each centred: rows are packed by chartLayout, with the same
 * text widths ECharts measures, so that nothing wraps on its own or runs off the canvas.
 */
function legendOption(spec: ChartSpec, layout: ChartLayout): echarts.EChartsCoreOption[] {
  // Entries drawn without symbols (a fitted curve) get a bare line as their legend icon,
  // dashed or not like the line: ECharts would otherwise add a circle to it.
  const all = allSeries(spec);
  const lineOnlyEntries = new Map<string, boolean>(
    all.filter((s) => !s.symbols && !all.some((o) => o.name === s.name && o.symbols)).map((s) => [s.name, s.dashed] as const),
  );
  return layout.legendRows.map((names, r) => ({
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
  }));
}

/** The grids and axes: one x axis per panel on the same scale, only the bottom one labelled and named. */
function axesOption(spec: ChartSpec, layout: ChartLayout): echarts.EChartsCoreOption {
  const { plots, scales, xMax } = layout;
  const last = spec.panels.length - 1;
  return {
    // The plots' bounds are laid out above: ECharts need not measure the axis labels again to fit them.
    grid: plots.map((plot) => ({
      left: plot.left,
      right: CHART_WIDTH - plot.right,
      top: plot.top,
      bottom: layout.height - plot.bottom,
      outerBoundsMode: 'none',
    })),
    xAxis: plots.map((_, p) => ({
      type: 'value',
      gridIndex: p,
      ...(p === last ? { name: spec.xAxis.name, nameLocation: 'middle', nameGap: 30 } : {}),
      min: 0,
      max: xMax,
      ...AXIS_COMMON,
      axisLabel: { color: TEXT, show: p === last },
      splitLine: { show: false },
    })),
    yAxis: spec.panels.map((panel, p) => ({
      type: 'value',
      gridIndex: p,
      name: panel.yAxis.name,
      nameLocation: 'middle',
      nameGap: AXIS_NAME_GAP,
      nameTruncate: { maxWidth: PANEL_HEIGHT, ellipsis: '…' },
      min: 0,
      max: scales[p]!.max,
      interval: scales[p]!.step,
      ...AXIS_COMMON,
    })),
  };
}

/** The ECharts option of a spec (exported for tests). */
export function chartOption(spec: ChartSpec): echarts.EChartsCoreOption {
  const layout = chartLayout(spec);
  return {
    animation: false,
    backgroundColor: BACKGROUND,
    textStyle: TEXT_STYLE,
    title: {
      text: spec.title,
      left: 'center',
      top: TITLE_TOP,
      // A long key-transaction name is cut with an ellipsis; the full title is the SVG's <title>.
      textStyle: { color: TEXT, fontSize: 15, fontWeight: 'bold', width: CHART_WIDTH - 2 * SIDE, overflow: 'truncate' },
    },
    legend: legendOption(spec, layout),
    ...axesOption(spec, layout),
    graphic: layout.boundLabels.map((l) => ({
      type: 'text',
      x: l.x,
      y: l.y,
      silent: true,
      style: {
        text: l.text,
        fill: BOUND_COLOURS[l.level],
        font: `${BOUND_FONT}px ${FONT}`,
        textAlign: 'left',
        textVerticalAlign: 'middle',
      },
    })),
    series: [...dataSeries(spec), ...markSeries(spec, layout)],
  };
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
  const runs = spec.environments
    ? `Environments: ${spec.environments.map((e) => `${e.name} = runs ${e.runs.join(', ')}`).join('; ')}`
    : `Runs: ${spec.runs.map((r) => (r.label === r.id ? r.id : `${r.label} UTC = ${r.id}`)).join('; ')}`;
  const extra = `<title>${xmlText(spec.title)}</title>\n<desc>${xmlText(`${spec.alt}. ${runs}.`)}</desc>\n`;
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

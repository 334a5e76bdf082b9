import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { environmentSide, healthyShape, run, SETTINGS } from '../../test/testkit/report-builders.ts';
import { caseInput } from '../../test/testkit/report-cases.ts';
import { buildChartSpecs, type ChartSpec } from './chart-data.ts';
import { chartLayout, RUN_COLOURS, renderChartSvg } from './charts.ts';
import { environmentChart } from './environment-chart.ts';
import type { ReportInput } from './report-input.ts';

/**
 * The charts as a reader sees them: each SVG rasterised to PNG by resvg (the SVG renderer of
 * Rust's resvg, a well-kept, dependency-free rasteriser with prebuilt binaries), then the
 * pixels checked: every run drawn in its colour in every panel, the data not squeezed into a
 * thin band, the run colours apart with any common colour-vision deficiency.
 */

type Rgb = readonly [number, number, number];

const hexRgb = (hex: string): Rgb => [0, 1, 2].map((i) => parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16)) as unknown as Rgb;

interface Raster {
  readonly width: number;
  readonly height: number;
  readonly pixels: Buffer;
  readonly png: Buffer;
}

function rasterise(svg: string): Raster {
  const image = new Resvg(svg, {
    background: '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  }).render();
  return { width: image.width, height: image.height, pixels: image.pixels, png: image.asPng() };
}

/** Rows (y) of the pixels within `tolerance` of `colour`, inside the rectangle. */
function rowsOf(r: Raster, colour: Rgb, rect: { left: number; top: number; right: number; bottom: number }, tolerance: number): number[] {
  const rows: number[] = [];
  for (let y = Math.ceil(rect.top); y < Math.floor(rect.bottom); y++) {
    for (let x = Math.ceil(rect.left); x < Math.floor(rect.right); x++) {
      const i = (y * r.width + x) * 4;
      const d = Math.hypot(r.pixels[i]! - colour[0], r.pixels[i + 1]! - colour[1], r.pixels[i + 2]! - colour[2]);
      if (d <= tolerance) rows.push(y);
    }
  }
  return rows;
}

/** A week like the demo's: p95 200–360 ms, far below the 2500 / 4000 ms bounds; failures only at 150 users. */
function demoLike(): ReportInput {
  const base = caseInput('go');
  const runs = [0, 1, 2].map((i) =>
    run({
      id: `2026-11-2${2 - i}T0300Z-demo${i}`,
      startedAt: `2026-11-2${2 - i}T03:00:00Z`,
      shape: (u) => ({
        ...healthyShape(u),
        p95Ms: 200 + u + 25 * i,
        errorRate: u > 100 ? 0.13 + 0.005 * i : 0,
        throughputPerS: 2.1 * Math.min(u, 130) * (1 - 0.06 * i),
      }),
    }),
  );
  return { ...base, runs, decision: { ...base.decision, runs: runs.map((r) => r.id) } };
}

const charts: [string, ChartSpec][] = [
  ...buildChartSpecs(caseInput('no-go')).map((s): [string, ChartSpec] => [`no-go: ${s.id}`, s]),
  ...buildChartSpecs(demoLike()).map((s): [string, ChartSpec] => [`demo-like: ${s.id}`, s]),
  [
    'environments side by side',
    environmentChart([environmentSide('current', 'no-go', [4000, 4200]), environmentSide('candidate', 'go', [1000, 1100])], SETTINGS)!,
  ],
];

describe('the charts, rasterised to PNG', () => {
  it.each(charts)('%s: every run in its colour in every panel, the data over a good part of the height', (_name, spec) => {
    const layout = chartLayout(spec);
    const r = rasterise(renderChartSvg(spec));
    expect([r.width, r.height]).toEqual([layout.width, layout.height]);
    expect([...r.png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    spec.panels.forEach((panel, p) => {
      const plot = layout.plots[p]!;
      const runRows = panel.series
        .filter((s) => s.run !== null)
        .flatMap((s) => {
          // Black lines are told from the dark text by being darker than it.
          const rows = rowsOf(r, hexRgb(RUN_COLOURS[s.run!]!), plot, RUN_COLOURS[s.run!] === '#000000' ? 20 : 40);
          expect(rows.length, `${s.name} in panel ${p}`).toBeGreaterThan(40);
          return rows;
        });
      // Not a flat line on the floor: the highest point drawn reaches at least 40 % of the plot.
      const highest = Math.min(...runRows);
      expect((plot.bottom - highest) / (plot.bottom - plot.top), `panel ${p}`).toBeGreaterThan(0.4);
    });
  });

  it('the demo-like p95 chart is scaled to its 200–360 ms, with the bounds marked above the scale', () => {
    const spec = buildChartSpecs(demoLike()).find((s) => s.id === 'p95-vs-users')!;
    const { scales } = chartLayout(spec);
    expect(scales[0]!.max).toBeLessThan(1000);
    expect(scales[0]!.offScale.map((b) => b.label)).toEqual(['green ≤ 2500 ms', 'orange ≤ 4000 ms']);
    // The lines span most of the height instead of sitting under 10 % of a 5,000 ms axis.
    const layout = chartLayout(spec);
    const r = rasterise(renderChartSvg(spec));
    const rows = rowsOf(r, hexRgb(RUN_COLOURS[0]), layout.plots[0]!, 40);
    expect((Math.max(...rows) - Math.min(...rows)) / (layout.plots[0]!.bottom - layout.plots[0]!.top)).toBeGreaterThan(0.25);
  });
});

// Colour-vision deficiency simulation (Machado, Oliveira & Fernandes 2009, severity 1), on
// linear RGB, and the CIE76 colour difference in CIELAB.
const CVD: Record<string, readonly (readonly number[])[]> = {
  normal: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};

const toLinear = (c: number) => {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
};

function lab(rgbLinear: readonly number[]): Rgb {
  const [r, g, b] = rgbLinear.map((v) => Math.min(1, Math.max(0, v))) as [number, number, number];
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

function seenAs(hex: string, m: readonly (readonly number[])[]): Rgb {
  const lin = hexRgb(hex).map(toLinear);
  return lab(m.map((row) => row[0]! * lin[0]! + row[1]! * lin[1]! + row[2]! * lin[2]!));
}

describe('run colours', () => {
  it.each(Object.keys(CVD))('the first three runs stay far apart with %s vision (CIE76 ΔE ≥ 40)', (vision) => {
    const first = RUN_COLOURS.slice(0, 3).map((c) => seenAs(c, CVD[vision]!));
    for (let i = 0; i < first.length; i++) {
      for (let j = i + 1; j < first.length; j++) {
        const [a, b] = [first[i]!, first[j]!];
        expect(Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]), `${RUN_COLOURS[i]} vs ${RUN_COLOURS[j]}`).toBeGreaterThanOrEqual(40);
      }
    }
  });

  it('the former palette (blue, reddish purple, sky blue) would not have passed: its two blues', () => {
    const [blue, sky] = [seenAs('#0072B2', CVD.tritanopia!), seenAs('#56B4E9', CVD.tritanopia!)];
    expect(Math.hypot(blue[0] - sky[0], blue[1] - sky[1], blue[2] - sky[2])).toBeLessThan(40);
  });
});

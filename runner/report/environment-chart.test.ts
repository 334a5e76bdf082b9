import { describe, expect, it } from 'vitest';
import { environmentSide, healthyShape, SETTINGS } from '../../test/testkit/report-builders.ts';
import { allSeries } from './chart-data.ts';
import { renderChartSvg } from './charts.ts';
import { environmentChart } from './environment-chart.ts';

const current = environmentSide('current', 'no-go', [4000, 4400, 4200]);
const candidate = environmentSide('candidate', 'go', [1000, 1100]);

describe('the side-by-side chart of the environments', () => {
  const spec = environmentChart([current, candidate], SETTINGS)!;

  it('draws p95 and goodput by users in two panels, one line (one colour) per environment', () => {
    expect(spec.id).toBe('environments-vs-users');
    expect(spec.panels.map((p) => p.yAxis.name)).toEqual(['p95 of search (ms)', 'goodput (successful requests/s)']);
    for (const panel of spec.panels) {
      expect(panel.series.map((s) => [s.name, s.run])).toEqual([
        ['current', 0],
        ['candidate', 1],
      ]);
    }
    expect(spec.panels[0]!.bounds.map((b) => b.value)).toEqual([2500, 4000]);
    expect(spec.markers).toEqual([{ label: 'target 100 users', x: 100 }]);
  });

  it('plots, per stage, the median over the runs each environment rests on', () => {
    const [p95Current, p95Candidate] = spec.panels[0]!.series;
    // At the target stage the runs' p95s are the side's figures: medians 4200 and 1050 ms.
    expect(p95Current!.points.find(([u]) => u === 100)).toEqual([100, 4200]);
    expect(p95Candidate!.points.find(([u]) => u === 100)).toEqual([100, 1050]);
    expect(p95Current!.points.map(([u]) => u)).toEqual([5, 20, 50, 75, 100, 150]);
    const goodput = spec.panels[1]!.series[1]!;
    expect(goodput.points.find(([u]) => u === 50)).toEqual([50, Number((healthyShape(50).throughputPerS * 0.999).toFixed(1))]);
  });

  it('names the runs behind each line in the SVG description', () => {
    expect(spec.environments).toEqual([
      { name: 'current', runs: current.decision.runs },
      { name: 'candidate', runs: candidate.decision.runs },
    ]);
    const svg = renderChartSvg(spec);
    expect(svg).toContain(`Environments: current = runs ${current.decision.runs.join(', ')}; candidate = runs`);
    for (const s of allSeries(spec)) expect(svg).toContain(`>${s.name}<`);
  });

  it('keeps an environment its colour when another before it has no run, and is not drawn for fewer than two', () => {
    const empty = environmentSide('spare', 'insufficient-data', []);
    const three = environmentChart([current, empty, candidate], SETTINGS)!;
    expect(three.panels[0]!.series.map((s) => [s.name, s.run])).toEqual([
      ['current', 0],
      ['candidate', 2],
    ]);
    expect(environmentChart([current, empty], SETTINGS)).toBeNull();
    expect(environmentChart([current], SETTINGS)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { runManifest, runSummary } from '../../test/testkit/runs.ts';
import { formatStageTable } from './stage-table.ts';

describe('formatStageTable', () => {
  it('shows n/a, not 0 ms, for the latencies of a stage where every key request failed', () => {
    const spec = { stages: [5, 100], stats: { 5: { count: 300, failures: 300, p95Ms: 0 }, 100: { count: 300, failures: 3, p95Ms: 840 } } };
    const manifest = runManifest(spec);
    const lines = formatStageTable(manifest, runSummary(manifest, spec)).split('\n');
    expect(lines.find((l) => l.startsWith('5 '))).toMatch(/^5\s+300\s+[\d.]+\s+n\/a\s+n\/a\s+n\/a\s+100\.00%\s+completed$/);
    expect(lines.find((l) => l.startsWith('100 *'))).toMatch(/\s840\s/);
    expect(lines.at(-1)).toContain('n/a: every search request failed');
  });

  it('explains n/a only when the table has one', () => {
    const spec = { stages: [5, 100], stats: { 5: { count: 300, failures: 0, p95Ms: 90 }, 100: { count: 300, failures: 3, p95Ms: 840 } } };
    const manifest = runManifest(spec);
    const text = formatStageTable(manifest, runSummary(manifest, spec));
    expect(text).not.toContain('n/a');
    expect(text.split('\n').at(-1)).toBe("(* target stage; figures over each stage's hold, ramp-up excluded)");
  });
});

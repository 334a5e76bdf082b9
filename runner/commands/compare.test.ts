import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { comparisonFormat } from '../../formats/comparison.ts';
import { runCli } from '../../test/testkit/cli-in-process.ts';
import { type ResultsFolder, makeResultsFolder } from '../../test/testkit/results-folder.ts';
import { runWithLevels } from '../../test/testkit/runs.ts';

describe('npm run compare', () => {
  let folder: ResultsFolder;
  beforeEach(async () => {
    folder = await makeResultsFolder();
    // Interleaved nights, as --environment all would run them: current fails p95, the candidate holds.
    for (let i = 0; i < 3; i++) {
      await folder.write(runWithLevels(2 * i, 'R G G', { environment: 'current' }));
      await folder.write(runWithLevels(2 * i + 1, 'G G G', { environment: 'candidate' }));
    }
  });
  afterEach(async () => {
    await folder.cleanup();
  });

  it('--json: each side over its own runs only, the verdict names the one that holds the target', async () => {
    const r = await runCli(['compare', '--results', folder.dir, '--environment', 'current', '--environment', 'candidate', '--json']);
    expect(r.code).toBe(0);
    const c = comparisonFormat.parse(r.stdout, 'stdout');
    expect([c.current.decision, c.candidate.decision]).toEqual(['no-go', 'go']);
    expect(c.current.runs.every((id) => !c.candidate.runs.includes(id))).toBe(true);
    expect([c.current.weeks, c.candidate.weeks]).toEqual([['2026-W44'], ['2026-W44']]);
    expect(c.verdict).toContain('the candidate holds the target, the current host does not');
  });

  it('prints a table with both sides and the verdict', async () => {
    const r = await runCli(['compare', '--results', folder.dir, '--environment', 'current', '--environment', 'candidate']);
    expect(r.stdout).toMatch(/^\s+current\s+candidate$/m);
    expect(r.stdout).toMatch(/^Verdict: current: No-Go/m);
  });

  it.each([
    [['--environment', 'current'], /--environment: expected two different environments/, 2],
    [['--environment', 'current', '--environment', 'prod'], /no run of "prod"/, 2],
  ])('%j is a one-line error', async (flags, message, code) => {
    const r = await runCli(['compare', '--results', folder.dir, ...flags]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

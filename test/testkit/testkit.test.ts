import { stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runManifestFormat } from '../../formats/run-manifest.ts';
import { runSummaryFormat } from '../../formats/run-summary.ts';
import { stageStatsFormat } from '../../formats/stage-stats.ts';
import { startLoopbackServer } from './loopback.ts';
import { runId, runWithLevels, stageStats, storedRun } from './runs.ts';
import { useTempDir } from './temp-dir.ts';

/** The builders are only useful if what they build is what the runner could write. */
describe('test kit builders pass their formats', () => {
  it.each([
    ['a default run', storedRun()],
    ['a run whose target failed', storedRun({ stageStatus: { 100: { status: 'target-failed', why: 'refused' }, 150: 'skipped' } })],
    ['an interrupted run', storedRun({ status: 'interrupted', stageStatus: { 150: 'interrupted' } })],
    ['a run of other levels', runWithLevels(3, 'R O R')],
  ])('%s', (_, run) => {
    expect(runManifestFormat.parse(runManifestFormat.stringify(run.manifest!), 'run.json')).toEqual(run.manifest);
    expect(runSummaryFormat.parse(runSummaryFormat.stringify(run.summary!), 'summary.json')).toEqual(run.summary);
  });

  it('stage statistics', () => {
    for (const s of [
      stageStats({ failures: 12, timeouts: 3, p95Ms: null }),
      stageStats({
        count: 40,
        failures: 30,
        byCode: { '1212': 20, '1503': 10 },
        throughputPerS: 4,
        iterations: { ratePerS: 4 },
        littlesLawOk: false,
      }),
    ]) {
      expect(stageStatsFormat.parse(stageStatsFormat.stringify(s), 'x.stats.json')).toEqual(s);
    }
  });

  it('run ids sort by time', () => {
    const ids = [0, 1, 23, 24, 47, 100].map(runId);
    expect([...ids].sort()).toEqual(ids);
    expect(runId(25)).toBe('2026-11-02T0100Z-r025');
  });
});

describe('test kit scaffolding', () => {
  const dir = useTempDir('testkit-');
  let seen = '';

  it('a temp folder exists during each test', async () => {
    seen = dir();
    expect((await stat(seen)).isDirectory()).toBe(true);
  });

  it('and is removed after it (the next test gets another)', async () => {
    expect(dir()).not.toBe(seen);
    await expect(stat(seen)).rejects.toThrow(/ENOENT/);
  });

  it('a loopback server answers on 127.0.0.1 until closed', async () => {
    const server = await startLoopbackServer((_req, res) => res.end('pong'));
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      expect(await (await fetch(`${server.url}/ping`)).text()).toBe('pong');
    } finally {
      await server.close();
    }
    expect(server.server.listening).toBe(false);
  });
});

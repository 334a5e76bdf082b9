import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { Io } from '../io.ts';
import { ExitCode } from '../../formats/errors.ts';
import { runManifestFormat, stageFiles, type RunManifest } from '../../formats/run-manifest.ts';
import { runSummaryFormat } from '../../formats/run-summary.ts';
import { stageStatsFormat } from '../../formats/stage-stats.ts';
import { stageStats } from '../../test/testkit/runs.ts';
import { summarizeRun, summaryBounds } from '../stats/run-summary.ts';
import { computeStageStats } from '../stats/stage-stats.ts';
import { windowParams } from '../../formats/window-rule.ts';
import { collectorSettings, DEFAULT_CONFIG } from '../../formats/config.ts';
import { planStages } from '../stages/plan.ts';
import { runStages } from '../stages/run-stages.ts';
import type { Engine } from '../engines/engine.ts';
import { uslThroughput } from '../stats/usl.ts';
import { command, renderRunSummary } from './collect.ts';
import { readFormat, writeFormat } from '../../formats/files.ts';

const fixtures = join(import.meta.dirname, '../../formats/k6/__fixtures__');
const tmp = mkdtempSync(join(tmpdir(), 'collect-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function testIo(): { io: Io; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  stdout.on('data', (c: Buffer) => o.push(c));
  stderr.on('data', (c: Buffer) => e.push(c));
  const signal = new AbortController().signal;
  const io: Io = { cwd: tmp, env: {}, stdout, stderr, now: () => 0, signal };
  return { io, out: () => Buffer.concat(o).toString('utf8'), err: () => Buffer.concat(e).toString('utf8') };
}

describe('npm run collect', () => {
  it('prints one CSV as JSON with metrics in k6 summary-export keys', async () => {
    const { io, out } = testIo();
    const code = await command.run({ csv: join(fixtures, 'out.csv'), json: true, 'key-name': 'athlete_search' }, io);
    expect(code).toBe(ExitCode.ok);
    const stats = stageStatsFormat.parse(out(), 'stdout');
    const k6 = JSON.parse(readFileSync(join(fixtures, 'summary-export.json'), 'utf8')) as {
      metrics: Record<string, Record<string, number>>;
    };
    for (const key of ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)']) {
      expect(Math.abs(stats.metrics.http_req_duration![key]! - k6.metrics.http_req_duration![key]!)).toBeLessThan(1e-3);
    }
    expect(stats.metrics.http_req_duration!['p(99)']).toBeGreaterThan(0);
    expect(stats.users).toBe(10); // the largest vus sample
    expect(stats.key.count).toBe(238);
  });

  it('prints a table', async () => {
    const { io, out } = testIo();
    await command.run({ csv: join(fixtures, 'out.csv.gz'), json: false, 'key-name': 'athlete_search', ramp: '5s', hold: '10s' }, io);
    expect(out()).toMatch(/athlete_search \(key\)\s+\d+/);
    expect(out()).toMatch(/key p95 \d/);
    expect(out()).toMatch(/errors: by code 1500×\d+/);
  });

  it('recomputes a run folder: every stage-<users>.stats.json and summary.json', async () => {
    const dir = join(tmp, 'runs', '2026-11-22T0301Z-ab12');
    const users = [5, 10, 20];
    const manifest: RunManifest = {
      kind: 'run-manifest',
      schemaVersion: 2,
      id: '2026-11-22T0301Z-ab12',
      startedAt: '2026-11-22T03:01:00Z',
      endedAt: '2026-11-22T03:10:00Z',
      host: 'http://127.0.0.1:18090',
      environment: 'staging',
      scenario: { name: 'search', bundleSha256: 'a'.repeat(64) },
      plan: {
        stages: users.map((u) => ({ users: u, rampMs: 5000, holdMs: 10_000 })),
        holdMs: 10_000,
        spawnRate: 2,
        targetStage: 10,
        keyTransaction: 'athlete_search',
      },
      engine: { name: 'k6', version: 'k6 v0.48.0' },
      status: 'completed',
      stages: users.map((u) => ({
        users: u,
        status: u === 20 ? ('target-failed' as const) : ('completed' as const),
        files: stageFiles(u),
      })),
    };
    await writeFormat(runManifestFormat, join(dir, 'run.json'), manifest);
    copyFileSync(join(fixtures, 'out.csv.gz'), join(dir, 'stage-5.csv.gz'));
    copyFileSync(join(fixtures, 'out.csv'), join(dir, 'stage-10.csv.gz')); // plain despite its name
    writeFileSync(join(dir, 'stage-20.csv.gz'), 'not,a,k6,csv\n1,2,3,4\n');
    const { io, out, err } = testIo();
    const code = await command.run({ run: dir, json: false }, io);
    expect(code).toBe(ExitCode.incomplete);
    expect(err()).toMatch(/stage-20\.csv\.gz: line 1: unknown header/);
    const s5 = await readFormat(stageStatsFormat, join(dir, 'stage-5.stats.json'));
    const s10 = await readFormat(stageStatsFormat, join(dir, 'stage-10.stats.json'));
    expect(s5.keyName).toBe('athlete_search');
    expect(s5.hold.rampMs).toBe(5000);
    expect(s10.key.count).toBeGreaterThan(0);
    const summary = await readFormat(runSummaryFormat, join(dir, 'summary.json'));
    expect(summary.stages.map((s) => [s.users, s.status, s.stats !== null])).toEqual([
      [5, 'completed', true],
      [10, 'completed', true],
      [20, 'target-failed', false],
    ]);
    expect(summary.capacity.estimate).toBeNull();
    expect(out()).toMatch(/run 2026-11-22T0301Z-ab12/);
    expect(out()).toMatch(/model note: no model estimate: 2 stages/);
  });

  it('refuses a folder without run.json', async () => {
    const { io } = testIo();
    await expect(command.run({ run: join(tmp, 'nothing'), json: false }, io)).rejects.toThrow(/run\.json: cannot read/);
  });
});

describe('npm run collect: trend lines', () => {
  it('says which direction was tested, and gives no Theil–Sen change for a trend that is not significant', async () => {
    const { io, out } = testIo();
    // The fixture's 16 s leave 6 windows of ≥ 20 key requests: testable with lower minimums.
    writeFileSync(join(tmp, 'few.config.json'), JSON.stringify({ criteria: { held: { trendMinWindows: 3, trendMinKeyRequests: 1 } } }));
    await command.run(
      { csv: join(fixtures, 'out.csv'), json: false, 'key-name': 'athlete_search', config: join(tmp, 'few.config.json') },
      io,
    );
    const line = out()
      .split('\n')
      .find((l) => l.startsWith('throughput: '))!;
    // The fixture's throughput rises (S > 0), so the one-sided test for a decrease finds none.
    expect(line).toMatch(/^throughput: no decreasing trend \(one-sided Mann–Kendall p = 0\.\d{3} ≥ α 0\.05, \d+ windows\)$/);
  });

  it('prints no trend figure for a hold too short to test a trend', async () => {
    const { io, out } = testIo();
    await command.run({ csv: join(fixtures, 'out.csv'), json: false, 'key-name': 'athlete_search' }, io);
    expect(out()).toMatch(/^trends: too short to test a trend \(\d+ windows?; the test needs 10 windows of ≥ 20 key requests/m);
    expect(out()).not.toMatch(/Theil–Sen|Mann–Kendall/);
  });

  it('writes a capacity estimate capped at the limit of the extrapolation as a lower bound, not a peak', () => {
    // This service peaks near 315 users, beyond 1.5 × 150: the estimate stops at 225.
    const rising = { lambda: 2, sigma: 0.01, kappa: 0.00001 };
    const stages = [5, 20, 50, 75, 100, 150].map((users) => ({
      users,
      status: 'completed' as const,
      stats: stageStats({ users, throughputPerS: uslThroughput(rising, users), p95Ms: 500 }),
    }));
    const text = renderRunSummary(summarizeRun({ runId: 'r', keyName: 'search', ...summaryBounds(DEFAULT_CONFIG), stages }), new Map());
    expect(text).toMatch(/^capacity: holds 150 users, the largest stage run: the limit lies beyond it$/m);
    expect(text).toMatch(
      /^model estimate: ≥ [\d.]+ successful requests\/s at 225 users, still rising at the limit of the extrapolation \(USL on goodput, R² 1\.00; [\d.]+(–[\d.]+)?\/s at 225 users when one stage is left out\);/m,
    );
    expect(text).not.toMatch(/peak [\d.]+ successful/);
  });
});

describe('npm run collect: one stage CSV', () => {
  /** An engine that writes the k6 fixture as every stage's CSV (its timestamps: a 5 s ramp, then 10 s of hold). */
  const fixtureEngine: Engine = {
    name: 'embedded',
    version: async () => 'fake 1.0',
    async runStage(spec) {
      writeFileSync(spec.logPath, '');
      for (const out of spec.csvOutputs) copyFileSync(join(fixtures, 'out.csv.gz'), out);
      return { exitCode: 0, signal: null, interrupted: false, startedAtMs: 0, endedAtMs: 15_000 };
    },
  };

  it("equals the run's stats.json when the CSV sits in its run folder", async () => {
    const resultsDir = join(tmp, 'results-equal');
    const settings = { ...collectorSettings(DEFAULT_CONFIG), trendMinWindows: 3, trendMinKeyRequests: 1 };
    writeFileSync(join(tmp, 'equal.config.json'), JSON.stringify({ criteria: { held: { trendMinWindows: 3, trendMinKeyRequests: 1 } } }));
    const { io } = testIo();
    const run = await runStages(
      {
        resultsDir,
        scenario: { name: 'search', bundlePath: '/x.js', sha256: 'a'.repeat(64) },
        host: { display: 'http://127.0.0.1:1', base: 'http://127.0.0.1:1', username: undefined, password: undefined },
        environment: 'staging',
        plan: planStages({ users: [10], holdMs: 10_000, spawnRate: 2, targetStage: 10 }),
        spawnRate: 2,
        targetStage: 10,
        keyName: 'athlete_search',
        stopOnFailure: false,
        stats: { ...settings, ...summaryBounds(DEFAULT_CONFIG) },
      },
      { engine: fixtureEngine, engineVersion: 'fake 1.0', computeStageStats, summarizeRun, windowParams },
      io,
    );
    expect(readdirSync(run.runDir)).toContain('stage-10.stats.json');
    const recorded = await readFormat(stageStatsFormat, join(run.runDir, 'stage-10.stats.json'));
    const { io: io2, out, err } = testIo();
    // No --users, --ramp, --hold or --key-name: all from run.json.
    await command.run({ csv: join(run.runDir, 'stage-10.csv.gz'), json: true, config: join(tmp, 'equal.config.json') }, io2);
    expect(stageStatsFormat.parse(out(), 'stdout')).toEqual(recorded);
    expect(recorded.hold.rampMs).toBe(5000);
    expect(recorded.trendTestable.testable).toBe(true);
    expect(err()).toMatch(/^note: plan from .*run\.json$/m);
    // The table says so too.
    const { io: io3, out: table } = testIo();
    await command.run({ csv: join(run.runDir, 'stage-10.csv.gz'), json: false, config: join(tmp, 'equal.config.json') }, io3);
    expect(table()).toMatch(/^plan from .*run\.json\n/);
    expect(table()).toMatch(/hold: 10s of 10s planned, after a 5s ramp; windows of 1s after a 1s warm-up; 10 users/);
  });

  it('says which plan it assumed for a CSV outside a run folder', async () => {
    const { io, out } = testIo();
    await command.run({ csv: join(fixtures, 'out.csv'), json: false, 'key-name': 'athlete_search' }, io);
    expect(out().split('\n')[0]).toBe(
      'no run.json beside the file names it: assumed the hold runs to the last sample (16s) with no ramp, 10 users (the largest vus sample); windows and thresholds from the config (set --users, --ramp, --hold to match the run)',
    );
  });

  it("says what Little's law suspects, with its figures", async () => {
    const { io, out } = testIo();
    // The whole file as the hold: the ramp's idle users count, so fewer look busy than run.
    await command.run({ csv: join(fixtures, 'out.csv'), json: false, 'key-name': 'athlete_search' }, io);
    expect(out()).toMatch(
      /^Little's law: 14\.88 iterations\/s × 0\.52 s mean iteration = 7\.8 busy users for 10 run \(−22\.1 %, beyond ±10 %\): suspect data — fewer users were busy over the hold than the 10 planned: a ramp counted as hold/m,
    );
  });
});

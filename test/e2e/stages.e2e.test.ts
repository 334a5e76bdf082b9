import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { useTempDir } from '../testkit/temp-dir.ts';
import { z } from 'zod';
import { decide } from '../../decision/decide.ts';
import { runStagesCommand } from '../../runner/commands/stages.ts';
import { DEMO_PRESETS, startDemoTarget } from '../../runner/demo-target/server.ts';
import { ExitCode } from '../../formats/errors.ts';
import { DEFAULT_CONFIG } from '../../formats/config.ts';
import { runManifestFormat, stageFiles } from '../../formats/run-manifest.ts';
import { runSummaryFormat } from '../../formats/run-summary.ts';
import { stageStatsFormat } from '../../formats/stage-stats.ts';
import { CSV_COLUMNS, Metric } from '../../formats/k6/csv.ts';
import { K6ExitCode } from '../../formats/k6/exit-codes.ts';
import { listRuns } from '../../runner/results-store.ts';
import { readK6Csv } from '../../runner/stats/k6-csv-file.ts';
import { ROOT, SHORT_THINK, allText, capturedIo, listFiles, spawnStages } from '../testkit/e2e.ts';
import { readFormat } from '../../formats/files.ts';

/**
 * `npm run stages` end to end (issue #3, Evidence): real stages on the embedded engine against the
 * demo target, tiny plans (2 stages of 2–6 users, 2–3 s holds; the Ctrl-C test holds for 30 s
 * and interrupts after ~5 s, at its first progress line with live figures, printed every 5 s).
 * What a fake engine cannot show: the files on disk, the progress and the end table as printed,
 * Ctrl-C on the real CLI, a target that refuses connections, and bad input refused before any load.
 * The real CLI with the engine as a child process runs in the Ctrl-C test (and bad input, in its
 * own process); the other tests run the command and the engine in this process.
 */
vi.mock(import('../../runner/engines/index.ts'), async (original) =>
  (await import('../testkit/in-process-engine.ts')).withInProcessEngine(await original()),
);

const RUN_ID = /^\d{4}-\d{2}-\d{2}T\d{4}Z-[0-9a-z]{4}$/;
/** A plain (non-terminal) progress line, as formatProgress writes it. */
const PROGRESS =
  /^stage (?<stage>\d)\/(?<of>\d) · (?<users>\d+) users · errors (?<errors>—|\d+\.\d%) · p95 search (?<p95>—|\d+ ms|n\/a, all failed) · (?<rps>\d+\.\d) req\/s · (?<phase>starting|ramp|hold|stopping) · stage (?<clock>\d+:\d\d) elapsed, \d+:\d\d (?:left|over plan) · run \d+:\d\d elapsed, \d+:\d\d left$/;
/** The engine's summary export: only what the test compares. */
const SummaryExportSchema = z.object({ metrics: z.object({ http_reqs: z.object({ count: z.number() }) }) });

const tmp = useTempDir('stages-e2e-', 'all');

/** The only run folder under `<results>/runs`. */
async function onlyRun(results: string): Promise<string> {
  const ids = await readdir(join(results, 'runs'));
  expect(ids).toHaveLength(1);
  expect(ids[0]).toMatch(RUN_ID);
  return join(results, 'runs', ids[0]!);
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

describe.concurrent('npm run stages on the embedded engine against the demo target', () => {
  it('writes the results layout, a valid manifest without the credentials of --host, stats, progress lines and the end table', async () => {
    const SECRET = 'S3cr3t-e2e-pw';
    const demo = await startDemoTarget(DEMO_PRESETS.healthy);
    const results = join(tmp(), 'layout');
    const cap = capturedIo();
    let exitCode: number;
    try {
      ({ exitCode } = await runStagesCommand(
        {
          host: `http://alice:${SECRET}@127.0.0.1:${demo.port}`,
          users: '2,4',
          duration: '3s',
          'spawn-rate': 10,
          'target-stage': 4,
          engine: 'embedded',
          results,
          label: 'e2e',
          env: SHORT_THINK,
        },
        cap.io,
      ));
    } finally {
      await demo.close();
    }
    expect(exitCode, cap.stdout() + cap.stderr()).toBe(ExitCode.ok);
    const dir = await onlyRun(results);
    const id = dir.slice(dir.lastIndexOf('/') + 1);

    // Layout: exactly the documented files, nothing temporary left (no .tmp, no live-progress pipe).
    const perStage = (u: number) => Object.values(stageFiles(u));
    expect(await listFiles(dir)).toEqual(['run.json', 'summary.json', ...perStage(2), ...perStage(4)].sort());

    // The manifest: schema-valid (read through its format), and what was asked and what measured it.
    const manifest = await readFormat(runManifestFormat, join(dir, 'run.json'));
    expect(manifest).toMatchObject({
      id,
      host: `http://127.0.0.1:${demo.port}`,
      label: 'e2e',
      scenario: { name: 'search' },
      plan: {
        stages: [
          { users: 2, rampMs: 1000, holdMs: 3000 },
          { users: 4, rampMs: 1000, holdMs: 3000 },
        ],
        holdMs: 3000,
        spawnRate: 10,
        targetStage: 4,
        keyTransaction: 'search',
      },
      engine: { name: 'embedded' },
      status: 'completed',
    });
    expect(manifest.why).toBeUndefined();
    expect(manifest.engine.version).toMatch(/^k6-embedded v\d+\.\d+\.\d+/);
    expect(manifest.gitCommit ?? 'not in a git checkout').toMatch(/^([0-9a-f]{40}|not in a git checkout)$/);
    expect(Date.parse(manifest.endedAt!)).toBeGreaterThan(Date.parse(manifest.startedAt));
    // The hash is the one of the bundle the engine ran (every run bundles the same bytes).
    const bundle = await readFile(join(ROOT, 'dist', 'scenarios', 'search.js'));
    expect(manifest.scenario.bundleSha256).toBe(createHash('sha256').update(bundle).digest('hex'));
    for (const [i, s] of manifest.stages.entries()) {
      expect(s).toMatchObject({ users: [2, 4][i], status: 'completed', exitCode: 0, files: stageFiles(s.users) });
      expect(Date.parse(s.endedAt!)).toBeGreaterThan(Date.parse(s.startedAt!));
    }

    // Each stage: the raw CSV (k6's columns, ms timestamps), stats that agree with the engine's own
    // summary export, and every request the target received is a row of the CSVs.
    let csvRequests = 0;
    for (const users of [2, 4]) {
      const files = stageFiles(users);
      let requests = 0;
      let searches = 0;
      const read = await readK6Csv(join(dir, files.csv), (r) => {
        if (r.metric === Metric.httpReqs) {
          requests += 1;
          if (r.name === 'search') searches += 1;
        }
      });
      expect(read.columns).toEqual([...CSV_COLUMNS]);
      expect(read.truncated).toBe(false);
      expect(read.timeResolutionMs).toBe(1);
      expect(searches).toBeGreaterThan(0);
      csvRequests += requests;

      const stats = await readFormat(stageStatsFormat, join(dir, files.stats!));
      expect(stats).toMatchObject({ users, keyName: 'search', hold: { rampMs: 1000, plannedHoldMs: 3000 } });
      expect(stats.all.count).toBeGreaterThan(0);
      expect(stats.key.count).toBeGreaterThan(0);
      expect(stats.all.failures).toBe(0);
      expect(stats.windows.length).toBeGreaterThan(0);
      const exported = SummaryExportSchema.parse(JSON.parse(await readFile(join(dir, files.summary), 'utf8')));
      expect(stats.metrics[Metric.httpReqs]?.count).toBe(exported.metrics.http_reqs.count);
      expect(exported.metrics.http_reqs.count).toBe(requests);

      expect(await readFile(join(dir, files.log), 'utf8')).toMatch(/http_reqs\.+: \d+/);
    }
    // Every request the target saw is in a CSV, but the preflight's one (before the first stage).
    expect(demo.stats().received).toBe(csvRequests + 1);

    const summary = await readFormat(runSummaryFormat, join(dir, 'summary.json'));
    expect(summary.runId).toBe(id);
    expect(summary.stages.map((s) => [s.users, s.status, s.stats !== null])).toEqual([
      [2, 'completed', true],
      [4, 'completed', true],
    ]);

    // Progress in non-terminal mode: plain lines (no carriage return, no escape), stage i of n.
    const out = cap.stdout();
    expect(out).not.toMatch(/[\r\x1b]/);
    const progress = lines(out)
      .filter((l) => PROGRESS.test(l))
      .map((l) => PROGRESS.exec(l)!);
    expect(progress.map((m) => `${m.groups!.stage}/${m.groups!.of} ${m.groups!.users}`)).toEqual(
      expect.arrayContaining(['1/2 2', '2/2 4']),
    );
    expect(out).toContain(
      `run ${id}: 2 stages (2, 4 users), hold 3s, spawn rate 10/s, against http://127.0.0.1:${demo.port} with k6-embedded`,
    );
    expect(out).toMatch(/^stage 1\/2 \(2 users\): completed$/m);
    expect(out).toMatch(/^stage 2\/2 \(4 users\): completed$/m);
    // The end table: a row per stage with the key transaction's figures, the target marked.
    expect(out).toMatch(/^users {2}requests {2}req\/s {2}p50 search ms {2}p95 ms {2}p99 ms {2}errors {6}stage$/m);
    expect(out).toMatch(/^2 {3,}\d+ +\d+\.\d +\d+ +\d+ +\d+ +0\.00% +completed$/m);
    expect(out).toMatch(/^4 \* +\d+ +\d+\.\d +\d+ +\d+ +\d+ +0\.00% +completed$/m);
    expect(out).toContain(`run ${id}: completed\nresults: ${dir}\n`);
    expect(cap.stderr()).toBe('');

    // The password and the user name reach no file and no output.
    for (const { file, text } of await allText(results)) {
      expect(text, file).not.toContain(SECRET);
      expect(text, file).not.toContain('alice');
    }
    expect(out + cap.stderr()).not.toContain(SECRET);
    expect(out).not.toContain('alice');
  }, 120_000);

  it('on Ctrl-C (SIGINT to the real CLI) stops the stage cleanly: manifest "interrupted", exit 130, the CSV kept, later stages skipped', async () => {
    const results = join(tmp(), 'interrupt');
    // A hold far longer than the test waits: the run can only end through the interrupt.
    const cli = spawnStages([
      '--demo',
      '--demo-preset',
      'healthy',
      '--users',
      '3,6',
      '--duration',
      '30s',
      '--spawn-rate',
      '10',
      '--engine',
      'embedded',
      '--results',
      results,
      ...SHORT_THINK.flatMap((e) => ['--env', e]),
    ]);
    let live: RegExpExecArray | undefined;
    try {
      // Wait for a plain progress line of the first stage's hold with live figures (one every 5 s),
      // past the 1 s ramp and the hold's warm-up (30 s / 10 = 3 s, left out of the statistics), so
      // that the statistics have samples when the interrupt comes: the line at 0:05 at the earliest.
      const seconds = (clock: string): number => clock.split(':').reduce((t, part) => t * 60 + Number(part), 0);
      await cli.waitForStdout((out) => {
        if (/^stage 1\/2 \(3 users\):/m.test(out)) throw new Error(`stage 1 ended before it was interrupted:\n${out}`);
        live =
          lines(out)
            .map((l) => PROGRESS.exec(l))
            .find(
              (m) =>
                m?.groups?.stage === '1' &&
                m.groups.phase === 'hold' &&
                seconds(m.groups.clock!) >= 4 &&
                Number(m.groups.rps) > 0 &&
                m.groups.p95 !== '—',
            ) ?? undefined;
        return live !== undefined;
      });
    } finally {
      cli.child.kill('SIGINT');
    }
    const code = await cli.exited;
    const out = cli.stdout();
    expect(code, out + cli.stderr()).toBe(ExitCode.interrupted);
    // Live figures of the key transaction in the progress line: requests/s, errors, p95 of search.
    expect(live![0]).toMatch(/ · errors 0\.0% · p95 search \d+ ms · \d+\.\d req\/s · /);
    expect(out).not.toMatch(/[\r\x1b]/);
    expect(out).toMatch(/^demo target: http:\/\/127\.0\.0\.1:\d+ \(healthy\)$/m);
    expect(cli.stderr()).toContain('interrupt: stopping the current stage cleanly (Ctrl-C again to kill at once)\n');
    expect(cli.stderr()).not.toMatch(/error|killing at once/);

    const dir = await onlyRun(results);
    const manifest = await readFormat(runManifestFormat, join(dir, 'run.json'));
    expect(manifest.status).toBe('interrupted');
    expect(manifest.why).toMatch(/^stage 3 users: stopped by the operator after \d+ s$/);
    expect(manifest.stages[0]).toMatchObject({ users: 3, status: 'interrupted', exitCode: K6ExitCode.externalAbort });
    expect(manifest.stages[1]).toMatchObject({ users: 6, status: 'skipped', why: 'the run was interrupted' });
    expect(await listFiles(dir)).toEqual(['run.json', 'summary.json', ...Object.values(stageFiles(3))].sort());

    // What was measured until the interrupt is kept and readable: a whole gzip, k6's columns, samples.
    let requests = 0;
    const read = await readK6Csv(join(dir, stageFiles(3).csv), (r) => {
      if (r.metric === Metric.httpReqs) requests += 1;
    });
    expect(read.truncated).toBe(false);
    expect(read.columns).toEqual([...CSV_COLUMNS]);
    expect(requests).toBeGreaterThan(0);
    const stats = await readFormat(stageStatsFormat, join(dir, stageFiles(3).stats!));
    expect(stats.all.count).toBeGreaterThan(0);
    expect(stats.hold.heldMs).toBeLessThan(stats.hold.plannedHoldMs);

    expect(out).toMatch(/^stage 1\/2 \(3 users\): interrupted — stopped by the operator after \d+ s$/m);
    // The key transaction may have no sample in a hold cut short: its percentiles then read "—".
    expect(out).toMatch(/^3 {3,}\d+ +\d+\.\d +(\d+|—) +(\d+|—) +(\d+|—) +0\.00% +interrupted$/m);
    expect(out).toMatch(/^6 \* +— +— +— +— +— +— +skipped$/m);
    expect(out).toContain(`run ${manifest.id}: interrupted (stage 3 users: stopped by the operator after`);

    // The decision never counts it (SPEC §3: stopped by the operator → excluded, with the reason).
    const decision = decide(await listRuns(results), DEFAULT_CONFIG);
    expect(decision.decision).toBe('insufficient-data');
    expect(decision.excluded).toEqual([{ id: manifest.id, reason: expect.stringMatching(/^interrupted by the operator/) }]);
  }, 120_000);

  it('on Ctrl-C between two stages starts no further stage: the next ones are skipped, the run interrupted', async () => {
    const demo = await startDemoTarget(DEMO_PRESETS.healthy);
    const results = join(tmp(), 'interrupt-between');
    const interrupt = new AbortController();
    const cap = capturedIo(interrupt.signal);
    let receivedAtInterrupt = -1;
    // The operator presses Ctrl-C as the first stage's result is printed, before the next stage.
    cap.io.stdout.on('data', () => {
      if (!interrupt.signal.aborted && /^stage 1\/2 \(2 users\): /m.test(cap.stdout())) {
        receivedAtInterrupt = demo.stats().received;
        interrupt.abort();
      }
    });
    let exitCode: number;
    try {
      ({ exitCode } = await runStagesCommand(
        { host: demo.url, users: '2,4', duration: '2s', 'spawn-rate': 10, engine: 'embedded', results, env: SHORT_THINK },
        cap.io,
      ));
    } finally {
      await demo.close();
    }
    expect(exitCode, cap.stdout() + cap.stderr()).toBe(ExitCode.interrupted);
    expect(receivedAtInterrupt).toBeGreaterThan(0);
    expect(demo.stats().received).toBe(receivedAtInterrupt);
    const dir = await onlyRun(results);
    const manifest = await readFormat(runManifestFormat, join(dir, 'run.json'));
    expect(manifest.status).toBe('interrupted');
    expect(manifest.why).toBe('stopped by the operator before stage 4 users');
    expect(manifest.stages.map((s) => [s.users, s.status, s.why])).toEqual([
      [2, 'completed', undefined],
      [4, 'skipped', 'the run was interrupted'],
    ]);
    expect(await listFiles(dir)).toEqual(['run.json', 'summary.json', ...Object.values(stageFiles(2))].sort());
  }, 120_000);

  it('records a target that refuses connections as "target-failed" and still runs the next stage; the run is completed', async () => {
    const results = join(tmp(), 'down');
    const cap = capturedIo();
    // A host that was there at the preflight and refuses later: --no-preflight stands for the preflight's pass.
    // No --engine: "auto" takes the embedded engine when neither K6_BIN nor PATH has k6.
    const noK6 = join(tmp(), 'no-k6-here');
    await mkdir(noK6, { recursive: true });
    const { K6_BIN: _ignored, ...env } = process.env;
    const { exitCode } = await runStagesCommand(
      { demo: true, 'demo-preset': 'down', users: '2,4', duration: '2s', 'spawn-rate': 10, results, env: SHORT_THINK, preflight: false },
      { ...cap.io, env: { ...env, PATH: noK6 } },
    );
    // A failed target is a result, not a failure of the tool: exit 0 (docs/ci.md fails the job
    // only when the engine or the tool broke).
    expect(exitCode, cap.stdout() + cap.stderr()).toBe(ExitCode.ok);
    const dir = await onlyRun(results);
    const manifest = await readFormat(runManifestFormat, join(dir, 'run.json'));
    expect(manifest.engine.name).toBe('embedded');
    expect(manifest.status).toBe('completed');
    expect(manifest.why).toBe('the target failed at 2, 4 users');
    for (const s of manifest.stages) {
      expect(s).toMatchObject({ status: 'target-failed', exitCode: 0 });
      expect(s.why).toMatch(/^every request failed \(mostly connection refused, k6 error 1212 × \d+\)$/);
      const stats = await readFormat(stageStatsFormat, join(dir, stageFiles(s.users).stats!));
      expect(stats.all.failures).toBe(stats.all.count);
      expect(stats.errors.byCode['1212']).toBe(stats.all.count);
    }
    expect(cap.stdout()).toMatch(/^stage 1\/2 \(2 users\): target-failed — every request failed/m);
    expect(cap.stdout()).toMatch(/^stage 2\/2 \(4 users\): target-failed — every request failed/m);
    expect(cap.stdout()).toMatch(/^run \S+: completed \(the target failed at 2, 4 users\)$/m);

    // A target failure is a measurement: the decision keeps the run, and it is red.
    const decision = decide(await listRuns(results), DEFAULT_CONFIG);
    expect(decision.excluded).toEqual([]);
    expect(decision.runs).toEqual([manifest.id]);
    expect(decision.criteria.held?.level).toBe('red');
    expect(decision.decision).toBe('no-go');
  }, 120_000);

  it('with --stop-on-failure skips the stages after the one where the target failed (progress on a terminal)', async () => {
    const results = join(tmp(), 'down-stop');
    const cap = capturedIo(undefined, { columns: 60 });
    const { exitCode } = await runStagesCommand(
      {
        demo: true,
        'demo-preset': 'down',
        users: '2,4',
        duration: '2s',
        'spawn-rate': 10,
        engine: 'embedded',
        results,
        'stop-on-failure': true,
        env: SHORT_THINK,
        preflight: false,
      },
      cap.io,
    );
    expect(exitCode, cap.stdout() + cap.stderr()).toBe(ExitCode.ok);
    const dir = await onlyRun(results);
    const manifest = await readFormat(runManifestFormat, join(dir, 'run.json'));
    expect(manifest.status).toBe('completed');
    expect(manifest.stages.map((s) => [s.users, s.status, s.why])).toEqual([
      [2, 'target-failed', expect.stringMatching(/^every request failed/)],
      [4, 'skipped', 'an earlier stage failed (--stop-on-failure)'],
    ]);
    expect(await listFiles(dir)).toEqual(['run.json', 'summary.json', ...Object.values(stageFiles(2))].sort());

    // On a terminal: one line rewritten in place (carriage return, erase line), cut to its width,
    // and the stage's result starts on a fresh line.
    const out = cap.stdout();
    const updates = out
      .split('\r\x1b[2K')
      .slice(1)
      .map((u) => u.split(/[\r\n]/)[0]!);
    expect(updates.length).toBeGreaterThan(0);
    for (const u of updates) {
      expect(u).toMatch(/^stage 1\/2 · 2 users · /);
      expect(u.length).toBeLessThanOrEqual(59);
    }
    expect(out).toMatch(/\nstage 1\/2 \(2 users\): target-failed/);
  }, 120_000);

  it('bad input as a real process: one line on stderr, exit 2, nothing started (the cases: runner/commands/stages-input.test.ts)', async () => {
    const results = join(tmp(), 'bad-input');
    const cli = spawnStages([
      '--host',
      'http://127.0.0.1:9',
      '--users',
      '4,2',
      '--duration',
      '3s',
      '--engine',
      'embedded',
      '--results',
      results,
    ]);
    expect(await cli.exited).toBe(ExitCode.usage);
    expect(cli.stderr()).toBe('error: --users: expected increasing user levels, got 4 then 2\n');
    expect(cli.stdout()).toBe('');
    expect(existsSync(results)).toBe(false);
  });
});

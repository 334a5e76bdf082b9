import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../test/testkit/temp-dir.ts';
import { stageStats } from '../../test/testkit/runs.ts';
import type { Engine, StageRunSpec } from '../engines/engine.ts';
import { runManifestFormat } from '../../formats/run-manifest.ts';
import { runSummaryFormat, type RunSummary } from '../../formats/run-summary.ts';
import type { StageStats } from '../../formats/stage-stats.ts';
import type { Io } from '../io.ts';
import { planStages } from './plan.ts';
import { classifyStage, lastEngineError } from './classify.ts';
import { runStages, type StagesDeps, type StagesRequest } from './run-stages.ts';
import { readFormat } from '../../formats/files.ts';

/**
 * Stage statistics of `count` requests with `failures` failed, by error code; key p95 9 ms, and
 * `count` iterations of 10 ms at `count` / 10 per s (the open stage's rate and VUs follow from them).
 */
function fakeStats(users: number, count: number, failures = 0, byCode: Record<string, number> = {}): StageStats {
  return stageStats({ users, count, failures, byCode, p95Ms: 9, iterations: { count, ratePerS: count / 10, meanDurationMs: 10 } });
}

const outcome = (exitCode: number | null, interrupted = false) => ({
  exitCode,
  signal: null,
  interrupted,
  startedAtMs: 0,
  endedAtMs: 3000,
});

describe('classifyStage', () => {
  it.each([
    ['a clean run', outcome(0), fakeStats(5, 100), 'completed'],
    ["the script's thresholds crossed", outcome(99), fakeStats(5, 100, 2, { '1500': 2 }), 'completed'],
    ['an operator interrupt', outcome(105, true), fakeStats(5, 10), 'interrupted'],
    ['every request failing', outcome(0), fakeStats(5, 40, 40, { '1503': 40 }), 'target-failed'],
    ['refused connections', outcome(0), fakeStats(5, 40, 30, { '1212': 30 }), 'target-failed'],
    ['no request at all', outcome(0), fakeStats(5, 0), 'target-failed'],
    ['some 500s only', outcome(0), fakeStats(5, 40, 10, { '1500': 10 }), 'completed'],
    ['a script error in init', outcome(107), null, 'engine-failed'],
    ['a killed engine', outcome(null), null, 'engine-failed'],
    ['an unreadable CSV', outcome(0), null, 'engine-failed'],
  ] as const)('%s → %s', (_what, o, stats, expected) => {
    expect(classifyStage(o, stats).status).toBe(expected);
  });

  it.each([
    [
      'k6 logfmt: the hint and the first line of msg',
      'time="2026-11-26T17:54:50Z" level=info msg="starting"\ntime="2026-11-26T17:54:50Z" level=error msg="Error: boom in init\\n\\tat file:///x/boom.js:2:7\\n" hint="script exception"\n',
      'script exception: Error: boom in init',
    ],
    [
      'the last error wins, later info lines are passed over',
      'level=error msg="first"\nlevel=error msg="second"\nlevel=info msg="done"\n',
      'second',
    ],
    ['a bare msg and escaped quotes', 'level=error msg=bare\nlevel=fatal msg="say \\"hi\\""', 'say "hi"'],
    [
      "k6's terminal format",
      'ERRO[0000] GoError: could not open https://user:pw@example.com/x.csv\n',
      'GoError: could not open https://***@example.com/x.csv',
    ],
    [
      'credentials in a URL are masked',
      'level=error msg="GET https://bob:hunter2@api.example.com failed"',
      'GET https://***@api.example.com failed',
    ],
    ['a long message is cut', `level=error msg="${'x'.repeat(300)}"`, `${'x'.repeat(159)}…`],
    ['no error at all', 'ran 4\nlevel=info msg="ok"\n', undefined],
    ['an empty log', '', undefined],
  ])("the engine's last error, from %s", (_what, log, expected) => {
    expect(lastEngineError(log)).toBe(expected);
  });

  it('says why the target failed', () => {
    expect(classifyStage(outcome(0), fakeStats(5, 40, 30, { '1212': 30 })).why).toMatch(
      /75 % of requests got no answer \(mostly connection refused, k6 error 1212 × 30\)/,
    );
  });
});

/** A fake engine: exits with the scripted code per stage, writes a log, and honours the abort signal. */
// `waitForAbort` holds the stage until the run is stopped; `onWaiting` is told when it is reached,
// so a test stops the run during that very stage, whatever the machine's load.
function fakeEngine(
  script: Partial<Record<number | 'open', { exit: number; waitForAbort?: boolean; log?: string; noCsv?: boolean }>>,
  onWaiting: () => void = () => {},
): Engine & { specs: StageRunSpec[] } {
  const specs: StageRunSpec[] = [];
  return {
    name: 'embedded',
    specs,
    version: async () => 'fake 1.0',
    async runStage(spec) {
      specs.push(spec);
      // The open-model stage has no k6 stages (no --stage): its plan is in env.
      const users = spec.stages[0]?.target ?? 'open';
      const step = script[users] ?? { exit: 0 };
      await writeFile(spec.logPath, `ran ${users}\n${step.log ?? ''}`, { flag: 'wx' });
      if (!step.noCsv) await writeFile(spec.csvOutputs[0]!, 'x');
      if (step.waitForAbort) {
        const aborted = new Promise((r) => spec.signal.addEventListener('abort', r, { once: true }));
        onWaiting();
        await aborted;
      }
      return {
        exitCode: spec.signal.aborted ? 105 : step.exit,
        signal: null,
        interrupted: spec.signal.aborted,
        startedAtMs: 0,
        endedAtMs: 1000,
      };
    },
  };
}

describe('runStages (with a fake engine)', () => {
  const dir = useTempDir('stages-');

  const request = (over: Partial<StagesRequest> = {}): StagesRequest => ({
    resultsDir: dir(),
    scenario: { name: 'search', bundlePath: '/x/search.js', sha256: 'a'.repeat(64) },
    host: { display: 'http://127.0.0.1:1', base: 'http://127.0.0.1:1', username: 'u', password: 'hunter2' },
    environment: 'staging',
    plan: planStages({ users: [2, 4, 8], holdMs: 3000, spawnRate: 2, targetStage: 4 }),
    spawnRate: 2,
    targetStage: 4,
    keyName: 'search',
    stopOnFailure: false,
    stats: {
      windowMs: 30_000,
      warmupMs: 60_000,
      outlierMads: 3.5,
      trendMinWindows: 10,
      trendMinKeyRequests: 20,
      p95GreenMs: 2500,
      errorRatePct: { green: 1, orange: 3 },
    },
    ...over,
  });
  const io = (signal = new AbortController().signal) => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (c) => (text += c));
    const value: Io = { cwd: dir(), env: {}, stdout, stderr: new PassThrough(), now: () => Date.UTC(2026, 10, 22, 3, 1), signal };
    return { io: value, text: () => text };
  };
  const deps = (engine: Engine, statsFor: (users: number, file: string) => StageStats | Error = (u) => fakeStats(u, 50)): StagesDeps => ({
    engine,
    engineVersion: 'fake 1.0',
    computeStageStats: async (input) => {
      const s = statsFor(input.users, input.file);
      if (s instanceof Error) throw s;
      return s;
    },
    summarizeRun: (input): RunSummary => ({
      kind: 'run-summary',
      schemaVersion: 2,
      runId: input.runId,
      keyName: input.keyName,
      stages: input.stages,
      saturation: { firstStage: null, signals: [], steps: [], why: 'fake' },
      capacity: { users: null, words: 'fake', estimate: null, note: 'fake' },
      suspectStages: [],
    }),
    windowParams: (holdMs) => ({ windowMs: holdMs / 20, warmupMs: holdMs / 10 }),
  });

  it('an environment’s headers reach the script apart from its flags, and the run records its environment, never a header', async () => {
    const engine = fakeEngine({});
    const headers = { Host: 'app.example.com', Authorization: 'Bearer t0k3n' };
    const result = await runStages(request({ environment: 'candidate', headers }), deps(engine), io().io);
    expect(engine.specs.every((s) => s.secretEnv?.HOST_HEADERS === JSON.stringify(headers))).toBe(true);
    expect(engine.specs.every((s) => !JSON.stringify(s.env).includes('t0k3n'))).toBe(true);
    const text = await readFile(join(result.runDir, 'run.json'), 'utf8');
    expect(JSON.parse(text)).toMatchObject({ environment: 'candidate' });
    expect(text).not.toContain('t0k3n');
  });

  it('runs every stage with k6 flags and env, and records a completed run', async () => {
    const engine = fakeEngine({});
    const { io: theIo, text } = io();
    const result = await runStages(request(), deps(engine), theIo);
    expect(result.exitCode).toBe(0);
    expect(engine.specs.map((s) => s.stages)).toEqual([
      [
        { durationMs: 1000, target: 2 },
        { durationMs: 3000, target: 2 },
      ],
      [
        { durationMs: 2000, target: 4 },
        { durationMs: 3000, target: 4 },
      ],
      [
        { durationMs: 4000, target: 8 },
        { durationMs: 3000, target: 8 },
      ],
    ]);
    expect(engine.specs[1]!.env).toEqual({ HOST: 'http://127.0.0.1:1', USERS: '4', RAMP_RATE: '2', HOLD: '3s' });
    expect(engine.specs[1]!.secretEnv).toEqual({ HOST_USERNAME: 'u', HOST_PASSWORD: 'hunter2' });
    expect(engine.specs[0]!.csvTimeFormat).toBe('unix_milli');
    const manifest = await readFormat(runManifestFormat, join(result.runDir, 'run.json'));
    expect(manifest).toMatchObject({
      id: result.manifest.id,
      status: 'completed',
      host: 'http://127.0.0.1:1',
      engine: { name: 'embedded', version: 'fake 1.0' },
    });
    expect(manifest.stages.map((s) => s.status)).toEqual(['completed', 'completed', 'completed']);
    expect(manifest.id).toMatch(/^2026-11-22T0301Z-[0-9a-z]{4}$/);
    const files = (await readdir(result.runDir)).sort();
    const expected = [
      'run.json',
      'summary.json',
      ...[2, 4, 8].flatMap((u) => [`stage-${u}.csv.gz`, `stage-${u}.log`, `stage-${u}.stats.json`]),
    ];
    expect(files).toEqual(expected.sort());
    const summary = await readFormat(runSummaryFormat, join(result.runDir, 'summary.json'));
    expect(summary.stages.map((s) => s.users)).toEqual([2, 4, 8]);
    expect(text()).toMatch(/users\s+requests/);
    // Capacity and saturation in words under the table, from the summary.
    expect(text()).toMatch(/^capacity: fake\nsaturation: not seen — fake$/m);
    expect(text()).not.toContain('hunter2');
    expect(await readFile(join(result.runDir, 'run.json'), 'utf8')).not.toContain('hunter2');
  });

  it('goes on after a target failure, or stops with --stop-on-failure', async () => {
    const failing = (u: number) => (u === 4 ? fakeStats(u, 20, 20, { '1212': 20 }) : fakeStats(u, 50));
    const goOn = await runStages(request(), deps(fakeEngine({}), failing), io().io);
    expect(goOn.manifest.stages.map((s) => s.status)).toEqual(['completed', 'target-failed', 'completed']);
    expect(goOn.manifest.status).toBe('completed');
    expect(goOn.manifest.why).toMatch(/target failed at 4 users/);
    const stop = await runStages(request({ stopOnFailure: true }), deps(fakeEngine({}), failing), io().io);
    expect(stop.manifest.stages.map((s) => s.status)).toEqual(['completed', 'target-failed', 'skipped']);
    expect(stop.exitCode).toBe(0);
  });

  it('marks the run failed when the engine breaks, and skips the rest', async () => {
    const result = await runStages(request(), deps(fakeEngine({ 4: { exit: 107 } })), io().io);
    expect(result.manifest.status).toBe('failed');
    expect(result.manifest.stages.map((s) => s.status)).toEqual(['completed', 'engine-failed', 'skipped']);
    expect(result.manifest.why).toMatch(/stage 4 users: the engine exited with code 107/);
    expect(result.exitCode).not.toBe(0);
  });

  it("lists only the files a stage wrote, and quotes the engine's last error", async () => {
    const init =
      'time="2026-11-26T17:54:50Z" level=error msg="Error: boom in init\\n\\tat file:///x/search.js:2:7\\n" hint="script exception"\n';
    const engine = fakeEngine({ 4: { exit: 107, log: init, noCsv: true } });
    const result = await runStages(
      request(),
      deps(engine, (u, file) => (u === 4 ? new Error(`${file}: cannot read (ENOENT)`) : fakeStats(u, 50))),
      io().io,
    );
    const manifest = await readFormat(runManifestFormat, join(result.runDir, 'run.json'));
    expect(manifest.stages.map((s) => s.files)).toEqual([
      { csv: 'stage-2.csv.gz', log: 'stage-2.log', stats: 'stage-2.stats.json' },
      { log: 'stage-4.log' },
      {},
    ]);
    expect(manifest.stages[1]!.why).toBe('the engine exited with code 107 (script exception: Error: boom in init)');
    expect(manifest.why).toBe('stage 4 users: the engine exited with code 107 (script exception: Error: boom in init)');
  });

  it('keeps what was measured on interrupt and says so', async () => {
    const controller = new AbortController();
    const engine = fakeEngine({ 4: { exit: 0, waitForAbort: true } }, () => controller.abort());
    const { io: theIo } = io(controller.signal);
    const result = await runStages(request(), deps(engine), theIo);
    expect(result.manifest.status).toBe('interrupted');
    expect(result.manifest.stages.map((s) => s.status)).toEqual(['completed', 'interrupted', 'skipped']);
    expect(result.exitCode).toBe(130);
    expect((await readFormat(runManifestFormat, join(result.runDir, 'run.json'))).status).toBe('interrupted');
  });

  it('runs without live figures, with a warning, where no named pipe can be made', async () => {
    const engine = fakeEngine({});
    const { io: theIo } = io();
    let warnings = '';
    theIo.stderr.on('data', (c) => (warnings += c));
    const path = process.env.PATH;
    process.env.PATH = ''; // no mkfifo to be found
    try {
      const result = await runStages(request(), { ...deps(engine), liveParser: () => ({ push: () => {}, end: () => {} }) }, theIo);
      expect(result.manifest.status).toBe('completed');
    } finally {
      process.env.PATH = path;
    }
    expect(engine.specs.every((s) => s.csvOutputs.length === 1)).toBe(true);
    expect(warnings).toMatch(/^warning: no live figures for this stage \(.*live-progress pipe/m);
  });

  it('never reuses a run folder', async () => {
    const a = await runStages(request(), deps(fakeEngine({})), io().io);
    const b = await runStages(request(), deps(fakeEngine({})), io().io);
    expect(a.runDir).not.toBe(b.runDir);
    expect((await readdir(join(dir(), 'runs'))).length).toBe(2);
  });

  describe('the open-model stage (--open-stage)', () => {
    /** The open stage's statistics: slower, with iterations dropped (k6's counters over the whole file). */
    const openStats = (users: number) => {
      const s = fakeStats(users, 60);
      return { ...s, key: { ...s.key, p95Ms: 420 }, metrics: { dropped_iterations: { count: 3 }, iterations: { count: 57 } } };
    };
    const withOpen = (users: number, file: string) => (file.endsWith('stage-open.csv.gz') ? openStats(users) : fakeStats(users, 50));

    it("runs after the closed stages at factor × the target stage's iteration rate, without --stage, and records it apart", async () => {
      const engine = fakeEngine({});
      const { io: theIo, text } = io();
      const result = await runStages(request({ openStage: { factor: 1.5, scriptReady: true } }), deps(engine, withOpen), theIo);
      expect(result.exitCode).toBe(0);
      expect(engine.specs).toHaveLength(4);
      const open = engine.specs[3]!;
      expect(open.stages).toEqual([]);
      // The target stage (4 users) measured 50 iterations over 10 s: 5/s; × 1.5 = 7.5/s = 450 per minute.
      expect(open.env).toEqual({
        HOST: 'http://127.0.0.1:1',
        USERS: '4',
        RAMP_RATE: '2',
        EXECUTOR: 'constant-arrival-rate',
        RATE: '450',
        TIME_UNIT: '1m',
        PRE_ALLOCATED_VUS: '1',
        MAX_VUS: '1',
        HOLD: '3s',
      });
      expect(open.secretEnv).toEqual({ HOST_USERNAME: 'u', HOST_PASSWORD: 'hunter2' });
      expect(open.csvOutputs[0]).toBe(join(result.runDir, 'stage-open.csv.gz'));
      const manifest = await readFormat(runManifestFormat, join(result.runDir, 'run.json'));
      expect(manifest.plan.openStage).toEqual({ factor: 1.5 });
      expect(manifest.stages.map((s) => s.users)).toEqual([2, 4, 8]);
      expect(manifest.openStage).toMatchObject({
        kind: 'open',
        executor: 'constant-arrival-rate',
        factor: 1.5,
        afterStage: 4,
        status: 'completed',
        baseRatePerS: 5,
        rate: 450,
        timeUnit: '1m',
        ratePerS: 7.5,
        preAllocatedVUs: 1,
        maxVUs: 1,
        holdMs: 3000,
        // Only what the engine wrote: the fake writes no --summary-export.
        files: { csv: 'stage-open.csv.gz', log: 'stage-open.log', stats: 'stage-open.stats.json' },
        figures: { keyP95Ms: 420, droppedIterations: 3, droppedPct: 5 },
      });
      const files = await readdir(result.runDir);
      expect(files).toEqual(expect.arrayContaining(['stage-open.log', 'stage-open.csv.gz', 'stage-open.stats.json']));
      // Not scored: the summary (which the decision reads) has the closed stages only.
      expect((await readFormat(runSummaryFormat, join(result.runDir, 'summary.json'))).stages.map((s) => s.users)).toEqual([2, 4, 8]);
      expect(text()).toMatch(
        /open-model stage \(×1\.5, 7\.50 it\/s, 1–1 VUs\): p95 search 420 ms \(closed model at 4 users: 9 ms\), dropped iterations 3 \(5\.0%\)/,
      );
      expect(text()).toContain('stage 4/4 (open model): completed');
    });

    it.each([
      [
        'the target stage failed',
        { scriptReady: true },
        (u: number) => (u === 4 ? fakeStats(u, 20, 20, { '1212': 20 }) : fakeStats(u, 50)),
        /^the target stage \(4 users\) failed$/,
      ],
      [
        'the script does not build its options from env',
        { scriptReady: false },
        (u: number) => fakeStats(u, 50),
        /^the script does not build its options from EXECUTOR, RATE, TIME_UNIT/,
      ],
      [
        'the target stage measured no iteration rate',
        { scriptReady: true },
        (u: number) => {
          const s = fakeStats(u, 50);
          return u === 4 ? { ...s, iterations: { count: 0, ratePerS: 0, meanDurationMs: null } } : s;
        },
        /^the target stage \(4 users\) measured no iteration rate$/,
      ],
    ] as const)('is skipped, saying why, when %s', async (_what, open, statsFor, why) => {
      const engine = fakeEngine({});
      const { io: theIo, text } = io();
      const result = await runStages(request({ openStage: { factor: 2, ...open } }), deps(engine, statsFor), theIo);
      expect(engine.specs).toHaveLength(3);
      expect(result.manifest.openStage?.status).toBe('skipped');
      expect(result.manifest.openStage?.why).toMatch(why);
      expect(result.manifest.status).toBe('completed');
      expect((await readFormat(runManifestFormat, join(result.runDir, 'run.json'))).openStage?.status).toBe('skipped');
      expect(text()).toMatch(/open-model stage \(×2\): skipped — /);
    });

    it('is skipped when the engine broke at an earlier stage', async () => {
      const result = await runStages(
        request({ openStage: { factor: 1, scriptReady: true } }),
        deps(fakeEngine({ 8: { exit: 107 } })),
        io().io,
      );
      expect(result.manifest.status).toBe('failed');
      expect(result.manifest.openStage).toMatchObject({ status: 'skipped', why: 'the engine failed on an earlier stage' });
    });

    it('marks the run interrupted when stopped during the open stage, keeping the closed stages', async () => {
      const controller = new AbortController();
      const engine = fakeEngine({ open: { exit: 0, waitForAbort: true } }, () => controller.abort());
      const result = await runStages(
        request({ openStage: { factor: 1, scriptReady: true } }),
        deps(engine, withOpen),
        io(controller.signal).io,
      );
      expect(result.exitCode).toBe(130);
      expect(result.manifest.status).toBe('interrupted');
      expect(result.manifest.stages.map((s) => s.status)).toEqual(['completed', 'completed', 'completed']);
      expect(result.manifest.openStage?.status).toBe('interrupted');
      expect(result.manifest.why).toMatch(/^open-model stage: stopped by the operator/);
    });

    it('is absent from run.json when not asked for', async () => {
      const result = await runStages(request(), deps(fakeEngine({})), io().io);
      const raw = JSON.parse(await readFile(join(result.runDir, 'run.json'), 'utf8')) as Record<string, unknown>;
      expect(raw).not.toHaveProperty('openStage');
      expect(raw.plan).not.toHaveProperty('openStage');
    });
  });
});

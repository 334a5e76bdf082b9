import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, applyOverrides } from '../formats/config.ts';
import { type LevelTriple, LEVEL_OF_LETTER, runId, runWithLevels, storedRun } from '../test/testkit/runs.ts';
import { DecisionInputError, type RunInput, decide } from './decide.ts';
import { DecisionSchema } from '../formats/decision.ts';

/** SPEC §5, literally: run 1, run 2, run 3 (p95, err, held) → consolidated, score, decision. */
const SPEC_5: readonly [LevelTriple, LevelTriple, LevelTriple, LevelTriple, number, 'go' | 'watch' | 'no-go'][] = [
  ['G G G', 'G G G', 'G G G', 'G G G', 0, 'go'],
  ['O G G', 'O G G', 'G G G', 'O G G', 1, 'go'],
  ['O O G', 'O O G', 'O O G', 'O O G', 2, 'watch'],
  ['R G G', 'G G G', 'G G G', 'G G G', 0, 'go'], // one bad run is noise
  ['R G R', 'R G R', 'G G G', 'R G R', 4, 'no-go'],
  ['O O O', 'O O O', 'O O O', 'O O O', 3, 'no-go'],
  ['G G R', 'G G R', 'G G G', 'G G R', 2, 'no-go'], // target not held on 2 runs
];

const levelsOf = (t: LevelTriple) => t.split(' ').map((c) => LEVEL_OF_LETTER[c as 'G' | 'O' | 'R']);

describe('SPEC §5 worked examples', () => {
  it.each(SPEC_5)('%s | %s | %s → %s, score %i, %s', (r1, r2, r3, consolidated, expectedScore, expectedDecision) => {
    // run 1 is the oldest: the table reads in time order.
    const runs = [runWithLevels(0, r1), runWithLevels(1, r2), runWithLevels(2, r3)];
    const d = decide(runs, DEFAULT_CONFIG);
    expect(DecisionSchema.parse(d)).toEqual(d);
    const [p95, errorRate, held] = levelsOf(consolidated);
    expect({ p95: d.criteria.p95?.level, errorRate: d.criteria.errorRate?.level, held: d.criteria.held?.level }).toEqual({
      p95,
      errorRate,
      held,
    });
    expect(d.score).toBe(expectedScore);
    expect(d.decision).toBe(expectedDecision);
    expect(d.provisional).toBe(false);
    expect(d.runs).toEqual([runId(2), runId(1), runId(0)]);
    // Each run's own levels are the ones it was built with (the builders are independent per criterion).
    for (const [i, triple] of [r1, r2, r3].entries()) {
      const [lp, le, lh] = levelsOf(triple);
      const id = runId(i);
      expect(d.criteria.p95?.runs.find((r) => r.runId === id)?.level).toBe(lp);
      expect(d.criteria.errorRate?.runs.find((r) => r.runId === id)?.level).toBe(le);
      expect(d.criteria.held?.runs.find((r) => r.runId === id)?.level).toBe(lh);
    }
  });

  it('says why on the "target not held on 2 runs" row', () => {
    const d = decide([runWithLevels(0, 'G G R'), runWithLevels(1, 'G G R'), runWithLevels(2, 'G G G')], DEFAULT_CONFIG);
    expect(d.reasons).toContain('target stage not held in 2 of 3 runs');
    expect(d.reading).toBe('attention');
    expect(d.action).toBe(DEFAULT_CONFIG.actions.noGo);
  });

  it('the reading follows the score (0–1 ok, 2 attention, ≥ 3 migrate)', () => {
    const reading = (t: LevelTriple) => decide([runWithLevels(0, t), runWithLevels(1, t), runWithLevels(2, t)], DEFAULT_CONFIG).reading;
    expect(reading('O G G')).toBe('ok');
    expect(reading('O O G')).toBe('attention');
    expect(reading('O O O')).toBe('migrate');
  });
});

describe('only the last runsToCompare comparable runs count', () => {
  it('an older red run beyond the last three changes nothing', () => {
    const runs = [
      runWithLevels(0, 'R R R'),
      runWithLevels(1, 'R R R'),
      runWithLevels(2, 'G G G'),
      runWithLevels(3, 'G G G'),
      runWithLevels(4, 'G G G'),
    ];
    const d = decide(runs, DEFAULT_CONFIG);
    expect(d.runs).toEqual([runId(4), runId(3), runId(2)]);
    expect(d.decision).toBe('go');
  });

  it('runsToCompare from the config', () => {
    const config = applyOverrides(DEFAULT_CONFIG, { runsToCompare: 5 });
    const runs = [0, 1, 2, 3, 4].map((i) => runWithLevels(i, i < 3 ? 'R G G' : 'G G G'));
    const d = decide(runs, config);
    expect(d.runs).toHaveLength(5);
    expect(d.criteria.p95?.level).toBe('red'); // 3 of 5 red
    expect(d.runsToCompare).toBe(5);
  });
});

describe('provisional and insufficient data', () => {
  it.each([
    [['G G G', 'G G G'], 'go', 'rests on 2 comparable runs of the 3 to compare'],
    [['G G G'], 'go', 'rests on 1 comparable run of the 3 to compare'],
    [['R G G', 'G G G'], 'no-go', 'rests on 2 comparable runs of the 3 to compare'],
    [['O O G'], 'watch', 'rests on 1 comparable run of the 3 to compare'],
  ] as [LevelTriple[], string, string][])('%j → provisional %s', (triples, expected, words) => {
    const d = decide(
      triples.map((t, i) => runWithLevels(i, t)),
      DEFAULT_CONFIG,
    );
    expect(d.provisional).toBe(true);
    expect(d.decision).toBe(expected);
    expect(d.runs).toHaveLength(triples.length);
    expect(d.reasons[0]).toBe(`provisional: ${words}`);
    expect(d.action).toContain(DEFAULT_CONFIG.actions.provisional);
  });

  it('no run at all → insufficient data, never a decision', () => {
    const d = decide([], DEFAULT_CONFIG);
    expect(DecisionSchema.parse(d)).toEqual(d);
    expect(d).toMatchObject({
      decision: 'insufficient-data',
      score: null,
      reading: null,
      criteria: {},
      runs: [],
      baseline: null,
      excluded: [],
    });
    expect(d.reasons).toEqual(['no run in the results folder']);
    expect(d.action).toBe(DEFAULT_CONFIG.actions.insufficientData);
  });

  it('only excluded runs → insufficient data, listing each with its reason', () => {
    const runs = [
      storedRun({ id: runId(0), status: 'interrupted', stageStatus: { 100: 'interrupted', 150: 'skipped' } }),
      storedRun({
        id: runId(1),
        stageStatus: { 50: { status: 'engine-failed', why: 'script error' }, 75: 'skipped', 100: 'skipped', 150: 'skipped' },
      }),
    ];
    const d = decide(runs, DEFAULT_CONFIG);
    expect(d.decision).toBe('insufficient-data');
    expect(d.reasons).toEqual(['no comparable run: 2 runs found, every one excluded (see excluded)']);
    expect(d.excluded.map((e) => e.id)).toEqual([runId(1), runId(0)]);
  });
});

describe('exclusions, each with its reason', () => {
  const healthy = (i: number) => runWithLevels(i, 'G G G');
  it.each([
    [
      'interrupted by the operator',
      storedRun({ id: runId(3), status: 'interrupted', why: 'Ctrl-C', stageStatus: { 100: 'interrupted', 150: 'skipped' } }),
      'interrupted by the operator: Ctrl-C (not comparable)',
    ],
    [
      'a stage interrupted while the run says failed',
      storedRun({ id: runId(3), status: 'failed', why: 'stopped', stageStatus: { 150: { status: 'interrupted', why: 'SIGTERM' } } }),
      'interrupted by the operator: stopped (not comparable)',
    ],
    [
      'the engine broke',
      storedRun({
        id: runId(3),
        status: 'failed',
        stageStatus: { 75: { status: 'engine-failed', why: 'k6 exit 107: script exception' }, 100: 'skipped', 150: 'skipped' },
      }),
      'the engine broke at stage 75 users: k6 exit 107: script exception (not a measurement of the target)',
    ],
    [
      'failed without a target failure',
      storedRun({
        id: runId(3),
        status: 'failed',
        why: 'bundle failed to build',
        stageStatus: { 5: 'skipped', 20: 'skipped', 50: 'skipped', 75: 'skipped', 100: 'skipped', 150: 'skipped' },
      }),
      'failed without a target failure: bundle failed to build (the tool broke, not the target)',
    ],
    [
      'still running',
      storedRun({ id: runId(3), status: 'running', stageStatus: { 150: 'skipped' } }),
      'status "running": still running, or the runner stopped without recording its end',
    ],
    [
      'unreadable files',
      { id: runId(3), dir: '/r', manifest: null, summary: null, problem: 'run.json: not valid JSON' },
      'run.json: not valid JSON',
    ],
    [
      'a readable run.json but no summary',
      { ...storedRun({ id: runId(3) }), summary: null, problem: 'summary.json: missing' },
      'summary.json: missing',
    ],
    [
      'a completed stage without statistics',
      storedRun({ id: runId(3), stats: { 50: null } }),
      'stage 50 users completed but has no statistics (run `npm run collect -- --run <run folder>`)',
    ],
    [
      'statistics for another key transaction',
      { ...storedRun({ id: runId(3) }), summary: { ...storedRun({ id: runId(3) }).summary!, keyName: 'home' } },
      'summary.json was computed for key transaction "home" but the run\'s is "search" (run `npm run collect -- --run <run folder>`)',
    ],
  ])('%s', (_, newest, reason) => {
    const d = decide([healthy(0), healthy(1), healthy(2), newest], DEFAULT_CONFIG);
    expect(d.excluded).toEqual([{ id: runId(3), reason }]);
    expect(d.runs).toEqual([runId(2), runId(1), runId(0)]);
    // The reference is the newest usable run, not the excluded newest one.
    expect(d.baseline).toBe(runId(2));
    expect(d.decision).toBe('go');
  });

  it('a run whose target failed is comparable, and red', () => {
    const failed = storedRun({
      id: runId(2),
      stageStatus: { 100: { status: 'target-failed', why: 'connection refused in bulk' }, 150: 'skipped' },
      stats: { 100: { heldMs: 200_000, failures: 4000, count: 8000, p95Ms: 9000 } },
    });
    const d = decide([runWithLevels(0, 'G G G'), runWithLevels(1, 'G G R'), failed], DEFAULT_CONFIG);
    expect(d.excluded).toEqual([]);
    expect(d.runs).toEqual([runId(2), runId(1), runId(0)]);
    const held = d.criteria.held!.runs[0]!;
    expect(held.level).toBe('red');
    expect(held.rule).toContain('the stage ended target-failed: connection refused in bulk');
    expect(held.rule).toContain('held 3m20s of 10m');
    expect(d.decision).toBe('no-go');
    expect(d.reasons).toContain('target stage not held in 2 of 3 runs');
  });

  it('a target failure beyond the target stage (saturation found by the stress stages) is comparable and not scored', () => {
    const saturated = storedRun({
      id: runId(2),
      stageStatus: { 150: { status: 'target-failed', why: 'timeouts in bulk' } },
      stats: { 150: { failures: 4000, timeouts: 3000 } },
    });
    const d = decide([runWithLevels(0, 'G G G'), runWithLevels(1, 'G G G'), saturated], DEFAULT_CONFIG);
    expect(d.runs).toEqual([runId(2), runId(1), runId(0)]);
    expect(d.criteria.held!.runs[0]!.level).toBe('green');
    expect(d.criteria.errorRate!.runs[0]!.rule).toContain('beyond the target (reported, not scored): 150 users 40 %');
    expect(d.decision).toBe('go');
  });

  it('a target that was never reached (skipped after an earlier stage failed) is red on every criterion, saying so', () => {
    const failed = storedRun({
      id: runId(0),
      stageStatus: { 75: { status: 'target-failed', why: 'timeouts in bulk' }, 100: 'skipped', 150: 'skipped' },
      stats: { 75: { heldMs: 60_000, timeouts: 900, failures: 900 } },
    });
    const d = decide([failed], DEFAULT_CONFIG);
    for (const id of ['p95', 'errorRate', 'held'] as const) {
      expect(d.criteria[id]!.runs[0]!.level).toBe('red');
      expect(d.criteria[id]!.runs[0]!.rule).toContain('the target stage (100 users) did not run (skipped)');
    }
    expect(d.decision).toBe('no-go');
    expect(d.provisional).toBe(true);
  });
});

describe('comparability with the reference run', () => {
  it.each([
    ['scenario', { scenario: 'checkout' }, 'scenario checkout ≠ search'],
    ['bundle', { bundleSha256: 'b'.repeat(64) }, 'bundle sha256 bbbbbbbbbbbb ≠ aaaaaaaaaaaa'],
    ['host', { host: 'https://other.example.com' }, 'host https://other.example.com ≠ https://staging.example.com'],
    ['stage list', { stages: [5, 20, 50, 100, 150] }, 'stages 5,20,50,100,150 ≠ 5,20,50,75,100,150'],
    ['hold', { holdMs: 300_000 }, 'hold 5m ≠ 10m'],
    ['spawn rate', { spawnRate: 10 }, 'spawn rate 10/s ≠ 5/s'],
    ['target stage', { targetStage: 75 }, 'target stage 75 ≠ 100'],
    ['key transaction', { keyTransaction: 'home' }, 'key transaction home ≠ search'],
    ['engine', { engine: { name: 'k6', version: 'v1.4.0' } }, 'engine k6 ≠ embedded'],
  ] as const)('a different %s is not comparable', (_, spec, words) => {
    const d = decide([storedRun({ id: runId(0), ...spec }), runWithLevels(1, 'G G G'), runWithLevels(2, 'G G G')], DEFAULT_CONFIG);
    expect(d.excluded).toEqual([{ id: runId(0), reason: `not comparable with ${runId(2)}: ${words}` }]);
    expect(d.runs).toEqual([runId(2), runId(1)]);
    expect(d.provisional).toBe(true);
  });

  it('another engine version is still the same engine', () => {
    const d = decide(
      [storedRun({ id: runId(0), engine: { name: 'embedded', version: '0.0.9' } }), runWithLevels(1, 'G G G')],
      DEFAULT_CONFIG,
    );
    expect(d.excluded).toEqual([]);
  });

  it('lists every difference in one reason', () => {
    const d = decide([storedRun({ id: runId(0), host: 'https://b.example', spawnRate: 2 }), runWithLevels(1, 'G G G')], DEFAULT_CONFIG);
    expect(d.excluded[0]!.reason).toBe(
      `not comparable with ${runId(1)}: host https://b.example ≠ https://staging.example.com; spawn rate 2/s ≠ 5/s`,
    );
  });
});

describe('mixed engines', () => {
  const k6 = { engine: { name: 'k6', version: 'v1.4.0' } };
  const runs = [
    runWithLevels(0, 'R G G', k6),
    runWithLevels(1, 'R G G', k6),
    runWithLevels(2, 'G G G'),
    runWithLevels(3, 'R G G', k6),
    runWithLevels(4, 'G G G'),
  ];

  it('never compares runs from different engines: the newest run picks the engine', () => {
    const d = decide(runs, DEFAULT_CONFIG);
    expect(d.runs).toEqual([runId(4), runId(2)]);
    expect(d.provisional).toBe(true);
    expect(d.decision).toBe('go');
    expect(d.excluded.map((e) => e.id)).toEqual([runId(3), runId(1), runId(0)]);
    for (const e of d.excluded) expect(e.reason).toBe(`not comparable with ${runId(4)}: engine k6 ≠ embedded`);
  });

  it('--baseline picks the other engine', () => {
    const d = decide(runs, DEFAULT_CONFIG, { baseline: runId(1) });
    expect(d.baseline).toBe(runId(1));
    expect(d.runs).toEqual([runId(3), runId(1), runId(0)]);
    expect(d.provisional).toBe(false);
    expect(d.decision).toBe('no-go');
    expect(d.excluded.map((e) => e.id)).toEqual([runId(4), runId(2)]);
  });
});

describe('the excluded list', () => {
  it('with enough runs, leaves out exclusions older than the oldest run used', () => {
    const runs = [
      storedRun({ id: runId(0), engine: { name: 'k6', version: '1' } }),
      runWithLevels(1, 'G G G'),
      runWithLevels(2, 'G G G'),
      storedRun({ id: runId(3), status: 'interrupted', stageStatus: { 150: 'interrupted' } }),
      runWithLevels(4, 'G G G'),
    ];
    const d = decide(runs, DEFAULT_CONFIG);
    expect(d.excluded.map((e) => e.id)).toEqual([runId(3)]);
  });
});

describe('runs older than the oldest run used', () => {
  /** The runs as the results folder gives them (summary.json read on first use), counting the reads of each. */
  function counted(runs: readonly RunInput[]): { runs: RunInput[]; reads: Map<string, number> } {
    const reads = new Map<string, number>();
    const read = <T>(id: string, value: T): T => (reads.set(id, (reads.get(id) ?? 0) + 1), value);
    const lazy = runs.map(
      (r) =>
        Object.defineProperties(
          { id: r.id, manifest: r.manifest },
          {
            summary: { enumerable: true, get: () => read(r.id, r.summary) },
            problem: { enumerable: true, get: () => read(r.id, r.problem) },
          },
        ) as RunInput,
    );
    return { runs: lazy, reads };
  }
  const interrupted = storedRun({ id: runId(9), status: 'interrupted', stageStatus: { 150: 'interrupted' } });
  const history = [...Array.from({ length: 9 }, (_, i) => runWithLevels(i, 'G G G')), interrupted];

  it.each([
    ['the newest usable run as reference', {}, runId(8), [0, 1, 2, 3, 4, 5]],
    ['an older --baseline', { baseline: runId(4) }, runId(4), [0, 1, 2, 3]],
  ])('with %s, are never read, and change nothing', (_, options, baseline, unread) => {
    const { runs, reads } = counted(history);
    const d = decide(runs, DEFAULT_CONFIG, options);
    expect(d).toEqual(decide(history, DEFAULT_CONFIG, options));
    expect(d.baseline).toBe(baseline);
    expect(d.runs).toEqual([runId(8), runId(7), runId(6)]);
    expect(d.excluded).toEqual([{ id: runId(9), reason: expect.stringContaining('interrupted') }]);
    expect(unread.filter((i) => reads.has(runId(i)))).toEqual([]);
    expect(reads.has(runId(5))).toBe(unread.length < 6);
  });

  it('with too few comparable runs, every run is read: the provisional decision lists every exclusion', () => {
    const other = { host: 'https://other.example.com' };
    const { runs, reads } = counted([storedRun({ id: runId(0), ...other }), runWithLevels(1, 'G G G'), runWithLevels(2, 'G G G')]);
    const d = decide(runs, DEFAULT_CONFIG);
    expect(d.provisional).toBe(true);
    expect(d.excluded.map((e) => e.id)).toEqual([runId(0)]);
    expect([...reads.keys()].sort()).toEqual([runId(0), runId(1), runId(2)]);
  });
});

describe('run order', () => {
  // Two runs started in the same UTC minute: their ids differ only by random suffixes, which say
  // nothing of which started first.
  const early = (levels: LevelTriple, extra = {}) =>
    runWithLevels(0, levels, { id: '2026-11-02T0300Z-zzzz', startedAt: '2026-11-02T03:00:05.000Z', ...extra });
  const late = (levels: LevelTriple, extra = {}) =>
    runWithLevels(0, levels, { id: '2026-11-02T0300Z-aaaa', startedAt: '2026-11-02T03:00:50.000Z', ...extra });

  it('the newest run is the one started last, not the one with the greatest id', () => {
    const d = decide([runWithLevels(0, 'G G G'), early('G G G'), late('R R R')], DEFAULT_CONFIG);
    expect(d.runs).toEqual(['2026-11-02T0300Z-aaaa', '2026-11-02T0300Z-zzzz', runId(0)]);
    expect(d.baseline).toBe('2026-11-02T0300Z-aaaa');
  });

  it('an exclusion started after the oldest run used is listed, whatever its id', () => {
    const interrupted = { status: 'interrupted' as const, stageStatus: { 150: 'interrupted' as const } };
    const runs = [
      runWithLevels(0, 'G G G'),
      early('G G G'),
      late('G G G', interrupted),
      runWithLevels(47, 'G G G'),
      runWithLevels(48, 'G G G'),
    ];
    const d = decide(runs, DEFAULT_CONFIG);
    expect(d.runs).toEqual([runId(48), runId(47), '2026-11-02T0300Z-zzzz']);
    expect(d.excluded.map((e) => e.id)).toEqual(['2026-11-02T0300Z-aaaa']);
  });
});

describe('options', () => {
  const runs = [runWithLevels(0, 'G G G'), runWithLevels(1, 'G G G'), runWithLevels(2, 'R R R')];

  it('--until before every run: says so, not that the folder is empty', () => {
    const d = decide(runs, DEFAULT_CONFIG, { until: '2020-01-01T00:00:00Z' });
    expect(d).toMatchObject({ decision: 'insufficient-data', runs: [], excluded: [] });
    expect(d.reasons).toEqual(['no run up to 2020-01-01T00:00:00Z (the results folder has 3 runs, all later)']);
  });

  it('--until ignores runs started after it (a decision as of a past date)', () => {
    const d = decide(runs, DEFAULT_CONFIG, { until: '2026-11-01T01:30:00Z' });
    expect(d.runs).toEqual([runId(1), runId(0)]);
    expect(d.excluded).toEqual([]);
  });

  it.each([
    [{ baseline: 'nope' }, '--baseline nope: no such run in the results folder'],
    [{ until: 'last monday' }, '--until: expected an ISO-8601 time like 2026-11-23T00:00:00Z (got "last monday")'],
    [{ baseline: runId(2), until: '2026-11-01T01:30:00Z' }, `--baseline ${runId(2)}: this run started after --until 2026-11-01T01:30:00Z`],
  ])('%j is refused', (options, message) => {
    expect(() => decide(runs, DEFAULT_CONFIG, options)).toThrow(new DecisionInputError(message));
  });

  it('an excluded baseline is refused with its reason', () => {
    const withInterrupted = [
      ...runs,
      storedRun({ id: runId(3), status: 'interrupted', why: 'Ctrl-C', stageStatus: { 150: 'interrupted' } }),
    ];
    expect(() => decide(withInterrupted, DEFAULT_CONFIG, { baseline: runId(3) })).toThrow(
      `--baseline ${runId(3)}: this run cannot be a reference: interrupted by the operator: Ctrl-C (not comparable)`,
    );
  });

  it('does not depend on the order the runs are given in', () => {
    expect(decide([...runs].reverse(), DEFAULT_CONFIG)).toEqual(decide(runs, DEFAULT_CONFIG));
  });

  it('reports the environment, target stage and key transaction of the reference', () => {
    const config = applyOverrides(DEFAULT_CONFIG, { environment: 'production' });
    const d = decide([runWithLevels(0, 'G G G', { stages: [10, 40, 80], targetStage: 40, keyTransaction: 'login' })], config);
    expect(d).toMatchObject({ environment: 'production', targetStage: 40, keyTransaction: 'login', baseline: runId(0) });
    expect(d.criteria.p95!.runs[0]!.rule).toContain('p95 of "login" at 40 users 1800 ms');
  });

  it('warns when the config and the runs disagree, or the target stage data is suspect', () => {
    const config = applyOverrides(DEFAULT_CONFIG, { targetStage: 150, keyTransaction: { name: 'home' } });
    const d = decide([runWithLevels(0, 'G G G'), runWithLevels(1, 'G G G', { suspectStages: [100] })], config);
    expect(d.warnings).toEqual([
      "the config's targetStage is 150 but the runs were made with 100: the runs' is used",
      'the config\'s key transaction is "home" but the runs measured "search": the runs\' is used',
      `${runId(1)}: the target stage fails the Little's law check: Little's law: 1.00 iterations/s × 78.00 s mean iteration = 78.0 busy users for 100 run (−22.0 %, beyond ±10 %): suspect data — fewer users were busy over the hold than the 100 planned: a ramp counted as hold, users that never started, or iterations cut off at the end`,
    ]);
    expect(d.targetStage).toBe(100);
    expect(decide([runWithLevels(0, 'G G G')], DEFAULT_CONFIG).warnings).toEqual([]);
  });
});

import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ResultsFolder, makeResultsFolder } from '../test/testkit/results-folder.ts';
import { runId, storedRun } from '../test/testkit/runs.ts';
import { UserError } from '../formats/errors.ts';
import { chooseEnvironment, listRuns, selectResults, type StoredRun } from './results-store.ts';

describe('listRuns', () => {
  let folder: ResultsFolder;
  beforeEach(async () => {
    folder = await makeResultsFolder();
  });
  afterEach(async () => {
    await folder.cleanup();
  });

  it('reads every run, oldest first', async () => {
    for (const i of [2, 0, 1]) await folder.write(storedRun({ id: runId(i) }));
    const runs = await listRuns(folder.dir);
    expect(runs.map((r) => r.id)).toEqual([runId(0), runId(1), runId(2)]);
    for (const r of runs) {
      expect(r.problem).toBeNull();
      expect(r.dir).toBe(join(folder.dir, 'runs', r.id));
      expect(r).toEqual({ ...storedRun({ id: r.id }), dir: r.dir });
    }
  });

  it('sorts runs of the same minute by start time, not by their random id suffixes', async () => {
    await folder.write(storedRun({ id: '2026-11-02T0300Z-aaaa', startedAt: '2026-11-02T03:00:50.000Z' }));
    await folder.write(storedRun({ id: '2026-11-02T0300Z-zzzz', startedAt: '2026-11-02T03:00:05.000Z' }));
    expect((await listRuns(folder.dir)).map((r) => r.id)).toEqual(['2026-11-02T0300Z-zzzz', '2026-11-02T0300Z-aaaa']);
  });

  it('a results folder without runs/ has no runs yet', async () => {
    expect(await listRuns(folder.dir)).toEqual([]);
  });

  it('skips hidden folders and stray files', async () => {
    await folder.write(storedRun({ id: runId(0) }));
    await mkdir(join(folder.dir, 'runs', '.tmp-2026'), { recursive: true });
    await writeFile(join(folder.dir, 'runs', 'notes.txt'), 'hello');
    expect((await listRuns(folder.dir)).map((r) => r.id)).toEqual([runId(0)]);
  });

  it.each([
    ['run.json is not JSON', 'run.json', '{oops', /^run\.json: not valid JSON/],
    [
      'run.json of another kind',
      'run.json',
      JSON.stringify({ kind: 'run-summary', schemaVersion: 1 }),
      /^run\.json: kind: expected "run-manifest", got "run-summary"$/,
    ],
    [
      'run.json of a newer schema',
      'run.json',
      JSON.stringify({ kind: 'run-manifest', schemaVersion: 3 }),
      /^run\.json: schemaVersion: expected 2, got 3 \(written by a newer version of the toolkit\)$/,
    ],
  ])('an unreadable run comes back with its problem: %s', async (_, file, text, problem) => {
    await folder.writeRaw(runId(0), file, text);
    const [run] = await listRuns(folder.dir);
    expect(run!.manifest).toBeNull();
    expect(run!.problem).toMatch(problem);
  });

  it('a run without summary.json says how to make it', async () => {
    const run = storedRun({ id: runId(0) });
    const dir = await folder.write({ ...run, summary: null });
    const [read] = await listRuns(folder.dir);
    expect(read!.manifest).toEqual(run.manifest);
    expect(read!.summary).toBeNull();
    expect(read!.problem).toBe(`summary.json: missing (run \`npm run collect -- --run ${dir}\`)`);
  });

  it('a summary.json of an older schema (before goodput, v1) says how to regenerate it', async () => {
    const run = storedRun({ id: runId(0) });
    await folder.write(run);
    await folder.writeRaw(runId(0), 'summary.json', JSON.stringify({ ...run.summary, schemaVersion: 1 }));
    const [read] = await listRuns(folder.dir);
    expect(read!.summary).toBeNull();
    expect(read!.problem).toBe('summary.json: schemaVersion: expected 2, got 1 (regenerate with `npm run collect -- --run <run folder>`)');
  });

  it.each([
    ['with a label: the label was its environment', { label: 'production' }, 'production'],
    ['without a label: the default environment of that version', {}, 'staging'],
  ])('a version-1 run.json still loads, %s', async (_, extra, environment) => {
    const run = storedRun({ id: runId(0) });
    await folder.write(run);
    const { environment: _dropped, ...v1 } = { ...run.manifest!, schemaVersion: 1, ...extra };
    await folder.writeRaw(runId(0), 'run.json', JSON.stringify(v1));
    const [read] = await listRuns(folder.dir);
    expect(read!.problem).toBeNull();
    expect(read!.manifest).toEqual({ ...run.manifest, environment });
  });

  it('a run.json whose id is not its folder’s is a problem', async () => {
    const run = storedRun({ id: runId(1) });
    await folder.write({ ...run, id: runId(0) });
    const [read] = await listRuns(folder.dir);
    expect(read!.problem).toContain(`run.json: id "${runId(1)}" does not match its folder "${runId(0)}"`);
  });

  it('a results folder that does not exist is a user error', async () => {
    const missing = join(folder.dir, 'nope');
    await expect(listRuns(missing)).rejects.toThrow(new RegExp(`^${missing}: results folder does not exist$`));
    await expect(listRuns(missing)).rejects.toBeInstanceOf(UserError);
  });

  it('a file given as the results folder is a user error', async () => {
    const file = join(folder.dir, 'file');
    await writeFile(file, 'x');
    await expect(listRuns(file)).rejects.toThrow(`${file}: is not a folder; expected a results folder`);
  });
});

describe('chooseEnvironment', () => {
  const of = (envs: string): StoredRun[] =>
    envs
      .split(' ')
      .filter(Boolean)
      .map((env, i) => storedRun({ id: runId(i), environment: env }));
  it.each([
    [
      'the configured one when it has runs',
      'demo staging demo',
      {},
      'staging',
      1,
      'environments in r: demo (2 runs), staging (1 run); reading staging — another with --environment demo',
    ],
    [
      'the only one, saying the config names another',
      'demo demo',
      {},
      'demo',
      2,
      'reading demo, the only environment in r (the config names staging, which has no run there)',
    ],
    [
      'the newest run’s when the config’s has none',
      'a b',
      {},
      'b',
      1,
      'environments in r: a (1 run), b (1 run); reading b — another with --environment a',
    ],
    [
      'the requested one',
      'staging demo',
      { requested: 'demo' },
      'demo',
      1,
      'environments in r: staging (1 run), demo (1 run); reading demo — another with --environment staging',
    ],
    ['the configured one in an empty folder (a no-data decision)', '', {}, 'staging', 0, null],
    ['the requested one in an empty folder', '', { requested: 'prod' }, 'prod', 0, null],
  ])('%s', (_, envs, options, environment, count, note) => {
    const choice = chooseEnvironment(of(envs), { configured: 'staging', resultsDir: 'r', ...options });
    expect(choice).toMatchObject({ environment, note });
    expect(choice.runs).toHaveLength(count);
    for (const r of choice.runs) expect(r.manifest!.environment).toBe(environment);
  });

  it('keeps unreadable runs (listed as excluded with why) and refuses an environment without runs', () => {
    const broken: StoredRun = { id: runId(9), dir: 'x', manifest: null, summary: null, problem: 'run.json: not valid JSON' };
    expect(chooseEnvironment([...of('staging'), broken], { configured: 'staging', resultsDir: 'r' }).runs.map((r) => r.id)).toEqual([
      runId(0),
      runId(9),
    ]);
    expect(() => chooseEnvironment(of('staging'), { requested: 'prod', configured: 'staging', resultsDir: 'r' })).toThrow(
      '--environment: no run of "prod" in r; its runs are of staging (1 run)',
    );
  });
});

describe('selectResults', () => {
  let folder: ResultsFolder;
  beforeEach(async () => {
    folder = await makeResultsFolder();
  });
  afterEach(async () => {
    await folder.cleanup();
  });

  it("without --results reads the demo's folder when only it has runs, with its own config", async () => {
    const demo = await makeResultsFolder();
    try {
      await mkdir(join(folder.dir, 'results'), { recursive: true });
      await folder.write(storedRun({ id: runId(0), environment: 'demo' }));
      // The folder of the fixture becomes results/demo under a fresh cwd.
      const cwd = demo.dir;
      await mkdir(join(cwd, 'results'), { recursive: true });
      await rename(folder.dir, join(cwd, 'results', 'demo'));
      await mkdir(folder.dir);
      await writeFile(
        join(cwd, 'results', 'demo', 'capacity.config.json'),
        JSON.stringify({ environment: 'demo', targetStage: 20, stages: [5, 20] }),
      );
      const s = await selectResults({}, cwd);
      expect(s.resultsDir).toBe(join(cwd, 'results', 'demo'));
      expect([s.environment, s.config.environment, s.config.targetStage, s.runs.length]).toEqual(['demo', 'demo', 20, 1]);
      expect(s.notes).toEqual([
        "no run in results/; reading the demo's results/demo/ (--results <folder> for another)",
        "config: results/demo/capacity.config.json (the results folder's own; --config <file> for another)",
      ]);
      const given = await selectResults({ results: 'results/demo', config: 'nope.json' }, cwd).catch((e: Error) => e.message);
      expect(given).toMatch(/nope\.json: cannot read the config file/);
    } finally {
      await demo.cleanup();
    }
  });

  it('with runs in results/ reads them, not the demo’s', async () => {
    await folder.write(storedRun({ id: runId(0) }));
    const cwd = join(folder.dir, '..');
    const s = await selectResults({ results: folder.dir }, cwd);
    expect([s.environment, s.runs.length, s.notes]).toEqual(['staging', 1, []]);
  });
});

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ResultsFolder, makeResultsFolder } from '../test/testkit/results-folder.ts';
import { runId, storedRun } from '../test/testkit/runs.ts';
import { UserError } from './errors.ts';
import { listRuns } from './results-store.ts';

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
    ['run.json of another kind', 'run.json', JSON.stringify({ kind: 'run-summary', schemaVersion: 1 }), /^run\.json: kind: expected "run-manifest", got "run-summary"$/],
    ['run.json of a newer schema', 'run.json', JSON.stringify({ kind: 'run-manifest', schemaVersion: 2 }), /^run\.json: schemaVersion: expected 1, got 2 \(written by a newer version of the toolkit\)$/],
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

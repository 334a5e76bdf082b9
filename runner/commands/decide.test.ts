import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DecisionSchema } from '../../formats/decision.ts';
import { type ResultsFolder, makeResultsFolder } from '../../test/testkit/results-folder.ts';
import { runId, runWithLevels, storedRun } from '../../test/testkit/runs.ts';
import { UserError } from '../../formats/errors.ts';
import type { Io } from '../io.ts';
import { command } from './decide.ts';

function testIo(cwd: string): Io & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  stderr.on('data', (c: Buffer) => errChunks.push(c));
  return {
    cwd,
    env: {},
    stdout,
    stderr,
    err: () => Buffer.concat(errChunks).toString('utf8'),
    now: () => Date.parse('2026-11-23T08:00:00Z'),
    signal: new AbortController().signal,
    out: () => Buffer.concat(chunks).toString('utf8'),
  };
}

type Args = Parameters<typeof command.run>[0];
const args = (o: Partial<Args>): Args => ({ results: 'results', json: false, ...o }) as Args;

describe('npm run decide', () => {
  let folder: ResultsFolder;
  beforeEach(async () => {
    folder = await makeResultsFolder();
    await folder.write(runWithLevels(0, 'G G R'));
    await folder.write(runWithLevels(1, 'G G R'));
    await folder.write(runWithLevels(2, 'G G G'));
    await folder.write(storedRun({ id: runId(3), status: 'interrupted', why: 'Ctrl-C', stageStatus: { 150: 'interrupted' } }));
  });
  afterEach(async () => {
    await folder.cleanup();
  });

  it('--json prints the decision JSON and exits 0 on a No-Go', async () => {
    const io = testIo(folder.dir);
    expect(await command.run(args({ results: '.', json: true }), io)).toBe(0);
    const d = DecisionSchema.parse(JSON.parse(io.out()));
    expect(d.decision).toBe('no-go');
    expect(d.runs).toEqual([runId(2), runId(1), runId(0)]);
    expect(d.excluded).toEqual([{ id: runId(3), reason: 'interrupted by the operator: Ctrl-C (not comparable)' }]);
  });

  it('prints a readable table with the evidence by default', async () => {
    const io = testIo('/');
    expect(await command.run(args({ results: folder.dir }), io)).toBe(0);
    const text = io.out();
    const lines = text.split('\n');
    expect(lines[0]).toBe('Decision: NO-GO (prepare the migration) — score 2 (attention)');
    expect(lines).toContain(`criterion                    consolidated  ${runId(2)}  ${runId(1)}  ${runId(0)}`);
    expect(lines).toContain('p95 at the target stage      green         green 1800 ms          green 1800 ms          green 1800 ms');
    expect(lines).toContain('target stage held            red           green                  red                    red');
    expect(text).toContain('  - target stage not held in 2 of 3 runs');
    expect(text).toContain(
      `    ${runId(1)}  mean latency: Mann–Kendall p = 0.001, Theil–Sen +40 % over the hold ≥ +25 % → not stable → not held → red`,
    );
    expect(text).toContain(`Excluded:\n  ${runId(3)}  interrupted by the operator: Ctrl-C (not comparable)`);
    expect(text).toMatch(/Action for next week: Prepare the migration/);
  });

  it('--config and --baseline are used', async () => {
    await writeFile(
      join(folder.dir, 'strict.json'),
      JSON.stringify({ environment: 'staging', criteria: { p95Ms: { green: 1000, orange: 1500 } } }),
    );
    const io = testIo(folder.dir);
    await command.run(args({ results: '.', json: true, config: 'strict.json', baseline: runId(1) }), io);
    const d = DecisionSchema.parse(JSON.parse(io.out()));
    expect(d.environment).toBe('staging');
    expect(d.baseline).toBe(runId(1));
    expect(d.criteria.p95?.level).toBe('red');
  });

  it('reads capacity.config.json of the working folder; a config naming an environment without runs reads the only one there, saying so', async () => {
    await writeFile(
      join(folder.dir, 'capacity.config.json'),
      JSON.stringify({ environment: 'preprod', criteria: { p95Ms: { green: 1000, orange: 1500 } } }),
    );
    const io = testIo(folder.dir);
    await command.run(args({ results: '.', json: true }), io);
    const d = DecisionSchema.parse(JSON.parse(io.out()));
    expect(d.environment).toBe('staging');
    expect(d.criteria.p95?.level).toBe('red');
    expect(io.err()).toContain('reading staging, the only environment in . (the config names preprod, which has no run there)');
  });

  it('reads one environment of a folder that holds several, says which and how to pick another', async () => {
    await folder.write(storedRun({ id: runId(4), environment: 'demo' }));
    const io = testIo(folder.dir);
    await command.run(args({ results: '.', json: true }), io);
    expect(DecisionSchema.parse(JSON.parse(io.out())).runs).not.toContain(runId(4));
    expect(io.err()).toBe('environments in .: staging (4 runs), demo (1 run); reading staging — another with --environment demo\n');
    const demo = testIo(folder.dir);
    await command.run(args({ results: '.', json: true, environment: 'demo' }), demo);
    const d = DecisionSchema.parse(JSON.parse(demo.out()));
    expect([d.environment, d.runs]).toEqual(['demo', [runId(4)]]);
    await expect(command.run(args({ results: '.', environment: 'prod' }), testIo(folder.dir))).rejects.toThrow(
      '--environment: no run of "prod" in .; its runs are of staging (4 runs), demo (1 run)',
    );
  });

  it.each([
    [{ results: 'missing' }, /missing: results folder does not exist$/],
    [{ results: '.', config: 'nope.json' }, /nope\.json: cannot read the config file: it does not exist$/],
    [{ results: '.', baseline: 'nope' }, /^--baseline nope: no such run in the results folder$/],
    [{ results: '.', until: 'yesterday' }, /^--until: expected an ISO-8601 time/],
  ])('%j is a one-line user error', async (a, message) => {
    const io = testIo(folder.dir);
    const run = command.run(args(a), io);
    await expect(run).rejects.toBeInstanceOf(UserError);
    await expect(run).rejects.toThrow(message);
    expect(io.out()).toBe('');
  });

  it('a bad config file names the key', async () => {
    await writeFile(join(folder.dir, 'capacity.config.json'), JSON.stringify({ criteria: { p95Ms: { orange: 2000 } } }));
    await expect(command.run(args({ results: '.' }), testIo(folder.dir))).rejects.toThrow(
      'capacity.config.json: criteria.p95Ms.orange: must be above green (got 2000 ≤ 2500)',
    );
  });

  it('an empty results folder is insufficient data, exit 0', async () => {
    const empty = await makeResultsFolder();
    try {
      const io = testIo('/');
      expect(await command.run(args({ results: empty.dir }), io)).toBe(0);
      expect(io.out().split('\n')[0]).toBe('Decision: INSUFFICIENT DATA');
    } finally {
      await empty.cleanup();
    }
  });
});

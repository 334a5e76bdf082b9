import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../formats/errors.ts';
import { useTempDir } from '../testkit/temp-dir.ts';
import { listRuns } from '../../runner/results-store.ts';
import { ROOT, SHORT_THINK } from '../testkit/e2e.ts';

/**
 * Signals through `npm run`, as an operator or CI sends them: to the npm process, or to the whole
 * process group without a terminal. npm is started in a process group of its own (detached) so
 * that the test can signal that group, and so that nothing it leaves behind can hide.
 */
function npmRun(script: string, args: readonly string[]) {
  const child = spawn('npm', ['run', '--silent', script, '--', ...args], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const waitFor = (test: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () =>
        test.test(stdout)
          ? resolve()
          : child.exitCode !== null
            ? reject(new Error(`ended first:\n${stdout}${stderr}`))
            : setTimeout(check, 100);
      check();
    });
  /** Whether any process of the group is still alive. */
  const groupAlive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  return { child, exited, waitFor, groupAlive, stdout: () => stdout, stderr: () => stderr };
}

/** Resolves once `test()` is false, checking every 100 ms for at most `ms`. */
async function until(test: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (!test()) return true;
  return !test();
}

describe('signals through npm run', () => {
  const tmp = useTempDir('signals-');

  it('SIGTERM to the npm process of `npm run demo-target` stops the server: no process of it is left', async () => {
    const run = npmRun('demo-target', ['--port', '0']);
    try {
      await run.waitFor(/on (http:\/\/127\.0\.0\.1:\d+)/);
      const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stdout())![1]!;
      expect((await fetch(`${url}/`)).status).toBe(200);
      process.kill(run.child.pid!, 'SIGTERM');
      expect(await run.exited, run.stderr()).toBe(0);
      expect(await until(run.groupAlive, 10_000)).toBe(true);
      await expect(fetch(`${url}/`)).rejects.toThrow();
      expect(run.stdout()).toMatch(/^stopped: \d+ requests/m);
    } finally {
      if (run.groupAlive()) process.kill(-run.child.pid!, 'SIGKILL');
    }
  }, 60_000);

  it('one SIGINT to the whole process group without a terminal is one clean stop, not a kill', async () => {
    const results = join(tmp(), 'results');
    const run = npmRun('stages', [
      '--demo',
      '--users',
      '2,4',
      '--duration',
      '30s',
      '--spawn-rate',
      '10',
      '--results',
      results,
      ...SHORT_THINK.flatMap((e) => ['--env', e]),
    ]);
    try {
      await run.waitFor(/^stage 1\/2 · 2 users · .* · hold · /m);
      process.kill(-run.child.pid!, 'SIGINT');
      expect(await run.exited, run.stdout() + run.stderr()).toBe(ExitCode.interrupted);
      expect(run.stderr()).toContain('interrupt: stopping the current stage cleanly');
      expect(run.stderr()).not.toContain('killing at once');
      const [stored, ...more] = await listRuns(results);
      expect(more).toEqual([]);
      const manifest = stored!.manifest!;
      expect([manifest.status, manifest.environment, manifest.stages.map((s) => s.status)]).toEqual([
        'interrupted',
        'demo',
        ['interrupted', 'skipped'],
      ]);
    } finally {
      if (run.groupAlive()) process.kill(-run.child.pid!, 'SIGKILL');
    }
  }, 90_000);
});

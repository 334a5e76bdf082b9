import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../test/testkit/temp-dir.ts';
import type { Io } from '../io.ts';
import { runStagesCommand } from './stages.ts';

/** `--open-stage` at the command: checked before anything else happens. */
describe('npm run stages -- --open-stage', () => {
  const dir = useTempDir('stages-open-');
  const io = () => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (c) => (text += c));
    const value: Io = {
      cwd: dir(),
      env: {},
      stdout,
      stderr: new PassThrough(),
      now: () => Date.now(),
      signal: new AbortController().signal,
    };
    return { io: value, text: () => text };
  };

  it.each([['0'], ['-2'], ['fast'], ['']])('refuses --open-stage %j in one line, before any load or folder', async (factor) => {
    const results = join(dir(), 'results');
    await expect(
      runStagesCommand({ host: 'http://127.0.0.1:9', users: '2,4', duration: '3s', results, 'open-stage': factor }, io().io),
    ).rejects.toThrow(/^--open-stage: expected a factor above 0 of the target stage's iteration rate, e\.g\. 1 or 1\.5, got "/);
    expect(existsSync(results)).toBe(false);
  });

  it('shows the open stage in the dry-run plan', async () => {
    const { io: theIo, text } = io();
    const r = await runStagesCommand(
      { host: 'http://127.0.0.1:9', users: '2,4', duration: '3s', 'target-stage': 2, 'open-stage': '1.5', 'dry-run': true },
      theIo,
    );
    expect(r.exitCode).toBe(0);
    expect(text()).toContain('open model: 1.5 × the iteration rate of 2 users, hold 3s');
  });
});

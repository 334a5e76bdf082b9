import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../formats/errors.ts';
import { startLoopbackServer } from '../testkit/loopback.ts';
import { useTempDir } from '../testkit/temp-dir.ts';
import { spawnStages } from '../testkit/e2e.ts';

describe('preflight (the real CLI)', () => {
  const tmp = useTempDir('preflight-');

  it('a host that refuses connections: one line, its own exit code, no run folder, the credentials never printed', async () => {
    // A port that was just free: nothing listens there any more.
    const closed = await startLoopbackServer(() => {});
    await closed.close();
    const results = join(tmp(), 'results');
    const run = spawnStages([
      '--host',
      `http://alice:s3cret@127.0.0.1:${closed.port}`,
      '--users',
      '1',
      '--duration',
      '1s',
      '--results',
      results,
    ]);
    expect(await run.exited).toBe(ExitCode.unreachable);
    expect(run.stderr()).toBe(
      `error: cannot reach http://127.0.0.1:${closed.port}: connection refused — no load sent, no run recorded; check --host (--no-preflight to run anyway)\n`,
    );
    expect(run.stdout() + run.stderr()).not.toContain('s3cret');
    expect(existsSync(join(results, 'runs'))).toBe(false);
  }, 60_000);
});

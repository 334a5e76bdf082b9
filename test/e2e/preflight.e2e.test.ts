import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../formats/errors.ts';
import { startLoopbackServer } from '../testkit/loopback.ts';
import { useTempDir } from '../testkit/temp-dir.ts';
import { spawnStages } from '../testkit/e2e.ts';
import { runCli } from '../testkit/cli-in-process.ts';
import { DEMO_PRESETS, startDemoTarget } from '../../runner/demo-target/server.ts';

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

  it('--environment all with one host down: said in one line naming it, the other environment still runs, the exit code is the failure’s', async () => {
    const closed = await startLoopbackServer(() => {});
    await closed.close();
    const up = await startDemoTarget(DEMO_PRESETS.healthy);
    try {
      const config = join(tmp(), 'envs.config.json');
      await writeFile(
        config,
        JSON.stringify({
          environments: [
            { name: 'down', host: `http://\${DOWN_USER}:\${DOWN_PW}@127.0.0.1:${closed.port}` },
            { name: 'up', host: up.url },
          ],
        }),
      );
      const results = join(tmp(), 'envs-results');
      const args = [
        '--config',
        config,
        '--environment',
        'all',
        '--users',
        '1',
        '--duration',
        '1s',
        '--engine',
        'embedded',
        '--results',
        results,
      ];
      const cli = await runCli(['stages', ...args, '--env', 'THINK_MIN=0.05', '--env', 'THINK_MAX=0.1'], {
        DOWN_USER: 'u',
        DOWN_PW: 's3cret',
      });
      expect(cli.code, cli.stderr).toBe(ExitCode.unreachable);
      expect(cli.stderr).toBe(
        `error: down: cannot reach http://127.0.0.1:${closed.port}: connection refused — no load sent, no run recorded; check environments.down.host (--no-preflight to run anyway)\n`,
      );
      expect(cli.stdout + cli.stderr).not.toContain('s3cret');
      const runs = await readdir(join(results, 'runs'));
      expect(runs).toHaveLength(1);
      expect(JSON.parse(await readFile(join(results, 'runs', runs[0]!, 'run.json'), 'utf8'))).toMatchObject({
        environment: 'up',
        host: up.url,
        status: 'completed',
      });
      expect(up.stats().received).toBeGreaterThan(0);
    } finally {
      await up.close();
    }
  }, 120_000);
});

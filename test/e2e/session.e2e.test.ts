import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { command as demoCommand } from '../../runner/commands/demo.ts';
import { runStagesCommand } from '../../runner/commands/stages.ts';
import { startDemoTarget } from '../../runner/demo-target/server.ts';
import { useTempDir } from '../testkit/temp-dir.ts';
import { SHORT_THINK, capturedIo, decideJson } from '../testkit/e2e.ts';

/**
 * WebSocket sessions end to end (issue 16): the session scenario on the embedded engine against
 * the demo target's /session, scored on the action's Trend (ws_action_duration{name:rerun}).
 * The commands and the engine run in this process: the real CLI's demo → decide → report path is
 * test/e2e/demo-path.e2e.test.ts.
 */
vi.mock(import('../../runner/engines/index.ts'), async (original) =>
  (await import('../testkit/in-process-engine.ts')).withInProcessEngine(await original()),
);
const KEY = { name: 'rerun', metric: 'ws_action_duration' };
const LABEL = 'ws_action_duration{name:rerun}';

// One test after the other: the engine runs in this process, where one run's statistics would stall the other's engine.
describe('the session scenario, scored like any key transaction', () => {
  // One folder for both, each in its own subfolder.
  const tmp = useTempDir('session-e2e-', 'all');

  it('three demo runs of `session` → a decision and a report on ws_action_duration{name:rerun}', async () => {
    const results = join(tmp(), 'demo-session');
    await mkdir(results, { recursive: true });
    const config = join(results, 'capacity.config.json');
    // Tiny stages, so that three runs take seconds; the demo keeps a config it finds.
    await writeFile(
      config,
      JSON.stringify({ environment: 'demo', stages: [3], duration: '2s', spawnRate: 20, targetStage: 3, keyTransaction: KEY }),
    );
    const demo = capturedIo();
    expect(await demoCommand.run({ scenario: 'session', runs: 3, results }, demo.io), demo.stdout() + demo.stderr()).toBe(0);
    expect(demo.stdout()).toContain('users of the session scenario');

    const decision = await decideJson(results, config);
    expect(decision.keyTransaction).toBe(LABEL);
    expect(decision.runs).toHaveLength(3);
    expect(decision.excluded).toEqual([]);
    // Each run's p95 was read on the actions (the demo answers an action in ~70 ms of work).
    for (const r of decision.criteria.p95!.runs) expect(r.figure, r.rule).toBeGreaterThan(0);

    const reports = (await readdir(join(results, 'reports'))).filter((f) => f.endsWith('.md'));
    expect(reports).toHaveLength(1);
    const report = await readFile(join(results, 'reports', reports[0]!), 'utf8');
    expect(report).toContain(`key transaction \`${LABEL}\``);
    // The grid's criterion, whatever the verdict: with 2 s holds of ~2.5 s sessions, whether a stage
    // held (and so the headline's words) follows where the sessions' actions fell in the windows.
    expect(report).toContain(`p95 of ${LABEL} at 3 users`);
  }, 180_000);

  it('a WebSocket target that stops answering mid-hold → the target stage is not held (red), failed sessions in the error rate', async () => {
    const results = join(tmp(), 'stall');
    await mkdir(results, { recursive: true });
    const config = join(results, 'capacity.config.json');
    await writeFile(
      config,
      JSON.stringify({
        environment: 'stall',
        stages: [4],
        duration: '8s',
        spawnRate: 20,
        targetStage: 4,
        runsToCompare: 1,
        keyTransaction: KEY,
      }),
    );
    // Ample capacity; from 3 s after its first session /session takes actions and never answers them.
    const target = await startDemoTarget({ workers: 16, actionMs: 5, spread: 0.2, queueLength: 200, stallAfterMs: 3000 });
    const cap = capturedIo();
    try {
      const run = await runStagesCommand(
        { host: target.url, results, config, scenario: 'session', engine: 'embedded', env: [...SHORT_THINK, 'ANSWER_TIMEOUT=1'] },
        cap.io,
      );
      expect(
        run.manifest?.stages.map((s) => s.status),
        cap.stdout() + cap.stderr(),
      ).toEqual(['completed']);
      expect(target.stats().stalled).toBeGreaterThan(0);
    } finally {
      await target.close();
    }
    const decision = await decideJson(results, config);
    const evidence = Object.entries(decision.criteria)
      .flatMap(([c, r]) => r.runs.map((x) => `${c}: ${x.level}: ${x.rule}`))
      .join('\n');
    expect(decision.criteria.held?.level, evidence).toBe('red');
    expect(decision.criteria.errorRate?.level, evidence).toBe('red');
    expect(decision.decision, evidence).toBe('no-go');
  }, 180_000);
});

import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DecisionSchema } from '../../formats/decision.ts';
import { useTempDir } from '../testkit/temp-dir.ts';
import { spawnCli } from '../testkit/e2e.ts';

/**
 * The newcomer's path, as the README gives it: `npm run demo`, then `npm run decide` and
 * `npm run report` with no flags, from the same folder (npm's INIT_CWD). The demo's own config is
 * written beforehand with tiny stages (the demo keeps a config it finds), so the path takes seconds.
 */
describe('demo → decide → report, no flags (the real CLI)', () => {
  const tmp = useTempDir('demo-path-');

  it("decide and report read the demo's folder, environment and config", async () => {
    const cwd = tmp();
    const demoDir = join(cwd, 'results', 'demo');
    await mkdir(demoDir, { recursive: true });
    await writeFile(
      join(demoDir, 'capacity.config.json'),
      JSON.stringify({ environment: 'demo', stages: [4], duration: '2s', spawnRate: 20, targetStage: 4 }),
    );
    const env = { ...process.env, INIT_CWD: cwd };
    const cli = (command: string, args: string[] = []) => spawnCli(command, args, env);

    const demo = cli('demo', ['--runs', '1']);
    expect(await demo.exited, demo.stdout() + demo.stderr()).toBe(0);

    const decide = cli('decide', ['--json']);
    expect(await decide.exited, decide.stderr()).toBe(0);
    const decision = DecisionSchema.parse(JSON.parse(decide.stdout()));
    expect([decision.environment, decision.targetStage, decision.runs.length]).toEqual(['demo', 4, 1]);
    expect(decide.stderr()).toContain("no run in results/; reading the demo's results/demo/");
    expect(decide.stderr()).toContain("config: results/demo/capacity.config.json (the results folder's own");

    const report = cli('report', ['--force']);
    expect(await report.exited, report.stderr()).toBe(0);
    const reports = (await readdir(join(demoDir, 'reports'))).filter((f) => f.endsWith('.md'));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/^demo-\d{4}-W\d\d\.md$/);
    expect(await readFile(join(demoDir, 'reports', reports[0]!), 'utf8')).not.toContain('staging');
  }, 120_000);
});

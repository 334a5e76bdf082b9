import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { defineCommand } from './command.ts';
import { ExitCode } from '../../formats/errors.ts';
import type { Io } from '../io.ts';
import { estimateKnee, startDemoTarget, type DemoTarget } from '../demo-target/server.ts';
import { estimateSessionKnee } from '../demo-target/model.ts';
import { ACTION_METRIC } from '../../formats/session-metrics.ts';
import { CONFIG_FILE_NAME } from '../../formats/config.ts';
import { runStagesCommand } from './stages.ts';
import { runReport } from './report.ts';
import { DEMO_ENVIRONMENT, DEMO_RESULTS } from '../results-store.ts';

/** The demo's plan: the default stage list, held a few seconds each, ramped fast. */
export const DEMO_CONFIG = {
  environment: DEMO_ENVIRONMENT,
  stages: [5, 20, 50, 75, 100, 150],
  duration: '5s',
  spawnRate: 50,
  targetStage: 100,
};

/** The demo target's port, fixed so that demo runs of different days are comparable (same host). */
export const DEMO_PORT = 18181;

/**
 * Short think times so that 5 s holds see a steady state (an iteration lasts ~1.4 s, not ~6 s,
 * and k6's graceful stop waits for at most one), with a demo target scaled to match: 18 workers
 * instead of 4 keep the knee near 118 users (estimateKnee), as the default target has it for
 * the default think time.
 */
export const DEMO_THINK = { min: 0.2, max: 0.6 };
export const DEMO_WORKERS = 18;

/** The built-in scenarios the demo target serves; `session` holds a WebSocket session per visit. */
export const DEMO_SCENARIOS = ['search', 'session'] as const;
type DemoScenario = (typeof DEMO_SCENARIOS)[number];

/**
 * The session scenario's demo: its own folder (a decision compares runs of one scenario) and its
 * key transaction, the WebSocket action's Trend (5 actions per visit, the scenario's default).
 */
const SESSION_DEMO = { resultsSuffix: '-session', keyTransaction: { name: 'rerun', metric: ACTION_METRIC }, actions: 5 } as const;

interface DemoArgs {
  results?: string;
  runs?: number;
  scenario?: DemoScenario;
}

export const command = defineCommand<DemoArgs>({
  name: 'demo',
  describe: 'three short runs of the default scenario against the embedded demo target, then the weekly report (~3 min)',
  builder: (y) =>
    y
      .usage(
        'npm run demo -- [--results results/demo] [--runs 3]\n\nStarts the demo target on 127.0.0.1, runs `stages` three times with 5 s holds,\nthen renders the weekly report over them and prints its path.',
      )
      .option('results', { type: 'string', describe: 'results folder of the demo, e.g. results/demo (default results/demo)' })
      .option('runs', { type: 'number', describe: 'how many runs before the report (default 3, the runs a decision rests on)' })
      .option('scenario', {
        type: 'string',
        choices: DEMO_SCENARIOS,
        describe: 'search (HTTP pages, default) or session (a WebSocket session per visit; results/demo-session by default)',
      })
      .example('npm run demo', 'three runs and the report, in results/demo/')
      .example('npm run demo -- --scenario session', 'the same with WebSocket sessions, keyed on ws_action_duration{name:rerun}'),
  run: (args, io) => runDemo(args, io),
});

async function runDemo(args: DemoArgs, io: Io): Promise<number> {
  const scenario: DemoScenario = args.scenario ?? 'search';
  const session = scenario === 'session';
  const results = resolve(io.cwd, args.results ?? (session ? `${DEMO_RESULTS}${SESSION_DEMO.resultsSuffix}` : DEMO_RESULTS));
  const configPath = join(results, CONFIG_FILE_NAME);
  const config = session ? { ...DEMO_CONFIG, keyTransaction: SESSION_DEMO.keyTransaction } : DEMO_CONFIG;
  // The demo's own config, written once and then left as the user edits it.
  await mkdir(results, { recursive: true });
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`, { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  const target: DemoTarget = await startDemoTarget({ port: DEMO_PORT, workers: DEMO_WORKERS }).catch(() =>
    startDemoTarget({ port: 0, workers: DEMO_WORKERS }),
  );
  const thinkS = (DEMO_THINK.min + DEMO_THINK.max) / 2;
  const knee = Math.round(
    session
      ? estimateSessionKnee(target.options, { actions: SESSION_DEMO.actions, thinkS })
      : estimateKnee(target.options, { requestsPerIteration: 3, thinkS: 3 * thinkS }),
  );
  const runs = args.runs ?? 3;
  try {
    io.stdout.write(`demo target: ${target.url} (${DEMO_WORKERS} workers: its knee is near ${knee} users of the ${scenario} scenario)\n`);
    for (let i = 1; i <= runs; i += 1) {
      io.stdout.write(`\n=== demo run ${i} of ${runs}\n`);
      const result = await runStagesCommand(
        { host: target.url, results, config: configPath, scenario, env: [`THINK_MIN=${DEMO_THINK.min}`, `THINK_MAX=${DEMO_THINK.max}`] },
        io,
      );
      if (result.exitCode !== ExitCode.ok) {
        io.stderr.write(`demo: run ${i} ended with exit code ${result.exitCode}; no report\n`);
        return result.exitCode;
      }
    }
  } finally {
    await target.close();
  }
  io.stdout.write('\n=== weekly report\n');
  return runReport({ results, config: configPath, force: true }, io);
}

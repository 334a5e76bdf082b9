import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { defineCommand } from './command.ts';
import { type DemoArgs, type DemoScenario, flags } from './flags/demo.ts';
import { ExitCode } from '../../formats/errors.ts';
import type { Io } from '../io.ts';
import { estimateKnee, startDemoTarget, type DemoTarget } from '../demo-target/server.ts';
import { estimateSessionKnee } from '../demo-target/model.ts';
import { ACTION_METRIC } from '../../formats/session-metrics.ts';
import { CONFIG_FILE_NAME } from '../../formats/config.ts';
import { runStagesCommand } from './stages.ts';
import { runCompare } from './compare.ts';
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

/**
 * The session scenario's demo: its own folder (a decision compares runs of one scenario) and its
 * key transaction, the WebSocket action's Trend (5 actions per visit, the scenario's default).
 */
const SESSION_DEMO = { resultsSuffix: '-session', keyTransaction: { name: 'rerun', metric: ACTION_METRIC }, actions: 5 } as const;

/**
 * `--compare`: the migration rehearsal on two demo targets. The current host is small (3 workers,
 * a short queue: its knee near 20 users of the search scenario, so it fails the target of 100),
 * the candidate has the demo's 18 workers (knee near 118 users). Fixed ports, as for the plain demo.
 */
export const COMPARE_TARGETS = {
  current: { port: DEMO_PORT + 1, workers: 3, queueLength: 6 },
  candidate: { port: DEMO_PORT + 2, workers: DEMO_WORKERS },
} as const;
type CompareSide = keyof typeof COMPARE_TARGETS;
const COMPARE_SIDES = Object.keys(COMPARE_TARGETS) as CompareSide[];

/** The variables the compare demo's config names its hosts by (formats/environments.ts `${VAR}`), set by the demo. */
export const COMPARE_HOST_VARIABLES: Readonly<Record<CompareSide, string>> = {
  current: 'DEMO_CURRENT_HOST',
  candidate: 'DEMO_CANDIDATE_HOST',
};

export const command = defineCommand<DemoArgs>({
  ...flags,
  run: (args, io) => (args.compare ? runDemoCompare(args, io) : runDemo(args, io)),
});

/** The demo's folder and its own config, written once and then left as the user edits it. */
async function demoFolder(
  args: DemoArgs,
  io: Io,
  suffix: string,
  extra: object = {},
): Promise<{ scenario: DemoScenario; results: string; configPath: string }> {
  const scenario: DemoScenario = args.scenario ?? 'search';
  const session = scenario === 'session';
  const results = resolve(io.cwd, args.results ?? `${DEMO_RESULTS}${suffix}${session ? SESSION_DEMO.resultsSuffix : ''}`);
  const configPath = join(results, CONFIG_FILE_NAME);
  const config = { ...DEMO_CONFIG, ...(session ? { keyTransaction: SESSION_DEMO.keyTransaction } : {}), ...extra };
  await mkdir(results, { recursive: true });
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`, { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  return { scenario, results, configPath };
}

/** A demo target on its fixed port (runs of different days stay comparable), else on a free one. */
function startOnFixedPort(options: { port: number; workers: number; queueLength?: number }): Promise<DemoTarget> {
  return startDemoTarget(options).catch(() => startDemoTarget({ ...options, port: 0 }));
}

/** Users at which a demo target's workers are fully busy under the demo's think time. */
function kneeOf(target: DemoTarget, scenario: DemoScenario): number {
  const thinkS = (DEMO_THINK.min + DEMO_THINK.max) / 2;
  return Math.round(
    scenario === 'session'
      ? estimateSessionKnee(target.options, { actions: SESSION_DEMO.actions, thinkS })
      : estimateKnee(target.options, { requestsPerIteration: 3, thinkS: 3 * thinkS }),
  );
}

const DEMO_ENV = [`THINK_MIN=${DEMO_THINK.min}`, `THINK_MAX=${DEMO_THINK.max}`];

async function runDemo(args: DemoArgs, io: Io): Promise<number> {
  const { scenario, results, configPath } = await demoFolder(args, io, '');
  const target = await startOnFixedPort({ port: DEMO_PORT, workers: DEMO_WORKERS });
  const runs = args.runs ?? 3;
  try {
    io.stdout.write(
      `demo target: ${target.url} (${DEMO_WORKERS} workers: its knee is near ${kneeOf(target, scenario)} users of the ${scenario} scenario)\n`,
    );
    for (let i = 1; i <= runs; i += 1) {
      io.stdout.write(`\n=== demo run ${i} of ${runs}\n`);
      const result = await runStagesCommand({ host: target.url, results, config: configPath, scenario, env: DEMO_ENV }, io);
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

/**
 * `npm run demo -- --compare`: the same stages against both demo targets, the environments one
 * after another in each run (the order alternating from run to run, as the nightly job does),
 * then the migration verdict of `npm run compare`.
 */
async function runDemoCompare(args: DemoArgs, io: Io): Promise<number> {
  const environments = COMPARE_SIDES.map((name) => ({ name, host: `\${${COMPARE_HOST_VARIABLES[name]}}` }));
  const { scenario, results, configPath } = await demoFolder(args, io, '-compare', { environment: COMPARE_SIDES[0], environments });
  const targets: Partial<Record<CompareSide, DemoTarget>> = {};
  const runs = args.runs ?? 3;
  try {
    for (const side of COMPARE_SIDES) {
      const target = await startOnFixedPort(COMPARE_TARGETS[side]);
      targets[side] = target;
      const knee = kneeOf(target, scenario);
      io.stdout.write(
        `${side}: ${target.url} (${target.options.workers} workers: its knee is near ${knee} users of the ${scenario} scenario)\n`,
      );
    }
    // The config names the hosts by variable: the ports are only known now.
    const env = { ...io.env, ...Object.fromEntries(COMPARE_SIDES.map((side) => [COMPARE_HOST_VARIABLES[side], targets[side]!.url])) };
    for (let i = 1; i <= runs; i += 1) {
      const order = i % 2 === 1 ? COMPARE_SIDES : [...COMPARE_SIDES].reverse();
      io.stdout.write(`\n=== demo run ${i} of ${runs}: ${order.join(', then ')}\n`);
      const result = await runStagesCommand({ environment: order, results, config: configPath, scenario, env: DEMO_ENV }, { ...io, env });
      if (result.exitCode !== ExitCode.ok) {
        io.stderr.write(`demo: run ${i} ended with exit code ${result.exitCode}; no verdict\n`);
        return result.exitCode;
      }
    }
  } finally {
    for (const target of Object.values(targets)) await target.close();
  }
  io.stdout.write('\n=== migration verdict\n');
  const code = await runCompare({ results, config: configPath, environment: [...COMPARE_SIDES], json: false }, io);
  io.stdout.write(`\nthe weekly report with both side by side: npm run report -- --results ${results} --environment ${COMPARE_SIDES[0]}\n`);
  return code;
}

import type { Argv } from 'yargs';
import { ExitCode } from '../../../formats/errors.ts';
import { ENGINE_CHOICES } from '../../engines/index.ts';
import { SUPPORTED_K6 } from '../../engines/k6-version.ts';
import { DEFAULT_RESULTS, DEMO_ENVIRONMENT, DEMO_RESULTS } from '../../results-store.ts';
import { MAX_VUS_MARGIN, OPEN_STAGE_VU_CAP, PRE_ALLOCATED_MARGIN } from '../../stages/plan.ts';
import { PREFLIGHT_TIMEOUT_MS } from '../../stages/preflight.ts';
import { defineFlags } from '../command.ts';

/** What is run, where and how hard: the target, its stages, the scenario and the engine. */
const targetOptions = <T>(y: Argv<T>) =>
  y
    .option('host', {
      type: 'string',
      nargs: 1,
      describe: 'base URL of the service under load (credentials allowed, never recorded), e.g. https://app.example.com',
    })
    .option('environment', {
      type: 'string',
      array: true,
      describe:
        'an environment of the config\'s "environments" list (its host, its headers), recorded with the run; repeat it or say "all" to run ' +
        'several one after another, e.g. --environment candidate',
    })
    .option('users', { type: 'string', nargs: 1, describe: 'increasing user levels, e.g. 5,20,50,75,100,150 (default from config)' })
    .option('duration', { type: 'string', nargs: 1, describe: 'hold per stage in k6 syntax, e.g. 90s, 10m, 1h30m (default 10m)' })
    .option('spawn-rate', { type: 'string', nargs: 1, describe: 'users started per second during each ramp, e.g. 5 (default 5)' })
    .option('target-stage', {
      type: 'string',
      nargs: 1,
      describe: 'the user level the service must hold, one of --users, e.g. 100 (default 100)',
    })
    .option('scenario', {
      type: 'string',
      nargs: 1,
      describe: 'a scenario name under scenarios/ or the path of your own k6 script (.ts/.js), e.g. search',
    })
    .option('engine', {
      choices: ENGINE_CHOICES,
      describe: `auto: real k6 (${SUPPORTED_K6}) when K6_BIN or PATH has it, else the embedded engine (default auto)`,
    });

/** Where the run is recorded and how it behaves: results, config, demo, stopping, the open stage, checks. */
const runOptions = <T>(y: Argv<T>) =>
  y
    .option('results', {
      type: 'string',
      nargs: 1,
      describe: `results folder, e.g. results (default ${DEFAULT_RESULTS}; with --demo ${DEMO_RESULTS})`,
    })
    .option('config', {
      type: 'string',
      nargs: 1,
      describe: 'config file, e.g. capacity.config.json; its "environment" is recorded with the run',
    })
    .option('label', {
      type: 'string',
      nargs: 1,
      describe: 'a note recorded with the run, e.g. "after deploy 1.4" (the environment comes from the config)',
    })
    .option('demo', {
      type: 'boolean',
      describe: `start the embedded demo target on a free loopback port and use it as --host; the run is of environment "${DEMO_ENVIRONMENT}", in ${DEMO_RESULTS} by default`,
    })
    .option('demo-preset', {
      type: 'string',
      nargs: 1,
      describe: 'with --demo: healthy, saturating, flaky, degrading or down (default: the default demo target)',
    })
    .option('stop-on-failure', { type: 'boolean', describe: 'skip the remaining stages once the target fails at one' })
    .option('env', { type: 'string', array: true, describe: 'extra K=V for the script, as k6 -e, e.g. --env THINK_MAX=2' })
    .option('open-stage', {
      type: 'string',
      nargs: 1,
      describe:
        'after the stages, one open-model stage: constant-arrival-rate at this factor (above 0, at most 100) × the iteration rate measured at ' +
        'the target stage, held --duration, e.g. 1.5. It shows what the closed model hides (coordinated omission: VUs wait for ' +
        `a slow answer, so the load slows with the service): its p95 and dropped iterations are reported beside the target stage's, not scored. ` +
        `VUs from Little's law: rate × the target stage's mean iteration time, ×${PRE_ALLOCATED_MARGIN} pre-allocated, up to ×${MAX_VUS_MARGIN} (at most ${OPEN_STAGE_VU_CAP}). ` +
        'The stage runs without --stage: the script must build its options from env EXECUTOR=constant-arrival-rate, RATE, TIME_UNIT, ' +
        'PRE_ALLOCATED_VUS, MAX_VUS, HOLD (the scenarios do, via scenarios/lib/config.ts buildOptions); for a script that does not, ' +
        'the stage is skipped and run.json says why. Also skipped when the target stage failed or measured no iteration rate',
    })
    .option('dry-run', { type: 'boolean', describe: 'print the stage plan and exit without sending load' })
    .option('preflight', {
      type: 'boolean',
      default: true,
      describe:
        `before the first stage, one request to the host (at most ${PREFLIGHT_TIMEOUT_MS / 1000} s): when it cannot be reached (DNS, refused, TLS) ` +
        `the command says why and exits ${ExitCode.unreachable} with no load sent and no run recorded; any answer, even a 5xx, passes. --no-preflight skips it`,
    });

const stagesExamples = <T>(y: Argv<T>) =>
  y
    .example('npm run stages -- --host https://staging.example.com', 'the full default plan against staging')
    .example('npm run stages -- --environment candidate', 'the config\'s candidate host (docs/config.md, "Environments")')
    .example('npm run stages -- --environment all', 'every environment of the config, one after another, same stages')
    .example('npm run stages -- --demo --users 2,4 --duration 5s --spawn-rate 10', 'a tiny run against the embedded demo target')
    .example('npm run stages -- --host http://127.0.0.1:8080 --scenario ./my-test.ts --engine embedded', 'your own k6 script')
    .example(
      'npm run stages -- --demo --users 3 --duration 5s --open-stage 1.5',
      'then an open-model stage at 1.5 × the iteration rate of 3 users',
    )
    .example(
      'npm run stages -- --demo --demo-preset saturating --users 5,20,50 --duration 10s --spawn-rate 10 --target-stage 20',
      'a demo target that saturates, target stage 20 users',
    )
    .example(
      'npm run stages -- --host https://staging.example.com --stop-on-failure --label staging --results results/staging',
      'stop once the target fails; label and folder of the run',
    )
    .example(
      'npm run stages -- --host https://staging.example.com --config ci.config.json --env THINK_MAX=2 --dry-run',
      'print the plan from another config, send no load',
    )
    .example(
      'npm run stages -- --host https://self-signed.internal --scenario ./insecure-tls.js --no-preflight',
      'skip the reachability check (e.g. a script that accepts any certificate)',
    );

/** `npm run stages`'s flags and help (the command itself: commands/stages.ts). */
export const flags = defineFlags({
  name: 'stages',
  describe: 'run a scenario through staged user levels, one stage after another, and record every sample',
  builder: (y) =>
    stagesExamples(
      runOptions(
        targetOptions(
          y.usage(
            'npm run stages -- --host <url> | --environment <name|all> [flags]\n\nRuns the scenario at each user level: ramp at --spawn-rate users/s, then hold for --duration.\nDefaults come from capacity.config.json (or --config), flags override it.',
          ),
        ),
      ),
    ),
});

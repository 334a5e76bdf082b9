import { defineFlags } from '../command.ts';

/** The built-in scenarios the demo target serves; `session` holds a WebSocket session per visit. */
export const DEMO_SCENARIOS = ['search', 'session'] as const;
export type DemoScenario = (typeof DEMO_SCENARIOS)[number];

/** The flags as parsed. */
export interface DemoArgs {
  results?: string;
  runs?: number;
  scenario?: DemoScenario;
  compare?: boolean;
}

/** `npm run demo`'s flags and help (the command itself: commands/demo.ts). */
export const flags = defineFlags<DemoArgs>({
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
      .option('compare', {
        type: 'boolean',
        describe:
          'the migration rehearsal: the same stages against a small "current" demo target and a "candidate" with more workers, ' +
          'then the migration verdict (results/demo-compare by default)',
      })
      .example('npm run demo', 'three runs and the report, in results/demo/')
      .example('npm run demo -- --compare', 'three runs of each environment, then the migration verdict')
      .example('npm run demo -- --scenario session', 'the same with WebSocket sessions, keyed on ws_action_duration{name:rerun}'),
});

import type { CommandDefinition } from './command.ts';

/**
 * The CLI's subcommands: name → what it does, and a loader of its module (only the command
 * being run is loaded, so `decide` does not pay for esbuild or undici).
 */
export const COMMANDS: Readonly<Record<string, { describe: string; load: () => Promise<{ command: CommandDefinition<never> }> }>> = {
  stages: { describe: 'run a scenario through staged user levels and record every sample', load: () => import('./stages.ts') },
  demo: { describe: 'three short demo runs against the embedded demo target, then the weekly report', load: () => import('./demo.ts') },
  'demo-target': { describe: 'start the embedded demo service on loopback', load: () => import('./demo-target.ts') },
  bundle: { describe: 'bundle the scenarios with esbuild into dist/scenarios/', load: () => import('./bundle.ts') },
  collect: { describe: 'statistics of a stage CSV, or recompute a whole run', load: () => import('./collect.ts') },
  decide: { describe: 'Go / Watch / No-Go over the last comparable runs', load: () => import('./decide.ts') },
  compare: { describe: 'two environments side by side: should we migrate to the candidate?', load: () => import('./compare.ts') },
  report: { describe: 'render the weekly capacity report (Markdown + SVG charts)', load: () => import('./report.ts') },
  notify: { describe: 'post the decision to a webhook when it changed', load: () => import('./notify.ts') },
};

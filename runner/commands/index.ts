import type { CommandDefinition, CommandFlags } from './command.ts';

/** A subcommand as the CLI sees it: loaders of its flags and of its module (which imports its flags too). */
interface CommandEntry {
  describe: string;
  flags: () => Promise<{ flags: CommandFlags }>;
  load: () => Promise<{ command: CommandDefinition<never> }>;
}

/**
 * The CLI's subcommands: name → what it does, and loaders of its flags and of its module. Only the
 * command being run is loaded (`decide` does not pay for esbuild or undici), and only once its
 * flags parsed (--help and bad flags load the flags alone).
 */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  stages: {
    describe: 'run a scenario through staged user levels and record every sample',
    flags: () => import('./flags/stages.ts'),
    load: () => import('./stages.ts'),
  },
  demo: {
    describe: 'three short demo runs against the embedded demo target, then the weekly report',
    flags: () => import('./flags/demo.ts'),
    load: () => import('./demo.ts'),
  },
  'demo-target': {
    describe: 'start the embedded demo service on loopback',
    flags: () => import('./flags/demo-target.ts'),
    load: () => import('./demo-target.ts'),
  },
  bundle: {
    describe: 'bundle the scenarios with esbuild into dist/scenarios/',
    flags: () => import('./flags/bundle.ts'),
    load: () => import('./bundle.ts'),
  },
  collect: {
    describe: 'statistics of a stage CSV, or recompute a whole run',
    flags: () => import('./flags/collect.ts'),
    load: () => import('./collect.ts'),
  },
  decide: {
    describe: 'Go / Watch / No-Go over the last comparable runs',
    flags: () => import('./flags/decide.ts'),
    load: () => import('./decide.ts'),
  },
  compare: {
    describe: 'two environments side by side: should we migrate to the candidate?',
    flags: () => import('./flags/compare.ts'),
    load: () => import('./compare.ts'),
  },
  report: {
    describe: 'render the weekly capacity report (Markdown + SVG charts)',
    flags: () => import('./flags/report.ts'),
    load: () => import('./report.ts'),
  },
  notify: {
    describe: 'post the decision to a webhook when it changed',
    flags: () => import('./flags/notify.ts'),
    load: () => import('./notify.ts'),
  },
};

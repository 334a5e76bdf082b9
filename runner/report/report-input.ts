import type { RunInput } from '../../decision/comparability.ts';
import type { DecisionActions } from '../../decision/words.ts';
import type { Decision } from '../../formats/decision.ts';
import type { IsoWeek } from './iso-week.ts';

/** What the weekly report is made from: the settings, the decision, the runs and earlier weeks. */

/** What the report needs of the capacity config (a structural subset of CapacityConfig). */
export interface ReportSettings {
  readonly environment: string;
  readonly criteria: {
    readonly p95Ms: { readonly green: number; readonly orange: number };
    readonly errorRatePct: { readonly green: number; readonly orange: number };
  };
  readonly targetStage: number;
  /** `metric` absent or http_req_duration: HTTP requests; else a custom Trend (formats/key-transaction.ts). */
  readonly keyTransaction: { readonly name: string; readonly metric?: string };
  readonly runsToCompare: number;
  /** The action for next week, per decision. */
  readonly actions: DecisionActions;
}

/** A run as the results store returns it: the decision's RunInput without its `problem`. */
export type ReportRun = Pick<RunInput, 'id' | 'manifest' | 'summary'>;

export interface WeekDecision {
  readonly week: IsoWeek;
  readonly decision: Decision;
}

/** One environment of the config's list: its decision at the end of the week over its own runs only. */
export interface EnvironmentSide {
  readonly environment: string;
  readonly decision: Decision;
  /** Its runs (those its decision names are looked up here). */
  readonly runs: readonly ReportRun[];
}

export interface ReportInput {
  readonly week: IsoWeek;
  readonly settings: ReportSettings;
  /** The decision at the end of `week`. */
  readonly decision: Decision;
  /** Every run known (looked up by id; runs not named by a decision are ignored). */
  readonly runs: readonly ReportRun[];
  /** Decisions at the end of earlier weeks that had runs, any order. */
  readonly previousWeeks: readonly WeekDecision[];
  /** Folder of the charts, relative to the Markdown file (e.g. `staging-2026-W47`). */
  readonly chartsDir: string;
  readonly generatedAtMs: number;
  /**
   * The config's environments, the current host first, each decided over its own runs: with two
   * or more, the report compares the current host with each candidate (migration rehearsal).
   */
  readonly environments?: readonly EnvironmentSide[];
}

import type { CsvTimeFormat } from '../../formats/k6/csv.ts';
import type { K6Stage } from '../../formats/k6/stage.ts';

/**
 * One stage for an engine: k6's `run` on a bundle, with the stage plan given as k6's own
 * `--stage` flag (so any k6 script follows it) and outputs given as k6's own flags.
 */
export interface StageRunSpec {
  /** The bundled ES module the engine runs. */
  readonly scriptPath: string;
  /** `-e K=V` for the script (HOST, USERS, RAMP_RATE, HOLD, …): visible in the process list, so no secrets. */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Secrets for the script (HOST_USERNAME, HOST_PASSWORD): given through the engine's process
   * environment, which k6 also exposes as `__ENV`, never on its command line.
   */
  readonly secretEnv?: Readonly<Record<string, string>>;
  /**
   * k6 `--stage` entries, in order. Empty: no `--stage` flag, so the script's own
   * `options.scenarios` apply (the open-model stage, whose arrival-rate plan `--stage` cannot express).
   */
  readonly stages: readonly K6Stage[];
  /** `--out csv=` targets; the first is the raw CSV kept in the results, others (a FIFO) feed live progress. */
  readonly csvOutputs: readonly string[];
  readonly summaryExportPath: string;
  /** The engine's stdout and stderr land here. */
  readonly logPath: string;
  readonly csvTimeFormat: CsvTimeFormat;
  /** Aborting sends SIGINT (k6 stops gracefully and writes its outputs); `kill` forces. */
  readonly signal: AbortSignal;
  readonly kill?: AbortSignal;
}

export interface StageRunOutcome {
  /** null when the process was killed by a signal. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when `spec.signal` was aborted before the engine exited. */
  readonly interrupted: boolean;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
}

/** A load engine able to run a k6 bundle. */
export interface Engine {
  readonly name: EngineName;
  /** e.g. `k6 v0.48.0 (go1.19.8, linux/amd64)`; throws a UserError when the engine cannot run here. */
  version(): Promise<string>;
  /** Resolves once the engine exited and its outputs are closed; rejects only when it could not be started. */
  runStage(spec: StageRunSpec): Promise<StageRunOutcome>;
}

export const ENGINE_NAMES = ['k6', 'embedded'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

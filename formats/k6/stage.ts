/** A k6 stage as scripts write it (`options.stages`, `--stage`): a k6 duration and the target to reach. */
export interface K6StageOption {
  readonly duration: string;
  readonly target: number;
}

/** A k6 stage once read: its duration in milliseconds. The one stage type of the runner and the engine. */
export interface K6Stage {
  readonly durationMs: number;
  readonly target: number;
}

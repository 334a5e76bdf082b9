/**
 * Whether and why the test stops: the one stop of a run (abort from the script, Ctrl-C, an
 * abortOnFail threshold, an output that cannot be written), and the waits that end with it.
 */
export type StopReason = 'abort' | 'sigint' | 'threshold' | 'output';

export class RunControl {
  private readonly waiters = new Set<() => void>();
  private readonly stopHooks: Array<() => void> = [];
  stopped = false;
  reason: StopReason | null = null;
  /** The script's words when it aborted the test (exec.test.abort(), abortOnFail in teardown…). */
  abortMessage = '';

  /** `fn` runs once when the test stops (VUs held and interrupted). */
  onStop(fn: () => void): void {
    this.stopHooks.push(fn);
  }

  stop(reason: StopReason): void {
    if (this.stopped) return;
    this.stopped = true;
    this.reason = reason;
    for (const fn of this.stopHooks) fn();
    for (const w of this.waiters) w();
  }

  /** The script aborted the test, with these words. */
  abort(message: string): void {
    this.abortMessage = message;
    this.stop('abort');
  }

  /** Resolves after `ms`, or at once when the test stops. */
  wait(ms: number): Promise<void> {
    return new Promise((res) => {
      if (this.stopped || ms <= 0) return res();
      const done = (): void => {
        clearTimeout(t);
        this.waiters.delete(done);
        res();
      };
      const t = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }
}

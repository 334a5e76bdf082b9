/**
 * Ctrl-C and SIGTERM for the long-running commands: the first stops cleanly (what was measured
 * is kept), a later one kills at once. One interrupt often arrives more than once: a signal sent
 * to the whole process group (a terminal's Ctrl-C, CI cancelling a job) reaches npm, tsx and
 * this process, and npm and tsx relay it again. Copies within `echoWindowMs` of the first are
 * that same interrupt, not a second one.
 */

/** How long after an interrupt its relayed copies may still arrive. */
export const ECHO_WINDOW_MS = 1000;

export type InterruptAction = 'stop' | 'kill' | 'echo';

/** Counts interrupts by time: `receive` says what one delivery means. */
export class InterruptCounter {
  private firstAtMs: number | null = null;

  constructor(
    private readonly now: () => number,
    private readonly echoWindowMs = ECHO_WINDOW_MS,
  ) {}

  receive(): InterruptAction {
    const t = this.now();
    if (this.firstAtMs === null) {
      this.firstAtMs = t;
      return 'stop';
    }
    return t - this.firstAtMs < this.echoWindowMs ? 'echo' : 'kill';
  }
}

/**
 * One wake-up for every VU's calls. A VU that calls marks its own state slot (protocol.ts SLOT)
 * and rings the bell only when the main thread sleeps; the main thread, once awake, takes every
 * call waiting and goes on taking them while there are some, between its I/O. Measured (bench/
 * README.md): an Atomics.waitAsync per VU call (a task and a promise on the main thread, a wake-up
 * from every VU) cost more of the main thread than the calls' own work at 150 VUs.
 */
import { BELL } from './protocol.ts';

/** Atomics.waitAsync (Node ≥ 16; missing from the project's es2023 lib typings). */
interface AtomicsWaitAsync {
  waitAsync(
    a: Int32Array,
    index: number,
    value: number,
  ): { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
}

/** What the bell serves: a VU's pending call, taken when there is one. */
export interface Caller {
  /** Takes the VU's waiting call, if any; true when there was one. */
  takeCall(): boolean;
}

export class VuBell {
  /** The bell's word (BELL slots), shared with every VU's thread. */
  readonly buffer = new SharedArrayBuffer(4);
  private readonly word = new Int32Array(this.buffer);
  private readonly callers = new Set<Caller>();
  private scheduled = false;
  private waiting = false;
  private closed = false;

  add(c: Caller): void {
    this.callers.add(c);
    this.schedule();
  }

  remove(c: Caller): void {
    this.callers.delete(c);
  }

  /** Stops listening (the test is over): the pending wait is woken and not renewed. */
  close(): void {
    this.closed = true;
    Atomics.store(this.word, BELL.asleep, 0);
    Atomics.notify(this.word, BELL.asleep);
  }

  private take(): boolean {
    let any = false;
    for (const c of this.callers) if (c.takeCall()) any = true;
    return any;
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(this.tick);
  }

  private readonly tick = (): void => {
    this.scheduled = false;
    if (this.closed) return;
    // Calls came: look again after the I/O that is due (their requests' answers among it).
    if (this.take()) {
      this.schedule();
      return;
    }
    // Going to sleep: a VU calling from now on rings. One that called just before is seen by the
    // look below (both sides' atomics are sequentially consistent: one of them sees the other).
    Atomics.store(this.word, BELL.asleep, 1);
    if (this.take()) {
      Atomics.store(this.word, BELL.asleep, 0);
      this.schedule();
    } else this.sleep();
  };

  private sleep(): void {
    if (this.waiting) return;
    const w = (Atomics as unknown as AtomicsWaitAsync).waitAsync(this.word, BELL.asleep, 1);
    if (!w.async) {
      this.schedule();
      return;
    }
    this.waiting = true;
    void w.value.then(() => {
      this.waiting = false;
      this.schedule();
    });
  }
}

/**
 * SharedArrays, once for the process: the VU that first asks for a name builds it; VUs get the
 * same SharedArrayBuffers. While it builds, the name holds a promise: others asking for it wait
 * (the function runs once), and try in turn if it threw.
 */
import type { SharedData } from './protocol.ts';
import type { Vu } from './vu.ts';

export class SharedArrays {
  private readonly arrays = new Map<string, SharedData | Promise<void>>();
  private readonly built = new Map<string, () => void>();

  /** Hands the array to `vu` (true), or makes `vu` its builder (false). */
  async get(vu: Vu, name: string): Promise<boolean> {
    let got = this.arrays.get(name);
    while (got instanceof Promise) {
      await got;
      got = this.arrays.get(name);
    }
    if (got) {
      vu.postShared(got);
      return true;
    }
    this.arrays.set(name, new Promise<void>((res) => this.built.set(name, res)));
    return false;
  }

  /** The builder's outcome: its data (`ok`), or a failure that lets the next VU try. */
  put(vu: Vu, name: string, ok: boolean): void {
    const data = ok ? vu.takeShared() : null;
    const cur = this.arrays.get(name);
    if (data && (cur === undefined || cur instanceof Promise)) this.arrays.set(name, data);
    else if (!data && cur instanceof Promise) this.arrays.delete(name);
    this.built.get(name)?.();
    this.built.delete(name);
  }
}

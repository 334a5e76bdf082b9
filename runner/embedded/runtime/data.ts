import { call, vu } from './state.ts';

/**
 * k6's SharedArray: the callback runs once per test (the first VU to ask), its JSON is kept by
 * the main thread and every other VU gets that copy. Read-only, as in k6.
 */
export class SharedArray {
  constructor(name: string, fn: () => unknown[]) {
    if (vu.stage !== 'init') throw new Error('new SharedArray must be called in the init context');
    if (typeof name !== 'string' || !name) throw new Error('SharedArray needs a non-empty name');
    if (typeof fn !== 'function') throw new Error('SharedArray needs a function returning an array');
    const got = call({ op: 'shared-get', name });
    let arr: unknown[];
    if (got.op === 'shared' && got.json !== null) {
      arr = JSON.parse(got.json) as unknown[];
    } else {
      const made = fn();
      if (!Array.isArray(made)) throw new Error(`SharedArray "${name}": the function must return an array`);
      const json = JSON.stringify(made);
      call({ op: 'shared-put', name, json });
      arr = JSON.parse(json) as unknown[];
    }
    const freeze = (v: unknown): void => {
      if (v && typeof v === 'object') {
        Object.freeze(v);
        for (const x of Object.values(v)) freeze(x);
      }
    };
    freeze(arr);
    return arr as unknown as SharedArray;
  }
}

export default { SharedArray };

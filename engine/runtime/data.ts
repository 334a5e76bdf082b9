import { host } from './host.ts';
import { call, vu } from './state.ts';

const freeze = (v: unknown): void => {
  if (v && typeof v === 'object') {
    Object.freeze(v);
    for (const x of Object.values(v)) freeze(x);
  }
};

/** A canonical array index ("0", "17", not "01" or "-1") as a number, else -1. */
function indexOf(p: string | symbol): number {
  if (typeof p !== 'string' || p === '') return -1;
  const n = Number(p);
  return Number.isInteger(n) && n >= 0 && String(n) === p ? n : -1;
}

const immutable = (): never => {
  throw new TypeError('SharedArray is immutable');
};

/**
 * k6's SharedArray: the function runs once for the whole test (the first VU to get there; the
 * others wait for it), its elements' JSON is kept once for the process in shared memory
 * (main thread), and each VU sees an array-like view: `length`, `arr[i]` (a fresh, frozen copy
 * parsed at each access, as k6), iteration and the non-mutating Array methods. Writes throw.
 */
export class SharedArray {
  constructor(name: string, fn: () => unknown[]) {
    if (vu.stage !== 'init') throw new Error('new SharedArray must be called in the init context');
    if (typeof name !== 'string' || !name) throw new Error('SharedArray needs a non-empty name');
    if (typeof fn !== 'function') throw new Error('SharedArray needs a function returning an array');
    const got = call({ op: 'shared-get', name });
    let handle: number;
    if (got.op === 'shared' && got.found) handle = host.sharedTake();
    else {
      let items: string[];
      try {
        const made: unknown = fn();
        if (!Array.isArray(made)) throw new Error(`SharedArray "${name}": the function must return an array`);
        // JSON has no undefined (nor functions): such an element reads back as null, as in k6.
        items = Array.from(made, (x) => JSON.stringify(x) ?? 'null');
      } catch (e) {
        call({ op: 'shared-fail', name });
        throw e;
      }
      handle = host.sharedPost(items);
      // Straight through the host, no pending samples attached: this call must stay small so it
      // goes through shared memory and the buffers posted just before are the next port message.
      host.callJson(JSON.stringify({ op: 'shared-put', name }));
    }
    const length = host.sharedLength(handle);
    const item = (i: number): unknown => {
      const v: unknown = JSON.parse(host.sharedItem(handle, i));
      freeze(v);
      return v;
    };
    // An empty array of this context's realm as the target: Array.isArray is true and the
    // Array.prototype methods (map, filter, slice, includes, iterators…) read through the traps.
    const target: unknown[] = [];
    const proxy = new Proxy(target, {
      get(t, p, r) {
        if (p === 'length') return length;
        const i = indexOf(p);
        if (i >= 0) return i < length ? item(i) : undefined;
        return Reflect.get(t, p, r) as unknown;
      },
      has(t, p) {
        const i = indexOf(p);
        return i >= 0 ? i < length : Reflect.has(t, p);
      },
      ownKeys(t) {
        const keys: (string | symbol)[] = [];
        for (let i = 0; i < length; i++) keys.push(String(i));
        return keys.concat(Reflect.ownKeys(t));
      },
      getOwnPropertyDescriptor(t, p) {
        const i = indexOf(p);
        if (i >= 0) return i < length ? { value: item(i), writable: false, enumerable: true, configurable: true } : undefined;
        if (p === 'length') return { value: length, writable: true, enumerable: false, configurable: false };
        return Reflect.getOwnPropertyDescriptor(t, p);
      },
      set: immutable,
      defineProperty: immutable,
      deleteProperty: immutable,
      setPrototypeOf: immutable,
      preventExtensions: immutable,
    });
    // biome-ignore lint/correctness/noConstructorReturn: k6's SharedArray is a read-only view; the proxy is what a script must get
    return proxy as unknown as SharedArray;
  }
}

export default { SharedArray };

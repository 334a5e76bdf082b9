import { host } from './host.ts';
import { Interrupt, baseTags, pushSample, vu } from './state.ts';

/** k6's check(): one `checks` sample per condition; true when all passed. */
export function check(val: unknown, sets: Record<string, unknown>, tags?: Record<string, string>): boolean {
  let all = true;
  for (const [name, cond] of Object.entries(sets ?? {})) {
    let ok: boolean;
    if (typeof cond === 'function') ok = Boolean((cond as (v: unknown) => unknown)(val));
    else ok = Boolean(cond);
    const t = baseTags();
    if (tags) for (const [k, v] of Object.entries(tags)) t[k] = String(v);
    t.check = name;
    pushSample('checks', ok ? 1 : 0, t);
    if (!ok) all = false;
  }
  return all;
}

/** k6's group(): runs fn under `::name`, then a `group_duration` sample. */
export function group<T>(name: string, fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError('group() expects a function as its second argument');
  if (fn.constructor && fn.constructor.name === 'AsyncFunction') {
    throw new Error(
      'group() does not support async functions as arguments, please see https://k6.io/docs/javascript-api/k6/group/#working-with-async-functions for more info',
    );
  }
  if (name.includes('::')) throw new Error("group and check names may not contain '::'");
  const parent = vu.group;
  vu.group = `${parent}::${name}`;
  const t0 = host.now();
  try {
    const r = fn();
    const t = baseTags();
    pushSample('group_duration', host.now() - t0, t);
    return r;
  } finally {
    vu.group = parent;
  }
}

/** Blocks this VU only. Returns undefined (also when awaited). */
export function sleep(seconds: number): void {
  const ms = Number(seconds) * 1000;
  if (!(ms > 0)) return;
  if (host.sleep(ms)) throw new Interrupt();
}

export function fail(message?: string): never {
  throw new Error(message ?? '');
}

export function randomSeed(_seed: number): void {
  // Math.random cannot be seeded in V8; accepted for compatibility, without effect.
}

export default { check, group, sleep, fail, randomSeed };

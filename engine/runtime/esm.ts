/** Keys the language and interop code look up on any object: never a k6 API, never an error. */
const NOT_API = new Set(['then', 'toJSON', '__esModule', 'default']);

/**
 * Makes reading a member `obj` does not have throw one line naming it (`k6/metrics.Histogram is
 * not supported by the embedded engine …`) instead of giving undefined, which would surface later
 * as `TypeError: Cannot read properties of undefined` far from the cause. The check sits in
 * the prototype, so own members cost nothing and `in` still answers false. `members` names what
 * the object has, when its own keys do not (a class's prototype).
 */
export function guard<T extends object>(api: string, obj: T, members: () => string[] = () => Object.keys(obj)): T {
  const base = Object.create(Object.getPrototypeOf(obj) as object | null) as object;
  Object.setPrototypeOf(
    obj,
    new Proxy(base, {
      get(target, key, receiver) {
        if (typeof key === 'symbol' || key in target || NOT_API.has(key)) return Reflect.get(target, key, receiver);
        const has = members().filter((k) => !NOT_API.has(k));
        throw new Error(`${api}.${key} is not supported by the embedded engine (${api} here has: ${has.join(', ')})`);
      },
    }),
  );
  return obj;
}

/**
 * A k6 module as the bundle's interop sees it: `import x from 'k6/…'` may read `.default`
 * (__esModule) or the module object itself (Node's rule for .js in a "type": "module" package),
 * so the object carries both. esbuild's interop object inherits from the module object's
 * prototype, so a named import the module lacks is caught by the guard too.
 */
export function esm(api: string, def: object, named: object): object {
  return guard(api, { ...def, ...named, __esModule: true, default: guard(api, { ...def }) });
}

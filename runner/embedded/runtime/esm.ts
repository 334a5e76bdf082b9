/**
 * A k6 module as the bundle's interop sees it: `import x from 'k6/…'` may read `.default`
 * (__esModule) or the module object itself (Node's rule for .js in a "type": "module" package),
 * so the object carries both.
 */
export function esm(def: object, named: object): object {
  return { ...def, ...named, __esModule: true, default: def };
}

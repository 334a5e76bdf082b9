/**
 * The remote jslib modules the embedded engine answers locally (no network), by URL. Pure,
 * shared by the bundler (which rejects any other remote import) and the VUs' runtime.
 */
export const JSLIB_MODULES = ['k6-utils', 'k6-summary', 'url'] as const;
export type JslibModule = (typeof JSLIB_MODULES)[number];

/** The k6 modules of the lazily evaluated bundle (runtime/lazy.ts), beside the jslib ones. */
export const LAZY_K6_MODULES = ['k6/crypto', 'k6/html'] as const;
export type LazyK6Module = (typeof LAZY_K6_MODULES)[number];

const JSLIB_RE = /^https:\/\/jslib\.k6\.io\/(k6-utils|k6-summary|url)\/\d+\.\d+\.\d+\/index\.js$/;

/** The local module for a `https://jslib.k6.io/<name>/<version>/index.js` URL, else null. */
export function jslibModuleFor(url: string): JslibModule | null {
  const m = JSLIB_RE.exec(url);
  return m ? (m[1] as JslibModule) : null;
}

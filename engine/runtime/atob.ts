/**
 * `atob` for the lazy bundle only (bundle.ts injects it): node-html-parser's entity tables are
 * base64 decoded with the global atob, which a VU's context lacks (as k6's). Not a global: a
 * script sees exactly k6's globals.
 */
import { host } from './host.ts';

export function atob(input: string): string {
  let out = '';
  for (const byte of host.b64decode(input, false)) out += String.fromCharCode(byte);
  return out;
}

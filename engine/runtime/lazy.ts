/**
 * The modules few scripts use (k6/crypto, k6/html with its HTML parser, the jslib ones), bundled apart from the runtime and
 * evaluated in a VU's context on the first require of one of them: every VU carrying their code
 * cost memory at 150 VUs (measured: about 17 MiB idle, more under load).
 */
import crypto, * as cryptoNamed from './crypto.ts';
import { esm } from './esm.ts';
import html, * as htmlNamed from './html.ts';
import { k6Summary, k6Utils, url } from './jslib.ts';
import type { JslibModule, LazyK6Module } from '../jslib-urls.ts';

(globalThis as unknown as { __k6lazy: Record<string, object> }).__k6lazy = {
  'k6/crypto': esm('k6/crypto', crypto, cryptoNamed),
  'k6/html': esm('k6/html', html, htmlNamed),
  'k6-utils': esm('k6-utils', k6Utils, k6Utils),
  'k6-summary': esm('k6-summary', k6Summary, k6Summary),
  url: esm('url', url, url),
} satisfies Record<LazyK6Module | JslibModule, object>;

import type { PortMessage, WireHttpRequest, WireHttpResponse } from '../protocol.ts';
import { cleanUrl } from '../../k6/url.ts';
import { host, lazyModule, ownBuffer } from './host.ts';
import type { Selection, parseHTML } from './html.ts';
import { Interrupt, baseTags, call, metadata, vu } from './state.ts';

function takeReset(): { resetCookies?: boolean } {
  if (!vu.freshIteration) return {};
  vu.freshIteration = false;
  return { resetCookies: true };
}

/** k6's expectedStatuses(): a response callback as data (status ranges). */
export interface ExpectedStatuses {
  readonly __expected: Array<[number, number]>;
}

export function expectedStatuses(...args: Array<number | { min: number; max: number }>): ExpectedStatuses {
  const ranges: Array<[number, number]> = [];
  for (const a of args) {
    if (typeof a === 'number') ranges.push([a, a]);
    else if (a && typeof a === 'object' && typeof a.min === 'number' && typeof a.max === 'number') ranges.push([a.min, a.max]);
    else throw new TypeError('expectedStatuses() accepts status codes and {min, max} objects');
  }
  return { __expected: ranges };
}

let defaultCallback: ExpectedStatuses | null = expectedStatuses({ min: 200, max: 399 });

export function setResponseCallback(cb: ExpectedStatuses | null): void {
  if (cb !== null && !(cb && Array.isArray((cb as ExpectedStatuses).__expected))) {
    throw new TypeError('setResponseCallback() accepts only the result of http.expectedStatuses() or null');
  }
  defaultCallback = cb;
}

interface Params {
  headers?: Record<string, unknown>;
  tags?: Record<string, unknown>;
  timeout?: string | number;
  redirects?: number;
  responseType?: 'text' | 'binary' | 'none';
  responseCallback?: ExpectedStatuses | null;
  auth?: string;
}

const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
function timeoutMs(t: string | number | undefined): number {
  if (t === undefined || t === null) return 60_000;
  if (typeof t === 'number') return t;
  let total = 0;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  for (const part of String(t).match(/\d+(?:\.\d+)?(?:ms|s|m|h)/g) ?? []) {
    const m = DURATION_RE.exec(part);
    if (m) total += Number(m[1]) * unit[m[2]!]!;
  }
  if (!total) throw new TypeError(`invalid timeout "${t}"`);
  return total;
}

function toBase64(bytes: Uint8Array): string {
  return host.b64encode(bytes, false, false);
}

function encodeBody(body: unknown, headers: Record<string, string>): { body: string | null; bodyBase64?: boolean } {
  if (body === null || body === undefined) return { body: null };
  if (typeof body === 'string') return { body };
  if (body instanceof ArrayBuffer) return { body: toBase64(new Uint8Array(body)), bodyBase64: true };
  if (ArrayBuffer.isView(body)) return { body: toBase64(new Uint8Array(body.buffer, body.byteOffset, body.byteLength)), bodyBase64: true };
  if (typeof body === 'object') {
    // k6 sends a plain object as a form.
    const parts = Object.entries(body as Record<string, unknown>).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    return { body: parts.join('&') };
  }
  return { body: String(body) };
}

function buildRequest(method: string, url: unknown, body: unknown, params: Params | undefined): WireHttpRequest {
  const p = params ?? {};
  const u = String(url);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.headers ?? {})) headers[k] = String(v);
  const tags = baseTags();
  for (const [k, v] of Object.entries(p.tags ?? {})) tags[k] = String(v);
  if (tags.name === undefined) tags.name = cleanUrl(u);
  // A name tag replaces the url tag too, as k6 does.
  tags.url = tags.name;
  tags.method = method;
  const cb = p.responseCallback !== undefined ? p.responseCallback : defaultCallback;
  const req: WireHttpRequest = {
    method,
    url: u,
    headers,
    ...encodeBody(body, headers),
    timeoutMs: timeoutMs(p.timeout),
    redirects: p.redirects ?? 10,
    responseType: p.responseType ?? 'text',
    tags,
    expected: cb ? cb.__expected : null,
  };
  const md = metadata();
  if (md) req.metadata = md;
  return req;
}

function fromBase64(s: string): ArrayBuffer {
  return ownBuffer(host.b64decode(s, false));
}

/** k6's Response. */
export class Response {
  status: number;
  status_text: string;
  proto: string;
  url: string;
  headers: Record<string, string>;
  body: string | ArrayBuffer | null;
  timings: WireHttpResponse['timings'];
  error: string;
  error_code: number;
  remote_ip: string;
  remote_port: number;
  request: WireHttpResponse['request'];
  /** Cookies the response set, as k6: name → [{name, value}]. */
  cookies: Record<string, Array<{ name: string; value: string }>> = {};
  constructor(w: WireHttpResponse) {
    this.status = w.status;
    this.status_text = w.status_text;
    this.proto = w.proto;
    this.url = w.url;
    this.headers = w.headers;
    this.body = w.body === null ? null : w.bodyBase64 ? fromBase64(w.body) : w.body;
    this.timings = w.timings;
    this.error = w.error;
    this.error_code = w.error_code;
    this.remote_ip = w.remote_ip;
    this.remote_port = w.remote_port;
    this.request = w.request;
    for (const [name, values] of Object.entries(w.cookies ?? {})) this.cookies[name] = values.map((value) => ({ name, value }));
  }
  /** Parses the body as JSON; `selector` is a dotted path (a subset of k6's gjson). */
  json(selector?: string): unknown {
    if (typeof this.body !== 'string') throw new Error('the body is not text: cannot parse it as JSON');
    let v: unknown = JSON.parse(this.body);
    if (selector) {
      for (const key of selector.split('.')) {
        if (v === null || typeof v !== 'object') return undefined;
        v = (v as Record<string, unknown>)[key];
      }
    }
    return v;
  }
  /** k6's html(selector): the body's document as a Selection (k6/html, loaded lazily), or what `find(selector)` gives. */
  html(selector?: string): Selection {
    if (typeof this.body !== 'string') throw new Error('the body is not text: cannot parse it as HTML');
    const doc = (lazyModule('k6/html') as { parseHTML: typeof parseHTML }).parseHTML(this.body);
    return selector === undefined ? doc : doc.find(selector);
  }
}

function send(requests: WireHttpRequest[]): Response[] {
  const r = call({ op: 'http', requests, ...takeReset() });
  if (r.op === 'interrupted') throw new Interrupt();
  if (r.op !== 'http') throw new Error('embedded engine: unexpected reply to http');
  return r.responses.map((w) => new Response(w));
}

export function request(method: string, url: unknown, body?: unknown, params?: Params): Response {
  return send([buildRequest(String(method).toUpperCase(), url, body, params)])[0]!;
}

export const get = (url: unknown, params?: Params) => request('GET', url, null, params);
export const head = (url: unknown, params?: Params) => request('HEAD', url, null, params);
export const post = (url: unknown, body?: unknown, params?: Params) => request('POST', url, body, params);
export const put = (url: unknown, body?: unknown, params?: Params) => request('PUT', url, body, params);
export const patch = (url: unknown, body?: unknown, params?: Params) => request('PATCH', url, body, params);
export const del = (url: unknown, body?: unknown, params?: Params) => request('DELETE', url, body, params);
export const options = (url: unknown, body?: unknown, params?: Params) => request('OPTIONS', url, body, params);

type BatchItem = string | [string, unknown, unknown?, Params?] | { method?: string; url: unknown; body?: unknown; params?: Params };

/** k6's batch(): the requests run in parallel; the result has the input's shape. */
export function batch(reqs: BatchItem[] | Record<string, BatchItem>): Response[] | Record<string, Response> {
  const keys = Array.isArray(reqs) ? null : Object.keys(reqs);
  const items: BatchItem[] = Array.isArray(reqs) ? reqs : Object.values(reqs);
  const wire = items.map((it) => {
    if (typeof it === 'string') return buildRequest('GET', it, null, undefined);
    if (Array.isArray(it)) return buildRequest(String(it[0]).toUpperCase(), it[1], it[2], it[3]);
    return buildRequest(String(it.method ?? 'GET').toUpperCase(), it.url, it.body, it.params);
  });
  const res = send(wire);
  if (!keys) return res;
  const out: Record<string, Response> = {};
  keys.forEach((k, i) => (out[k] = res[i]!));
  return out;
}

let nextAsyncId = 1;
const pending = new Map<number, { resolve: (r: Response) => void; reject: (e: unknown) => void }>();
host.onAsync((json) => {
  const m = JSON.parse(json) as PortMessage;
  if (m.kind !== 'async-result') return;
  const p = pending.get(m.id);
  if (!p) return;
  pending.delete(m.id);
  if (pending.size === 0) host.ref(false);
  if (m.interrupted || !m.response) p.reject(new Interrupt());
  else p.resolve(new Response(m.response));
});

/** k6's asyncRequest(): the request runs on the main thread while the VU goes on. */
export function asyncRequest(method: string, url: unknown, body?: unknown, params?: Params): Promise<Response> {
  const id = nextAsyncId++;
  const req = buildRequest(String(method).toUpperCase(), url, body, params);
  return new Promise<Response>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    host.ref(true);
    const r = call({ op: 'async-http', id, request: req, ...takeReset() });
    if (r.op === 'interrupted') {
      pending.delete(id);
      reject(new Interrupt());
    }
  });
}

export function url(strings: TemplateStringsArray, ...values: unknown[]): string {
  return strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
}

export default {
  request, get, head, post, put, patch, del, options, batch, asyncRequest, expectedStatuses, setResponseCallback, url,
};

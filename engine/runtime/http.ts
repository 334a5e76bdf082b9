import type { PortMessage, WireCookie, WireHttpRequest, WireHttpResponse, WireJar, WireJarCall } from '../protocol.ts';
import { cleanUrl } from '../../formats/k6/url.ts';
import { FileData, formBody, multipartBody } from './forms.ts';
import { guard } from './esm.ts';
import { GoError } from './go-error.ts';
import { host, lazyModule, ownBuffer } from './host.ts';
import type { Selection, parseHTML } from './html.ts';
import { Interrupt, baseTags, call, hopsMade, metadata, vu } from './state.ts';
import { k6DurationMs } from '../../formats/k6/duration.ts';

/** The options each VU applies to its own requests (the main thread applies the others: options.ts httpOptions). */
const httpOpts = { maxRedirects: null as number | null, discardResponseBodies: false, throw: false };

/** Reads the script's options (already validated by the main thread, which refuses bad ones before any iteration). */
export function configureHttp(options: unknown): void {
  const o = (options ?? {}) as Record<string, unknown>;
  httpOpts.maxRedirects = typeof o.maxRedirects === 'number' ? o.maxRedirects : null;
  httpOpts.discardResponseBodies = o.discardResponseBodies === true;
  httpOpts.throw = o.throw === true;
}

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
  cookies?: Record<string, unknown>;
  jar?: CookieJar | null;
  throw?: boolean;
  compression?: string;
}

/**
 * k6's CookieJar: the VU's own (`http.cookieJar()`, on the main thread, emptied at each
 * iteration) or one the script makes (`new http.CookieJar()`), whose cookies live in this VU as
 * data and travel with the calls that use them.
 */
const jarCookies = new WeakMap<CookieJar, { cookies: WireJar | null }>();

function jarCall(jar: CookieJar, c: WireJarCall): Record<string, string[]> | undefined {
  const st = jarCookies.get(jar);
  if (!st) throw new TypeError("not a CookieJar: make one with new http.CookieJar() or take the VU's with http.cookieJar()");
  if (jar === vuJar && c.action === 'set') vu.jarChanged = true;
  const r = call({ op: 'cookies', jar: st.cookies, call: c, ...takeReset() });
  if (r.op === 'interrupted') throw new Interrupt();
  if (r.op !== 'cookies') throw new Error('embedded engine: unexpected reply to a cookie jar call');
  if (r.error) throw new Error(r.error);
  if (r.jar) st.cookies = r.jar;
  return r.cookies;
}

export class CookieJar {
  constructor() {
    jarCookies.set(this, { cookies: [] });
  }
  /** name → values of the cookies the jar would send to `url`. */
  cookiesForURL(url: unknown): Record<string, string[]> {
    return jarCall(this, { action: 'get', url: String(url) }) ?? {};
  }
  set(
    url: unknown,
    name: unknown,
    value: unknown,
    opts?: { domain?: unknown; path?: unknown; expires?: unknown; max_age?: unknown; secure?: unknown; http_only?: unknown } | null,
  ): void {
    const o = opts ?? {};
    const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
    jarCall(this, {
      action: 'set',
      url: String(url),
      name: String(name),
      value: String(value),
      opts: {
        ...(str(o.domain) ? { domain: str(o.domain) } : {}),
        ...(str(o.path) ? { path: str(o.path) } : {}),
        ...(str(o.expires) ? { expires: str(o.expires) } : {}),
        ...(o.max_age !== undefined && o.max_age !== null ? { max_age: Number(o.max_age) } : {}),
        secure: Boolean(o.secure),
        http_only: Boolean(o.http_only),
      },
    });
  }
  /** Removes the cookies of `url`'s host and path (one on a longer path stays, as in k6). */
  clear(url: unknown): void {
    jarCall(this, { action: 'clear', url: String(url) });
  }
  delete(url: unknown, name: unknown): void {
    jarCall(this, { action: 'delete', url: String(url), name: String(name) });
  }
}

const vuJar: CookieJar = Object.create(CookieJar.prototype) as CookieJar;
jarCookies.set(vuJar, { cookies: null });

/** k6's http.cookieJar(): the VU's own jar. */
export function cookieJar(): CookieJar {
  return vuJar;
}

export function file(data: unknown, filename?: unknown, contentType?: unknown): FileData {
  let d: string | ArrayBuffer;
  if (typeof data === 'string' || data instanceof ArrayBuffer) d = data;
  else if (ArrayBuffer.isView(data)) d = ownBuffer(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  else if (Array.isArray(data)) d = new Uint8Array(data.map(Number)).buffer;
  else throw new TypeError('http.file(): data must be a string, an ArrayBuffer or an array of numbers');
  // k6's default name is the time in nanoseconds.
  return new FileData(
    d,
    filename === undefined || filename === null ? String(Math.floor(host.now() * 1e6)) : String(filename),
    contentType === undefined || contentType === null ? 'application/octet-stream' : String(contentType),
  );
}

/** What http.url`…` returns: the URL, and the template with `${}` in place of each value as the requests' name tag (k6's URL grouping). */
export class TaggedURL {
  constructor(
    readonly url: string,
    readonly name: string,
  ) {}
  toString(): string {
    return this.url;
  }
}

/** params.timeout as k6 reads it: a k6 duration, a bare number (or number) as ms; default 60 s. */
function timeoutMs(t: string | number | undefined): number {
  if (t === undefined || t === null) return 60_000;
  if (typeof t === 'number') return t;
  const ms = k6DurationMs(String(t), 'ms');
  if (!ms) throw new TypeError(`invalid timeout "${t}"`);
  return ms;
}

function toBase64(bytes: Uint8Array): string {
  return host.b64encode(bytes, false, false);
}

function setContentType(headers: Record<string, string>, type: string): void {
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = type;
}

function encodeBody(body: unknown, headers: Record<string, string>): { body: string | null; bodyBase64?: boolean } {
  if (body === null || body === undefined) return { body: null };
  if (typeof body === 'string') return { body };
  if (body instanceof ArrayBuffer) return { body: toBase64(new Uint8Array(body)), bodyBase64: true };
  if (ArrayBuffer.isView(body)) return { body: toBase64(new Uint8Array(body.buffer, body.byteOffset, body.byteLength)), bodyBase64: true };
  if (typeof body === 'object') {
    const obj = body as Record<string, unknown>;
    if (Object.values(obj).some((v) => v instanceof FileData)) {
      // Go's boundary: 30 random bytes in hex.
      let boundary = '';
      for (let i = 0; i < 60; i++) boundary += Math.floor(Math.random() * 16).toString(16);
      setContentType(headers, `multipart/form-data; boundary=${boundary}`);
      return { body: toBase64(multipartBody(obj, boundary)), bodyBase64: true };
    }
    setContentType(headers, 'application/x-www-form-urlencoded');
    return { body: formBody(obj) };
  }
  return { body: String(body) };
}

const RESPONSE_TYPES = ['text', 'binary', 'none'];

/** A request as the main thread runs it, and the script's own jar it uses (updated from the response). */
interface Built {
  wire: WireHttpRequest;
  jar: CookieJar | null;
}

function buildRequest(method: string, url: unknown, body: unknown, params: Params | undefined): Built {
  const p = params ?? {};
  const named = url instanceof TaggedURL ? url : null;
  const u = named ? named.url : String(url);
  const headers: Record<string, string> = {};
  // Per request: no entries array made for the params a request mostly leaves out.
  if (p.headers) for (const [k, v] of Object.entries(p.headers)) headers[k] = String(v);
  const tags = baseTags();
  if (p.tags) for (const [k, v] of Object.entries(p.tags)) tags[k] = String(v);
  if (tags.name === undefined) tags.name = named && named.name !== named.url ? named.name : cleanUrl(u);
  // A name tag replaces the url tag too, as k6 does.
  tags.url = tags.name;
  tags.method = method;
  const cb = p.responseCallback !== undefined ? p.responseCallback : defaultCallback;
  if (p.responseType !== undefined && !RESPONSE_TYPES.includes(p.responseType))
    throw new TypeError(`params.responseType "${String(p.responseType)}" is not one of ${RESPONSE_TYPES.join(', ')}`);
  if (p.compression !== undefined && p.compression !== null && p.compression !== '')
    throw new Error(
      'params.compression is not supported by the embedded engine (send a body you compressed yourself, with its Content-Encoding header)',
    );
  const redirects = p.redirects ?? httpOpts.maxRedirects;
  const encoded = encodeBody(body, headers);
  const req: WireHttpRequest = {
    method,
    url: u,
    headers,
    body: encoded.body,
    timeoutMs: timeoutMs(p.timeout),
    redirects: redirects ?? 10,
    responseType: p.responseType ?? (httpOpts.discardResponseBodies ? 'none' : 'text'),
    tags,
    expected: cb ? cb.__expected : null,
  };
  if (encoded.bodyBase64) req.bodyBase64 = true;
  if (redirects === null) req.defaultRedirects = true;
  if (p.throw ?? httpOpts.throw) req.throw = true;
  const auth = p.auth === undefined || p.auth === null ? '' : String(p.auth);
  if (auth === 'digest') req.auth = 'digest';
  else if (auth === 'ntlm')
    throw new Error("params.auth 'ntlm' (NTLM authentication) is not supported by the embedded engine (supported: 'basic', 'digest')");
  else if (auth !== '' && auth !== 'basic')
    throw new Error(`params.auth "${auth}" is not an authentication k6 knows (expected 'basic', 'digest' or 'ntlm')`);
  if (p.cookies) {
    const list: Array<[string, string, boolean]> = [];
    for (const [name, c] of Object.entries(p.cookies)) {
      if (c === undefined || c === null) continue;
      if (typeof c === 'object') {
        const o = c as { value?: unknown; replace?: unknown };
        list.push([name, o.value === undefined || o.value === null ? '' : String(o.value), Boolean(o.replace)]);
      } else list.push([name, String(c), false]);
    }
    if (list.length) req.cookies = list;
  }
  let jar: CookieJar | null = null;
  if (p.jar !== undefined && p.jar !== null) {
    const st = jarCookies.get(p.jar);
    if (!st) throw new TypeError('params.jar must be a CookieJar (new http.CookieJar() or http.cookieJar())');
    if (st.cookies) {
      req.jar = st.cookies;
      jar = p.jar;
    }
  }
  const md = metadata();
  if (md) req.metadata = md;
  return { wire: req, jar };
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
  request: { method: string; url: string; headers: Record<string, string>; body: string };
  /** The cookies this response set (not its redirects'), as k6: name → cookies. */
  cookies: Record<string, WireCookie[]>;
  /** `sent`: the request as the VU sent it (res.request is built from it, not sent back). */
  constructor(w: WireHttpResponse, sent: WireHttpRequest) {
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
    this.request = { method: w.method ?? sent.method, url: w.url, headers: sent.headers, body: sent.body ?? '' };
    this.cookies = w.cookies ?? {};
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
  /** k6's clickLink(): a GET of the first matching element's href, resolved against this response's URL. */
  clickLink(args?: { selector?: string; params?: Params }): Response {
    const selector = args?.selector ?? 'a[href]';
    const link = this.html(selector);
    if (link.size() === 0) throw new Error(`no element found for selector '${selector}' in response '${this.url}'`);
    const href = link.attr('href');
    if (href === undefined) throw new Error(`no valid href attribute value found on element '${selector}' in response '${this.url}'`);
    return request('GET', new host.URL(String(href), this.url).href, null, args?.params);
  }

  /**
   * k6's submitForm(): the form's fields as k6/html serializes them (named, not disabled="disabled",
   * no buttons or files, checkboxes and radios only when checked="checked"), the submit button's
   * name and value, then `fields`; sent with the form's method to its action.
   */
  submitForm(args?: { formSelector?: string; submitSelector?: string; fields?: Record<string, unknown>; params?: Params }): Response {
    const formSelector = args?.formSelector ?? 'form';
    const form = this.html(formSelector);
    if (form.size() === 0) throw new Error(`no form found for selector '${formSelector}' in response '${this.url}'`);
    const method = String(form.attr('method') ?? 'GET').toUpperCase();
    const action = form.attr('action');
    const target = new host.URL(action === undefined ? this.url : String(action), this.url);
    const values: Record<string, unknown> = {};
    const skip = ['submit', 'button', 'reset', 'image', 'file'];
    form.find('input,select,textarea,keygen').map((_i, el) => {
      const name = String(el.attr('name') ?? '');
      const type = String(el.attr('type') ?? '');
      if (!name || el.attr('disabled') === 'disabled' || skip.includes(type)) return;
      if ((type === 'radio' || type === 'checkbox') && el.attr('checked') !== 'checked') return;
      values[name] = el.val();
    });
    const submit = form.find(args?.submitSelector ?? '[type="submit"]');
    const [sName, sValue] = [submit.attr('name'), submit.attr('value')];
    if (sName !== undefined && sValue !== undefined) values[String(sName)] = sValue;
    Object.assign(values, args?.fields ?? {});
    if (method !== 'GET') return request(method, target.href, values, args?.params);
    target.search = formBody(values);
    return request(method, target.href, null, args?.params);
  }

  /** k6's html(selector): the body's document as a Selection (k6/html, loaded lazily), or what `find(selector)` gives. */
  html(selector?: string): Selection {
    if (typeof this.body !== 'string') throw new Error('the body is not text: cannot parse it as HTML');
    const doc = (lazyModule('k6/html') as { parseHTML: typeof parseHTML }).parseHTML(this.body);
    return selector === undefined ? doc : doc.find(selector);
  }
}

/** What the main thread answered for a request: the script's jar updated, and options.throw applied. */
function received(b: Built, w: WireHttpResponse): Response {
  if (b.jar && w.jar) jarCookies.get(b.jar)!.cookies = w.jar;
  if (w.errorDetail) throw new GoError(w.errorDetail);
  return new Response(w, b.wire);
}

/** What a Response has (k6's Response less ocsp, tls_* and the like): reading anything else names it. */
const RESPONSE_MEMBERS = [
  'status',
  'status_text',
  'proto',
  'url',
  'headers',
  'body',
  'timings',
  'error',
  'error_code',
  'remote_ip',
  'remote_port',
  'request',
  'cookies',
  'json',
  'html',
  'clickLink',
  'submitForm',
];
guard('Response', Response.prototype, () => RESPONSE_MEMBERS);

/** A response made in the worker's realm, as objects of this one (the script sees only its own realm's objects). */
function ownRealm(w: WireHttpResponse): WireHttpResponse {
  const headers: Record<string, string> = {};
  for (const k in w.headers) headers[k] = w.headers[k]!;
  const t = w.timings;
  const timings = {
    blocked: t.blocked,
    connecting: t.connecting,
    tls_handshaking: t.tls_handshaking,
    sending: t.sending,
    waiting: t.waiting,
    receiving: t.receiving,
    duration: t.duration,
  };
  // Fields set one by one, not spread: this runs for every request.
  const own: WireHttpResponse = {
    status: w.status,
    status_text: w.status_text,
    proto: w.proto,
    url: w.url,
    headers,
    body: w.body,
    timings,
    error: w.error,
    error_code: w.error_code,
    remote_ip: w.remote_ip,
    remote_port: w.remote_port,
  };
  if (w.bodyBase64) own.bodyBase64 = true;
  if (w.method !== undefined) own.method = w.method;
  if (w.errorDetail !== undefined) own.errorDetail = w.errorDetail;
  return own;
}

function send(built: Built[]): Response[] {
  // One request of the VU's own while its jar holds nothing of this iteration: on the VU's sockets when it can.
  const r = built.length === 1 && !vu.jarChanged ? host.http(built[0]!.wire) : null;
  if (r !== null) {
    if (r === 'interrupted') throw new Interrupt();
    if ('response' in r) {
      hopsMade(built[0]!.wire, r);
      // The samples go to the main thread at least once a lease, however long the iteration: the
      // live figures, the thresholds and the CSV's order see them as they would a main-thread request's.
      if (host.callDue()) call({ op: 'flush' });
      return [received(built[0]!, ownRealm(r.response))];
    }
    built[0]!.wire.prior = r.prior; // a cookie for the jar, or a redirect to https: the main thread goes on
  }
  const c = call({ op: 'http', requests: built.map((b) => b.wire), ...takeReset() });
  if (c.op === 'interrupted') throw new Interrupt();
  if (c.op !== 'http') throw new Error('embedded engine: unexpected reply to http');
  return c.responses.map((w, i) => {
    if (w.jarChanged) vu.jarChanged = true;
    return received(built[i]!, w);
  });
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
const pending = new Map<number, { built: Built; resolve: (r: Response) => void; reject: (e: unknown) => void }>();
host.onAsync((json) => {
  const m = JSON.parse(json) as PortMessage;
  if (m.kind !== 'async-result') return;
  const p = pending.get(m.id);
  if (!p) return;
  pending.delete(m.id);
  if (pending.size === 0) host.ref(false);
  if (m.interrupted || !m.response) return p.reject(new Interrupt());
  try {
    p.resolve(received(p.built, m.response));
  } catch (e) {
    p.reject(e);
  }
});

/** k6's asyncRequest(): the request runs on the main thread while the VU goes on. */
export function asyncRequest(method: string, url: unknown, body?: unknown, params?: Params): Promise<Response> {
  const id = nextAsyncId++;
  const built = buildRequest(String(method).toUpperCase(), url, body, params);
  return new Promise<Response>((resolve, reject) => {
    pending.set(id, { built, resolve, reject });
    host.ref(true);
    const r = call({ op: 'async-http', id, request: built.wire, ...takeReset() });
    if (r.op === 'interrupted') {
      pending.delete(id);
      reject(new Interrupt());
    }
  });
}

export function url(strings: TemplateStringsArray, ...values: unknown[]): TaggedURL {
  return new TaggedURL(
    strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), ''),
    strings.join('${}'),
  );
}

/** k6's TLS and OCSP constants (the values of the tls_version and ocsp_status tags, and of Response.ocsp). */
export const TLS_1_0 = 'tls1.0';
export const TLS_1_1 = 'tls1.1';
export const TLS_1_2 = 'tls1.2';
export const TLS_1_3 = 'tls1.3';
export const OCSP_STATUS_GOOD = 'good';
export const OCSP_STATUS_REVOKED = 'revoked';
export const OCSP_STATUS_SERVER_FAILED = 'server_failed';
export const OCSP_STATUS_UNKNOWN = 'unknown';
export const OCSP_REASON_UNSPECIFIED = 'unspecified';
export const OCSP_REASON_KEY_COMPROMISE = 'key_compromise';
export const OCSP_REASON_CA_COMPROMISE = 'ca_compromise';
export const OCSP_REASON_AFFILIATION_CHANGED = 'affiliation_changed';
export const OCSP_REASON_SUPERSEDED = 'superseded';
export const OCSP_REASON_CESSATION_OF_OPERATION = 'cessation_of_operation';
export const OCSP_REASON_CERTIFICATE_HOLD = 'certificate_hold';
export const OCSP_REASON_REMOVE_FROM_CRL = 'remove_from_crl';
export const OCSP_REASON_PRIVILEGE_WITHDRAWN = 'privilege_withdrawn';
export const OCSP_REASON_AA_COMPROMISE = 'aa_compromise';

const http = {
  request,
  get,
  head,
  post,
  put,
  patch,
  del,
  options,
  batch,
  asyncRequest,
  expectedStatuses,
  setResponseCallback,
  url,
  cookieJar,
  CookieJar,
  file,
  TLS_1_0,
  TLS_1_1,
  TLS_1_2,
  TLS_1_3,
  OCSP_STATUS_GOOD,
  OCSP_STATUS_REVOKED,
  OCSP_STATUS_SERVER_FAILED,
  OCSP_STATUS_UNKNOWN,
  OCSP_REASON_UNSPECIFIED,
  OCSP_REASON_KEY_COMPROMISE,
  OCSP_REASON_CA_COMPROMISE,
  OCSP_REASON_AFFILIATION_CHANGED,
  OCSP_REASON_SUPERSEDED,
  OCSP_REASON_CESSATION_OF_OPERATION,
  OCSP_REASON_CERTIFICATE_HOLD,
  OCSP_REASON_REMOVE_FROM_CRL,
  OCSP_REASON_PRIVILEGE_WITHDRAWN,
  OCSP_REASON_AA_COMPROMISE,
};
export default http;

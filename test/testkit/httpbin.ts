/**
 * A loopback stand-in for the httpbin endpoints that k6's api-probes fixtures were recorded
 * against (`__fixtures__/k6-api-probes/README.md`), answering as httpbin 0.7 does: the tests run
 * the same probe scripts on the embedded engine and hold its output to real k6's.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loopback, type Loopback } from './engine-runs.ts';

const REALM = 'me@kennethreitz.com';
const NONCE = 'a3f9c1d2e4b5a6978812aa0bb1cc2dd3';
const OPAQUE = '5ccc069c403ebaf9f0171e9517f40e41';

/** httpbin's /forms/post is an order form; this one also has the cases k6's form serialization decides. */
const ORDER_FORM = `<!DOCTYPE html><html><body><form method="post" action="/post">
<input type="hidden" name="token" value="t0k3n">
<p><label>Customer name: <input name="custname"></label></p>
<input name="old" value="x" disabled="disabled">
<label><input type="radio" name="size" value="small" checked="checked"> Small</label>
<label><input type="radio" name="size" value="large"> Large</label>
<label><input type="checkbox" name="topping" value="bacon" checked="checked"> Bacon</label>
<label><input type="checkbox" name="extra" value="cheese"> Cheese</label>
<textarea name="comments">none</textarea>
<input type="file" name="photo">
<input type="submit" name="go" value="Order">
</form></body></html>`;

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** httpbin's header names: Title-Case. */
const titleCase = (h: string): string => h.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) out[titleCase(req.rawHeaders[i]!.toLowerCase())] = req.rawHeaders[i + 1]!;
  return out;
}

/** The request's cookies as httpbin shows them: the first of a repeated name wins. */
function cookiesOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (req.headers.cookie ?? '').split(/;\s*/)) {
    const eq = pair.indexOf('=');
    if (eq > 0 && !(pair.slice(0, eq) in out)) out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** Form fields: one value as a string, repeated ones as a list (httpbin's shape). */
function fields(entries: Iterable<[string, string]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of entries) {
    const cur = out[k];
    out[k] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
  return out;
}

function digestOk(req: IncomingMessage, user: string, pass: string): boolean {
  const h = req.headers.authorization ?? '';
  if (!h.startsWith('Digest ')) return false;
  const p: Record<string, string> = {};
  for (const m of h.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)) p[m[1]!] = m[2] ?? m[3]!;
  const ha1 = md5(`${p.username}:${REALM}:${pass}`);
  const ha2 = md5(`${req.method}:${p.uri}`);
  return (
    p.username === user &&
    p.nonce === NONCE &&
    p.opaque === OPAQUE &&
    p.response === md5(`${ha1}:${NONCE}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`)
  );
}

/** Requests in flight per query string (not httpbin's): what `/delay` reports, for the batch limits. */
type InFlight = Map<string, number>;

/** What httpbin's `/post` answers: the body as a form (its files apart), JSON or text. */
async function posted(req: IncomingMessage, body: Buffer, url: URL, args: Record<string, string | string[]>): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  let form: Record<string, string | string[]> = {};
  let files: Record<string, string | string[]> = {};
  let data = '';
  let parsed: unknown = null;
  if (/^(multipart\/form-data|application\/x-www-form-urlencoded)/.test(type)) {
    // The platform's own form parser (undici's Response.formData), not one written here.
    const fd = await new Response(body, { headers: { 'Content-Type': type } }).formData();
    const plain: Array<[string, string]> = [];
    const uploaded: Array<[string, string]> = [];
    for (const [k, v] of fd) {
      if (typeof v === 'string') plain.push([k, v]);
      else {
        // As httpbin: a file that is not UTF-8 comes back as a data URL.
        const bytes = Buffer.from(await v.arrayBuffer());
        const text = bytes.toString('utf8');
        uploaded.push([k, Buffer.from(text, 'utf8').equals(bytes) ? text : `data:${v.type};base64,${bytes.toString('base64')}`]);
      }
    }
    form = fields(plain);
    files = fields(uploaded);
  } else {
    data = body.toString('utf8');
    if (/json/.test(type)) parsed = JSON.parse(data);
  }
  return { args, data, files, form, headers: headersOf(req), json: parsed, url: url.href };
}

async function answer(req: IncomingMessage, res: ServerResponse, body: Buffer, base: string, inFlight: InFlight): Promise<void> {
  const url = new URL(req.url ?? '/', base);
  const json = (status: number, v: unknown): void => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(`${JSON.stringify(v)}\n`);
  };
  const args = fields(url.searchParams);
  let m: RegExpExecArray | null;
  // `port`: the client's (not httpbin's), to tell a new connection from a kept one.
  if (url.pathname === '/get')
    return json(200, { args, headers: headersOf(req), origin: req.socket.remoteAddress, port: req.socket.remotePort, url: url.href });
  if (url.pathname === '/cookies') return json(200, { cookies: cookiesOf(req) });
  if (url.pathname === '/cookies/set') {
    res.writeHead(302, { Location: '/cookies', 'Set-Cookie': [...url.searchParams].map(([k, v]) => `${k}=${v}; Path=/`) });
    return void res.end();
  }
  if (url.pathname === '/response-headers') {
    for (const [k, v] of url.searchParams) res.setHeader(k, v);
    return json(200, args);
  }
  if ((m = /^\/delay\/(\d+(?:\.\d+)?)$/.exec(url.pathname))) {
    // `concurrent`: the requests with the same query in flight with this one (batch limits).
    const concurrent = (inFlight.get(url.search) ?? 0) + 1;
    inFlight.set(url.search, concurrent);
    await new Promise((r) => setTimeout(r, Number(m![1]) * 1000));
    inFlight.set(url.search, inFlight.get(url.search)! - 1);
    return json(200, { args, headers: headersOf(req), url: url.href, concurrent });
  }
  if (url.pathname === '/forms/post') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    return void res.end(ORDER_FORM);
  }
  if ((m = /^\/links\/(\d+)\/(\d+)$/.exec(url.pathname))) {
    const [n, at] = [Number(m[1]), Number(m[2])];
    const links = Array.from({ length: n }, (_, i) => (i === at ? `${i} ` : `<a href='/links/${n}/${i}'>${i}</a> `)).join('');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    return void res.end(`<html><head><title>Links</title></head><body>${links}</body></html>`);
  }
  if (url.pathname === '/user-agent') return json(200, { 'user-agent': req.headers['user-agent'] ?? null });
  if ((m = /^\/status\/(\d+)$/.exec(url.pathname))) {
    res.writeHead(Number(m[1]));
    return void res.end();
  }
  if ((m = /^\/(relative-)?redirect\/(\d+)$/.exec(url.pathname))) {
    const n = Number(m[2]);
    res.writeHead(302, { Location: n <= 1 ? '/get' : `/relative-redirect/${n - 1}` });
    return void res.end();
  }
  if ((m = /^\/basic-auth\/([^/]+)\/([^/]+)$/.exec(url.pathname))) {
    const ok = req.headers.authorization === `Basic ${Buffer.from(`${m[1]}:${m[2]}`).toString('base64')}`;
    if (ok) return json(200, { authenticated: true, user: m[1] });
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="Fake Realm"' });
    return void res.end();
  }
  if ((m = /^\/digest-auth\/auth\/([^/]+)\/([^/]+)$/.exec(url.pathname))) {
    if (digestOk(req, m[1]!, m[2]!)) return json(200, { authenticated: true, user: m[1] });
    res.writeHead(401, {
      'WWW-Authenticate': `Digest realm="${REALM}", nonce="${NONCE}", qop="auth", opaque="${OPAQUE}", algorithm=MD5, stale=FALSE`,
    });
    return void res.end();
  }
  if (url.pathname === '/post') return json(200, await posted(req, body, url, args));
  json(404, { error: 'not found' });
}

/**
 * Starts the stand-in on 127.0.0.1 (port 0). Beyond httpbin, for the options tests: the client's
 * `port` in `/get`, and `concurrent` in `/delay/<s>` (requests in flight).
 */
export function httpbin(): Promise<Loopback> {
  let base = '';
  const inFlight: InFlight = new Map();
  const server = loopback((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      answer(req, res, Buffer.concat(chunks), base, inFlight).catch((e: Error) => {
        res.writeHead(500);
        res.end(e.message);
      });
    });
  });
  return server.then((s) => {
    base = s.base;
    return s;
  });
}

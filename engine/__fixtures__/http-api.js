// k6/http beyond GET: batch, asyncRequest in parallel, redirects, POST bodies (an object as a
// form, encoded as Go's url.Values: space as '+'), responseType,
// expectedStatuses / setResponseCallback, json(), headers, timeouts, credentials in the URL.
import http from 'k6/http';
import { check } from 'k6';
export const options = { vus: 1, iterations: 1 };
const B = __ENV.BASE_URL;
export default async function () {
  const [a, b] = http.batch([`${B}/echo?x=1`, ['POST', `${B}/echo`, JSON.stringify({ y: 2 }), { headers: { 'Content-Type': 'application/json' } }]]);
  check(a, { 'batch GET': (r) => r.json('query') === 'x=1' });
  check(b, { 'batch POST body': (r) => r.json('body') === '{"y":2}' && r.json('method') === 'POST' });
  const form = http.post(`${B}/echo`, { k: 'v w' });
  check(form, { 'object body sent as a form': (r) => r.json('body') === 'k=v+w' && r.json('type') === 'application/x-www-form-urlencoded' });
  const red = http.get(`${B}/redirect`, { tags: { name: 'redirect' } });
  check(red, { 'redirect followed': (r) => r.status === 200 && r.url.endsWith('/echo?from=redirect') });
  // res.request: what was sent (the last hop's URL and method; the script's headers and body).
  check([b, red], {
    'res.request': ([p, g]) =>
      p.request.method === 'POST' && p.request.body === '{"y":2}' && p.request.headers['Content-Type'] === 'application/json' &&
      g.request.method === 'GET' && g.request.url === g.url && g.request.body === '',
  });
  const noFollow = http.get(`${B}/redirect`, { redirects: 0 });
  check(noFollow, { 'redirects: 0 stops': (r) => r.status === 302 && r.headers.Location === '/echo?from=redirect' });
  const bin = http.get(`${B}/echo`, { responseType: 'binary' });
  check(bin, { 'binary body is an ArrayBuffer': (r) => r.body instanceof ArrayBuffer && r.body.byteLength > 0 });
  const none = http.get(`${B}/echo`, { responseType: 'none' });
  check(none, { 'responseType none has no body': (r) => r.body === null && r.status === 200 });
  const [p1, p2] = await Promise.all([http.asyncRequest('GET', `${B}/slow`), http.asyncRequest('GET', `${B}/slow`)]);
  // The server answers /slow once two requests are in flight (or one alone, late): each says how many were.
  check([p1, p2], { 'async requests ran in parallel': (rs) => rs.every((r) => r.status === 200 && r.json('inFlight') === 2) });
  const late = http.get(`${B}/slow`, { timeout: '50ms', tags: { name: 'timeout' } });
  check(late, { 'a timeout is k6 error 1050': (r) => r.status === 0 && r.error_code === 1050 && r.error === 'request timeout' });
  const authed = http.get(`${B.replace('://', '://u1:p%40ss@')}/echo`);
  check(authed, { 'URL credentials sent as Basic auth': (r) => r.json('auth') === 'Basic dTE6cEBzcw==' });
  const missing = http.get(`${B}/missing`, { responseCallback: http.expectedStatuses(404) });
  check(missing, { '404 expected by callback': (r) => r.status === 404 });
  http.setResponseCallback(null);
  http.get(`${B}/missing`, { tags: { name: 'no-callback' } });
}

// The global HTTP options of k6's docs: maxRedirects, userAgent, discardResponseBodies, hosts,
// noConnectionReuse, batch and batchPerHost.
import http from 'k6/http';
import { check } from 'k6';

const H = __ENV.HTTPBIN;
export const options = {
  vus: 1,
  iterations: 1,
  maxRedirects: 0,
  userAgent: 'shop-load/1.0',
  discardResponseBodies: true,
  hosts: { 'shop.test': H.replace('http://', '') },
  noConnectionReuse: true,
  batch: 3,
  batchPerHost: 2,
};
const text = { responseType: 'text' };

export default function () {
  check(http.get(`${H}/redirect/2`), { 'maxRedirects 0: the 302 is the response': (r) => r.status === 302 && r.headers.Location === '/relative-redirect/1' });
  check(http.get(`${H}/redirect/2`, { redirects: 5, responseType: 'text' }), { 'redirects per request': (r) => r.status === 200 && r.url === `${H}/get` });
  check(http.get(`${H}/user-agent`), { 'discardResponseBodies: no body': (r) => r.status === 200 && r.body === null });
  check(http.get(`${H}/user-agent`, text), { 'userAgent is sent': (r) => r.json()['user-agent'] === 'shop-load/1.0' });
  check(http.get('http://shop.test/get', text), { 'hosts: the name goes to its address': (r) => r.status === 200 && r.json().headers.Host === 'shop.test' });

  const ports = [http.get(`${H}/get`, text), http.get(`${H}/get`, text)].map((r) => r.json().port);
  check(ports, { 'noConnectionReuse: a connection per request': (p) => p[0] !== p[1] });

  const perHost = http.batch(Array.from({ length: 6 }, () => ['GET', `${H}/delay/0.2?k=per-host`, null, text]));
  check(perHost, { 'batchPerHost: 2 at a time to one host': (rs) => rs.every((r) => r.status === 200) && Math.max(...rs.map((r) => r.json().concurrent)) === 2 });
  const hosts = [H, 'http://shop.test'];
  const total = http.batch(Array.from({ length: 8 }, (_, i) => ['GET', `${hosts[i % 2]}/delay/0.2?k=total`, null, text]));
  check(total, { 'batch: 3 at a time in all': (rs) => rs.every((r) => r.status === 200) && Math.max(...rs.map((r) => r.json().concurrent)) === 3 });
}

// Cookies, as in k6's docs: the VU's jar keeps what servers set (redirects included) and sends it
// back by domain, path, expiry and Secure; a jar of one's own; params.cookies; res.cookies.
import http from 'k6/http';
import { check } from 'k6';

const H = __ENV.HTTPBIN;
const hostPort = H.replace('http://', '');
export const options = {
  vus: 1,
  iterations: 2,
  // Names for the loopback server, so that domain rules can be seen.
  hosts: { 'app.test': hostPort, 'api.app.test': hostPort, 'other.test': hostPort },
};

const sent = (res) => res.json().cookies;
const setCookie = (base, line) => http.get(`${base}/response-headers?Set-Cookie=${encodeURIComponent(line)}`);

export default function () {
  const jar = http.cookieJar();
  check(jar.cookiesForURL(`${H}/cookies`), { 'each iteration starts with an empty jar': (c) => Object.keys(c).length === 0 });

  const redirected = http.get(`${H}/cookies/set?session=abc`);
  check(redirected, {
    'a cookie set by a redirect is sent on': (r) => r.json().cookies.session === 'abc',
    "res.cookies holds the final response's only": (r) => Object.keys(r.cookies).length === 0,
  });

  const res = setCookie(H, 'theme=dark; Path=/; Max-Age=3600; HttpOnly');
  check(res.cookies.theme[0], {
    'res.cookies gives the attributes': (c) => c.value === 'dark' && c.path === '/' && c.max_age === 3600 && c.http_only === true && c.secure === false,
  });

  setCookie(H, 'deep=1; Path=/cookies/deep');
  setCookie(H, 'secret=1; Path=/; Secure');
  setCookie(H, 'theme=; Path=/; Max-Age=0');
  check(sent(http.get(`${H}/cookies`)), {
    'path, Secure and expiry decide what is sent': (c) => c.session === 'abc' && c.deep === undefined && c.secret === undefined && c.theme === undefined,
  });

  setCookie('http://app.test', 'shared=1; Domain=app.test; Path=/');
  setCookie('http://app.test', 'hostonly=1; Path=/');
  check(sent(http.get('http://api.app.test/cookies')), {
    'a Domain cookie reaches subdomains, a host-only one does not': (c) => c.shared === '1' && c.hostonly === undefined,
  });
  check(sent(http.get('http://other.test/cookies')), { 'no cookie crosses to another domain': (c) => Object.keys(c).length === 0 });

  jar.set(H, 'manual', 'yes', { path: '/cookies' });
  check(sent(http.get(`${H}/cookies`, { cookies: { session: { value: 'replaced', replace: true }, extra: 'x' } })), {
    'jar.set and params.cookies reach the server': (c) => c.manual === 'yes' && c.session === 'replaced' && c.extra === 'x',
  });
  jar.delete(`${H}/cookies/`, 'manual');
  check(jar.cookiesForURL(`${H}/cookies`), { 'jar.delete removes it': (c) => c.manual === undefined && c.session[0] === 'abc' });

  const mine = new http.CookieJar();
  mine.set(H, 'mine', '1');
  check(sent(http.get(`${H}/cookies`, { jar: mine })), { 'a jar of its own sends only its cookies': (c) => Object.keys(c).join() === 'mine' });
  http.get(`${H}/cookies/set?kept=1`, { jar: mine });
  check(mine.cookiesForURL(`${H}/`), { 'and keeps what the server sets': (c) => c.kept[0] === '1' && c.mine[0] === '1' });
  check(jar.cookiesForURL(`${H}/`), { 'the VU jar did not get it': (c) => c.kept === undefined });

  jar.clear(H);
  check(jar.cookiesForURL(`${H}/`), { "jar.clear removes the URL's cookies": (c) => Object.keys(c).length === 0 });
}

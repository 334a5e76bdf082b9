// Each iteration starts with an empty cookie jar (as k6), then keeps the cookies the server sets.
import http from 'k6/http';
import { check } from 'k6';
export const options = { vus: 1, iterations: 2 };
export default function () {
  const before = http.get(`${__ENV.BASE_URL}/me`);
  check(before, { 'no cookie at iteration start': (r) => r.body === '' });
  const login = http.get(`${__ENV.BASE_URL}/login`);
  check(login, { 'response shows the cookie': (r) => r.cookies.sid[0].value === 'abc' });
  const after = http.get(`${__ENV.BASE_URL}/me`);
  check(after, { 'cookie sent back': (r) => r.body === 'sid=abc' });
}

// setup() logs in once; every iteration uses its token; teardown() sees the same data.
import http from 'k6/http';
import { check } from 'k6';

export const options = { iterations: 3, thresholds: { 'checks{check:token sent}': ['rate==1'] } };

export function setup() {
  const res = http.post(`${__ENV.BASE}/echo`, JSON.stringify({ token: 'abc123' }), { headers: { 'Content-Type': 'application/json' } });
  return { token: res.json('token') };
}

export default function (data) {
  const res = http.get(`${__ENV.BASE}/auth`, { headers: { 'X-Token': data.token } });
  check(res, { 'token sent': (r) => r.status === 200 });
}

export function teardown(data) {
  if (data.token !== 'abc123') throw new Error('teardown got other data');
}

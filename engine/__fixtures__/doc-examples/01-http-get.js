// The smallest test: one request per iteration, a check on its status, a pause.
import http from 'k6/http';
import { check, sleep } from 'k6';

// options.tags go on every sample of the test.
export const options = { vus: 2, iterations: 6, tags: { env: 'staging' }, thresholds: { 'http_reqs{env:staging}': ['count==6'] } };

export default function () {
  const res = http.get(`${__ENV.BASE}/`);
  check(res, { 'status is 200': (r) => r.status === 200 });
  sleep(0.05);
}

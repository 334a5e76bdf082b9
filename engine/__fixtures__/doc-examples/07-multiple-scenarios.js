// Two scenarios in one test, each with its own function, environment, tags and start time.
import http from 'k6/http';
import { check } from 'k6';

export const options = {
  scenarios: {
    browse: { executor: 'per-vu-iterations', vus: 2, iterations: 2, exec: 'browse', tags: { flow: 'browse' } },
    buy: {
      executor: 'shared-iterations', vus: 1, iterations: 3, exec: 'buy', startTime: '300ms',
      env: { ITEM: 'book' }, tags: { flow: 'buy' },
    },
  },
  thresholds: {
    'http_reqs{flow:browse}': ['count==4'],
    'http_reqs{flow:buy}': ['count==3'],
    'checks{flow:buy}': ['rate==1'],
  },
};

export function browse() {
  http.get(`${__ENV.BASE}/`);
}

export function buy() {
  const res = http.post(`${__ENV.BASE}/echo`, JSON.stringify({ item: __ENV.ITEM }), { headers: { 'Content-Type': 'application/json' } });
  check(res, { 'bought the item from the env': (r) => r.json('item') === 'book' });
}

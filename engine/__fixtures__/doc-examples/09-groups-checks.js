// Groups around user journeys, checks inside them.
import http from 'k6/http';
import { check, group } from 'k6';

export const options = { iterations: 2 };

export default function () {
  group('home', () => {
    check(http.get(`${__ENV.BASE}/`), { 'home is 200': (r) => r.status === 200 });
  });
  group('api', () => {
    group('items', () => {
      const res = http.get(`${__ENV.BASE}/json`);
      check(res, { 'has items': (r) => r.json('items').length === 3, 'is slow': (r) => r.timings.duration > 60_000 });
    });
  });
}

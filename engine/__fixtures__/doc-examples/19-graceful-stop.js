// Iterations still running gracefulStop after the scenario's end are interrupted, not counted.
import http from 'k6/http';
import { sleep } from 'k6';

export const options = {
  scenarios: {
    long: { executor: 'constant-arrival-rate', rate: 4, timeUnit: '1s', duration: '500ms', preAllocatedVUs: 2, gracefulStop: '300ms' },
  },
};

export default function () {
  http.get(`${__ENV.BASE}/`);
  sleep(5);
}

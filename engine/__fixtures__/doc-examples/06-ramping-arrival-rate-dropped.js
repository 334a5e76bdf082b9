// Too few VUs for the rate: the iterations that find no free VU are dropped, not delayed.
import http from 'k6/http';

export const options = {
  scenarios: {
    ramp: {
      executor: 'ramping-arrival-rate', startRate: 10, timeUnit: '1s', preAllocatedVUs: 1, maxVUs: 1,
      stages: [{ target: 30, duration: '1s' }],
    },
  },
  thresholds: { dropped_iterations: ['count>0'] },
};

export default function () {
  http.get(`${__ENV.BASE}/slow`);
}

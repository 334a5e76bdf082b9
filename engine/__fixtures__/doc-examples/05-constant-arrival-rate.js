// An open model: 20 iterations per second for 1 second, whatever the response time.
import http from 'k6/http';

export const options = {
  scenarios: {
    open: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '1s', preAllocatedVUs: 3, maxVUs: 5 },
  },
};

export default function () {
  http.get(`${__ENV.BASE}/`);
}

// Two arrival-rate scenarios, one started late with its own exec, env and tags.
import http from 'k6/http';
import { sleep } from 'k6';

export const options = {
  scenarios: {
    steady: {
      executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '2s',
      preAllocatedVUs: 2, maxVUs: 4, tags: { kind: 'open' },
    },
    ramp: {
      executor: 'ramping-arrival-rate', startRate: 0, timeUnit: '500ms',
      stages: [{ target: 5, duration: '1s' }], preAllocatedVUs: 1,
      startTime: '500ms', exec: 'other', env: { WHO: 'ramp' }, gracefulStop: '0s',
    },
  },
};

export default function () {
  http.get(`${__ENV.BASE}/steady`);
  sleep(0.3);
}

export function other() {
  if (__ENV.WHO !== 'ramp') throw new Error(`scenario env missing: ${__ENV.WHO}`);
  http.get(`${__ENV.BASE}/ramp`);
}

// Two arrival-rate scenarios, one started late with its own exec, env and tags. Both keep the
// default gracefulStop: an arrival started as a scenario ends (a lagging machine) finishes.
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
      startTime: '1s', exec: 'other', env: { WHO: 'ramp' },
    },
  },
};

// Runs before the scenarios start: its request's time is a bound on when the test started.
export function setup() {
  http.get(`${__ENV.BASE}/setup`);
}

export default function () {
  http.get(`${__ENV.BASE}/steady`);
  sleep(0.3);
}

export function other() {
  if (__ENV.WHO !== 'ramp') throw new Error(`scenario env missing: ${__ENV.WHO}`);
  http.get(`${__ENV.BASE}/ramp`);
}

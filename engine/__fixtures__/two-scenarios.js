import { sleep } from 'k6';
// Two scenarios of different sizes, the second starting later and ending long before its maxDuration.
export const options = {
  scenarios: {
    a: { executor: 'constant-vus', vus: 2, duration: '1s' },
    b: { executor: 'per-vu-iterations', vus: 1, iterations: 1, startTime: '500ms' },
  },
};
export default function () {
  sleep(0.1);
}

// One VU ramps up, then down with gracefulRampDown 0s: its long iteration is interrupted at once.
import { sleep } from 'k6';
export const options = {
  scenarios: {
    ramp: { executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '200ms', target: 1 }, { duration: '300ms', target: 0 }], gracefulRampDown: '0s' },
    each: { executor: 'per-vu-iterations', vus: 2, iterations: 3, startTime: '0s' },
  },
};
export default function () {
  if (__ENV.LONG === '1' && exec_scenario() === 'ramp') sleep(20);
}
import exec from 'k6/execution';
function exec_scenario() {
  return exec.scenario.name;
}

import { sleep } from 'k6';
import { Trend } from 'k6/metrics';
const t = new Trend('my_trend');
export const options = {
  scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '60s' } },
  thresholds: { my_trend: [{ threshold: 'max<1', abortOnFail: true, delayAbortEval: '1s' }] },
};
export default function () {
  t.add(10);
  sleep(0.1);
}

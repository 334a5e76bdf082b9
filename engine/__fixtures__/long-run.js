import http from 'k6/http';
import { sleep } from 'k6';
import { Counter } from 'k6/metrics';
const ticks = new Counter('ticks');
export const options = { scenarios: { long: { executor: 'constant-vus', vus: 2, duration: '60s' } } };
export default function () {
  http.get(`${__ENV.BASE_URL}/`);
  ticks.add(1);
  sleep(0.1);
}

import { Trend } from 'k6/metrics';
const t = new Trend('my_trend', true);
export const options = { vus: 1, iterations: 3, thresholds: { my_trend: ['p(95)<5'], 'my_trend{kind:a}': ['max<100'] } };
export default function () {
  t.add(10, { kind: 'a' });
}

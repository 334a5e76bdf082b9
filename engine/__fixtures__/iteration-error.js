import { Counter } from 'k6/metrics';
const c = new Counter('reached');
export const options = { vus: 1, iterations: 3 };
export default function () {
  c.add(1);
  if (__ITER === 1) throw new Error('boom in iteration');
}

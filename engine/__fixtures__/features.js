// setup/teardown, SharedArray, checks, nested groups, custom metrics, VU tags, sleep isolation.
import { check, group, sleep } from 'k6';
import { SharedArray } from 'k6/data';
import { Counter, Gauge, Rate, Trend } from 'k6/metrics';
import exec from 'k6/execution';

const words = new SharedArray('words', () => JSON.parse(open('./words.json')));
const count = new Counter('my_counter');
const gauge = new Gauge('my_gauge');
const rate = new Rate('my_rate');
const trend = new Trend('my_trend');
let perVuGlobal = 0;

export const options = {
  scenarios: {
    sleepers: { executor: 'constant-vus', vus: 2, duration: '1500ms', gracefulStop: '0s' },
  },
};

export function setup() {
  return { answer: 42 };
}

export default function (data) {
  perVuGlobal++;
  exec.vu.tags.vu_id = String(__VU);
  group('outer', () => {
    group('inner', () => {
      check(data, { 'setup data arrives': (d) => d.answer === 42 });
      check(words, { 'shared array is shared': (w) => w.length === 3 && w[1] === 'beta' });
      check(perVuGlobal, { 'globals are per VU': (n) => n === __ITER + 1 });
    });
  });
  count.add(2, { word: words[__ITER % words.length] });
  gauge.add(__VU);
  rate.add(__VU === 1);
  trend.add(__ITER);
  // VU 1 sleeps long, VU 2 short: VU 2 must not wait for VU 1.
  sleep(__VU === 1 ? 1.2 : 0.05);
}

export function teardown(data) {
  console.log(`teardown got ${data.answer}`);
}

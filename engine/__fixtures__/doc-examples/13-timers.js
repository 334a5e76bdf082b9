// k6/timers in an async iteration: a timeout, a cancelled timeout and an interval.
import { setTimeout, clearTimeout, setInterval, clearInterval } from 'k6/timers';
import { check } from 'k6';

export const options = { iterations: 1, thresholds: { checks: ['rate==1'] } };

export default async function () {
  let cancelledRan = false;
  const t = setTimeout(() => (cancelledRan = true), 5);
  clearTimeout(t);
  const ticks = await new Promise((resolve) => {
    let n = 0;
    const id = setInterval(() => {
      if (++n === 3) {
        clearInterval(id);
        resolve(n);
      }
    }, 10);
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  check(null, { 'interval ticked 3 times': () => ticks === 3, 'cleared timeout never ran': () => !cancelledRan });
}

// Scenarios one after the other: the second reuses the first one's VUs, with its own env.
import { check } from 'k6';
import exec from 'k6/execution';

export const options = {
  scenarios: {
    warmup: { executor: 'per-vu-iterations', vus: 2, iterations: 1, maxDuration: '1s', gracefulStop: '0s', exec: 'warmup', env: { PHASE: 'warmup' } },
    main: { executor: 'shared-iterations', vus: 2, iterations: 4, startTime: '1s', exec: 'main', env: { PHASE: 'main' } },
  },
};

export function warmup() {
  check(null, { 'warmup env': () => __ENV.PHASE === 'warmup' && __ENV.BASE !== undefined });
}

export function main() {
  check(null, { 'main env': () => __ENV.PHASE === 'main', 'a VU of the pool': () => exec.vu.idInTest <= 2 });
}

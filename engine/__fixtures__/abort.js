import exec from 'k6/execution';
export const options = { vus: 1, iterations: 3 };
export default function () {
  exec.test.abort('aborting on purpose');
}

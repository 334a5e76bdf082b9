// SharedArray semantics (k6/data): built once for the test, the same data in every VU, read-only.
import { check } from 'k6';
import { SharedArray } from 'k6/data';

const rows = new SharedArray('rows', () => {
  console.log('building rows');
  const out = [];
  for (let i = 0; i < 1000; i++) out.push({ id: i, name: `row ${i}`, tags: ['a', 'ü'], nonce: Math.random() });
  out.push(undefined);
  return out;
});
// The same name gives the data built for it: this function never runs.
const again = new SharedArray('rows', () => {
  throw new Error('must not run: "rows" exists');
});
const other = new SharedArray('other', () => ['x', 'y']);

export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 3, iterations: 2 } } };

const throwsTypeError = (f) => {
  try {
    f();
    return false;
  } catch (e) {
    return e instanceof TypeError;
  }
};

export default function () {
  const first = rows[0];
  check(rows, {
    length: (r) => r.length === 1001,
    index: (r) => r[5].id === 5 && r[5].name === 'row 5' && r[5].tags[1] === 'ü',
    'out of range': (r) => r[5000] === undefined && r[-1] === undefined && r['01'] === undefined,
    'undefined element reads null': (r) => r[1000] === null,
    'fresh copies': (r) => r[0] !== r[0] && JSON.stringify(r[0]) === JSON.stringify(first),
    'frozen copies': (r) => Object.isFrozen(r[3]) && Object.isFrozen(r[3].tags),
    'for of': (r) => {
      let n = 0;
      for (const x of r) if (x && x.id === n) n++;
      return n === 1000;
    },
    spread: (r) => [...r].length === 1001 && Array.from(r).length === 1001,
    'array methods': (r) =>
      Array.isArray(r) &&
      r.slice(1, 3).map((x) => x.id).join() === '1,2' &&
      r.filter((x) => x && x.id % 100 === 0).length === 10 &&
      r.findIndex((x) => x && x.id === 42) === 42 &&
      other.includes('y') &&
      other.join('-') === 'x-y',
    'in and keys': (r) => 0 in r && !(1001 in r) && Object.keys(other).join() === '0,1',
    'same name same data': () => again.length === 1001 && again[7].nonce === rows[7].nonce,
    'different names': () => other.length === 2 && other[1] === 'y',
    'writes throw': (r) => throwsTypeError(() => (r[0] = 1)) && throwsTypeError(() => r.push(1)) && throwsTypeError(() => (r.length = 0)) && throwsTypeError(() => delete r[0]),
  });
  console.log(`nonce ${rows[7].nonce}`);
}

// k6-utils from jslib: random test data and text extraction.
import http from 'k6/http';
import { check } from 'k6';
import { randomIntBetween, randomItem, randomString, uuidv4, findBetween, normalDistributionStages } from 'https://jslib.k6.io/k6-utils/1.4.0/index.js';

export const options = { iterations: 5 };

export default function () {
  const n = randomIntBetween(1, 3);
  const name = randomString(10, 'abc');
  const id = uuidv4();
  const page = http.get(`${__ENV.BASE}/`).body;
  check(null, {
    'int in range': () => Number.isInteger(n) && n >= 1 && n <= 3,
    'item from the list': () => ['red', 'blue'].includes(randomItem(['red', 'blue'])),
    'string of the charset': () => /^[abc]{10}$/.test(name),
    'uuid v4': () => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id),
    'title found': () => findBetween(page, '<title>', '</title>') === 'Home',
    'all between, or null': () => JSON.stringify(findBetween('<b>1</b><b>2</b>', '<b>', '</b>', true)) === '["1","2"]' && findBetween('x', '<b>', '</b>') === null,
    'bell-curve stages': () => JSON.stringify(normalDistributionStages(10, 21, 5).map((s) => [s.duration, s.target])) === '[["5s",1],["4s",6],["4s",10],["4s",6],["4s",1]]',
  });
}

// Parts of k6's API the embedded engine does not have: each fails with one line naming it,
// never "TypeError: Cannot read properties of undefined".
import { check } from 'k6';
import { thrown } from './lib/thrown.js';
import exec from 'k6/execution';
import encoding from 'k6/encoding';
import crypto from 'k6/crypto';
import { Counter, Histogram } from 'k6/metrics';
import * as data from 'k6/data';
import { getCurrentStageIndex } from 'https://jslib.k6.io/k6-utils/1.4.0/index.js';

export const options = { iterations: 1, thresholds: { checks: ['rate==1'] } };

export default function () {
  check(null, {
    'a named import the module lacks': () => thrown(() => new Histogram('h')) === 'Error: k6/metrics.Histogram is not supported by the embedded engine (k6/metrics here has: Counter, Gauge, Rate, Trend)',
    'a newer k6 function of exec.test': () => thrown(() => exec.test.fail('x')) === 'Error: exec.test.fail is not supported by the embedded engine (exec.test here has: abort, options)',
    'a member of exec.vu': () => /^Error: exec\.vu\.idInCluster is not supported by the embedded engine \(exec\.vu here has: idInInstance, idInTest, /.test(thrown(() => exec.vu.idInCluster.toString())),
    'a default import': () => thrown(() => encoding.b32encode('x')).startsWith('Error: k6/encoding.b32encode is not supported by the embedded engine'),
    'a namespace import': () => thrown(() => new data.SharedMap('m')).startsWith('Error: k6/data.SharedMap is not supported by the embedded engine'),
    'a lazily loaded module': () => thrown(() => crypto.subtle.digest('SHA-256', 'x')).startsWith('Error: k6/crypto.subtle is not supported by the embedded engine'),
    'a jslib function that needs the running test': () => thrown(() => getCurrentStageIndex()).startsWith('Error: k6-utils.getCurrentStageIndex is not supported by the embedded engine'),
    // What the engine has still reads as before, and `in` answers without throwing.
    'supported members and feature tests': () => typeof Counter === 'function' && !('Histogram' in exec) && exec.vu.idInTest === 1,
  });
}

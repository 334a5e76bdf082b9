import { defineFlags } from '../command.ts';
import { DOWN_MODES, PRESET_NAMES } from '../../demo-target/model.ts';

/** Port of `npm run demo-target` when none is given: fixed, so the README can name the URL. */
export const DEMO_TARGET_PORT = 8099;

/** `npm run demo-target`'s flags and help (the command itself: commands/demo-target.ts). */
export const flags = defineFlags({
  name: 'demo-target',
  describe:
    'start the demo service (home page, search, result page, WebSocket sessions) on 127.0.0.1 with a realistic capacity limit, until Ctrl-C',
  builder: (y) =>
    y
      .usage('npm run demo-target -- [--port 8099] [--preset default] [--workers 4] [--queue 20] …')
      .option('port', { type: 'number', default: DEMO_TARGET_PORT, describe: 'TCP port on 127.0.0.1 (0: a free one)' })
      .option('preset', {
        type: 'string',
        choices: PRESET_NAMES,
        default: 'default',
        describe: 'a named service; the flags below change it',
      })
      .option('workers', { type: 'number', describe: 'requests served at once' })
      .option('queue', { type: 'number', describe: 'requests that may wait for a worker; one more gets a 503' })
      .option('home-ms', { type: 'number', describe: 'mean service time of the home page (ms)' })
      .option('search-ms', { type: 'number', describe: 'mean service time of a search (ms)' })
      .option('result-ms', { type: 'number', describe: 'mean service time of a result page (ms)' })
      .option('spread', { type: 'number', describe: 'σ of the log-normal service times (0: constant)' })
      .option('timeout', { type: 'string', describe: 'answer 504 when a request is not served within this (k6 duration, e.g. 5s)' })
      .option('error-rate', { type: 'number', describe: 'share of requests answered 500 (0–1)' })
      .option('drift', { type: 'number', describe: 'service times grow by this many % per minute' })
      .option('down', { type: 'string', choices: DOWN_MODES, describe: 'refuse: nothing listens; close: connections are closed on accept' })
      .option('seed', { type: 'number', describe: 'seed of the random draws (repeatable runs)' })
      .option('action-ms', { type: 'number', describe: 'mean service time of one action of a WebSocket session on /session (ms)' })
      .option('stall-after', {
        type: 'string',
        describe: '/session stops answering actions this long after its first session (k6 duration, e.g. 30s)',
      })
      .example('npm run demo-target', 'the default service: its knee is near 118 users of the search scenario')
      .example('npm run demo-target -- --preset flaky --port 9000', 'one request in five fails')
      .example('npm run demo-target -- --workers 8 --drift 20', 'twice the capacity, slowing down by 20 %/min'),
});

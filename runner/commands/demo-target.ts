import { defineCommand } from './command.ts';
import { flags } from './flags/demo-target.ts';
import { parseDuration } from '../../formats/duration.ts';
import { ExitCode, UserError } from '../../formats/errors.ts';
import { DEMO_PRESETS, estimateKnee, startDemoTarget, type DemoTarget, type DemoTargetOptions } from '../demo-target/server.ts';
import { optionProblems, type DownMode } from '../demo-target/model.ts';

/** How often a stats line is printed while requests come in. */
const STATS_EVERY_MS = 5000;

/**
 * `npm run demo-target -- [--port N] [--preset name] [--workers N] …`: the demo service in the
 * foreground on 127.0.0.1 until Ctrl-C, with a line of figures every few seconds.
 */
export const command = defineCommand({
  ...flags,
  run: async (args, io) => {
    const base = DEMO_PRESETS[args.preset as keyof typeof DEMO_PRESETS];
    const options: DemoTargetOptions = {
      ...base,
      port: args.port,
      workers: args.workers ?? base.workers,
      queueLength: args.queue ?? base.queueLength,
      serviceMs: {
        home: args['home-ms'] ?? base.serviceMs.home,
        search: args['search-ms'] ?? base.serviceMs.search,
        result: args['result-ms'] ?? base.serviceMs.result,
      },
      spread: args.spread ?? base.spread,
      timeoutMs: args.timeout === undefined ? base.timeoutMs : parseDuration(args.timeout, '--timeout'),
      errorRate: args['error-rate'] ?? base.errorRate,
      driftPctPerMin: args.drift ?? base.driftPctPerMin,
      down: (args.down as DownMode | undefined) ?? base.down,
      seed: args.seed ?? base.seed,
      actionMs: args['action-ms'] ?? base.actionMs,
      stallAfterMs: args['stall-after'] === undefined ? base.stallAfterMs : parseDuration(args['stall-after'], '--stall-after'),
    };
    const problems = optionProblems(options);
    if (problems.length > 0) throw new UserError(problems.join('; '));

    let target: DemoTarget;
    try {
      target = await startDemoTarget(options);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new UserError(`--port: ${options.port} is already in use on 127.0.0.1`, {
          hint: 'pass another --port, or --port 0 for a free one',
        });
      }
      throw e;
    }
    const { serviceMs: ms } = options;
    io.stdout.write(
      `demo target (${args.preset}) on ${target.url}  ` +
        `${options.workers} workers, queue ${options.queueLength}, mean service home ${ms.home} / search ${ms.search} / result ${ms.result} ms, ` +
        `timeout ${options.timeoutMs} ms` +
        (options.errorRate > 0 ? `, errors ${(options.errorRate * 100).toFixed(0)} %` : '') +
        (options.driftPctPerMin > 0 ? `, drift +${options.driftPctPerMin} %/min` : '') +
        (options.down !== 'no' ? `, DOWN (${options.down})` : '') +
        `\nknee ≈ ${Math.round(estimateKnee(options))} users of the search scenario (think time 1–3 s)` +
        `\ntry: npm run stages -- --host ${target.url} --users 25,50,100 --duration 1m\nCtrl-C to stop\n`,
    );

    let last = target.stats();
    const timer = setInterval(() => {
      const s = target.stats();
      const requests = s.received - last.received;
      if (requests > 0 || s.inService > 0) {
        io.stdout.write(
          `${(requests / (STATS_EVERY_MS / 1000)).toFixed(1)} req/s  in service ${s.inService}/${options.workers}  queued ${s.queued}  ` +
            `503 ${s.rejected - last.rejected}  504 ${s.timedOut - last.timedOut}  500 ${s.injected - last.injected}  service ×${s.serviceTimeFactor.toFixed(2)}\n`,
        );
      }
      last = s;
    }, STATS_EVERY_MS);
    try {
      await new Promise<void>((resolve) => {
        if (io.signal.aborted) return resolve();
        io.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      clearInterval(timer);
      await target.close();
    }
    const s = target.stats();
    io.stdout.write(`stopped: ${s.received} requests, ${s.ok} ok, ${s.rejected} × 503, ${s.timedOut} × 504, ${s.injected} × 500\n`);
    return ExitCode.ok;
  },
});

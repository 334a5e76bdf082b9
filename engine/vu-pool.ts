/**
 * The VUs: one worker thread each (plus k6's VU 0, the controller, for options, setup, teardown
 * and handleSummary), initialised before the test as k6 does, lent to scenarios and given back,
 * and the ones arrival-rate executors allocate during the test.
 */
import { setFlagsFromString } from 'node:v8';
import type { Bundles } from './bundle.ts';
import type { VuSockets } from './native/vu-sockets.ts';
import type { HttpOptions } from './options.ts';
import { Vu, type ControlCall, type VuHooks, type WakePipe } from './vu.ts';
import { VuBell } from './vu-bell.ts';

export interface VuPoolInit {
  bundles: Bundles;
  scriptPath: string;
  /** __ENV of every VU. */
  env: Record<string, string>;
  hooks: VuHooks;
  /** Plain HTTP on the VUs' own sockets, or why not. */
  sockets: VuSockets;
}

/** HTTP options the VUs' own sockets do not do (other hosts, connections closed on purpose): the main thread then sends every request. */
const socketsServe = (h: HttpOptions): boolean => h.hosts.size === 0 && !h.noConnectionReuse && !h.noVUConnectionReuse;

export class VuPool {
  private readonly all: Vu[] = [];
  private readonly idle: Vu[] = [];
  private nextId = 1;
  private http: HttpOptions | null = null;
  private readonly lazyCode: SharedArrayBuffer;
  private readonly countersBuffer = new SharedArrayBuffer(4 * 64);
  private readonly bell = new VuBell();
  /** The iteration counters every VU shares (protocol.ts COUNTER). */
  readonly counters = new Int32Array(this.countersBuffer);
  /** VUs initialised so far (vus_max; arrival-rate executors add some during the test). */
  initialized = 0;

  constructor(private readonly init: VuPoolInit) {
    // Measured: any V8 flag set now makes the 150 VU isolates start lazily (Node's code cache of
    // its internals no longer matches the flags), ~0.6 MiB less each; this one also bounds their
    // young generation. The main thread's heap is already configured and keeps its own.
    setFlagsFromString('--max-semi-space-size=1');
    // TurboFan later (9x its budget): each of 150 isolates optimizes the same functions for itself,
    // on V8's helper threads, for a VU that runs them only tens of times a second. Measured at 150
    // VUs flat out: helper threads 38 -> 20 µs of CPU a request, 6,030-6,180 -> 6,350-6,410 req/s;
    // the main thread, hot, is optimized as before.
    setFlagsFromString('--interrupt-budget=600000');
    // The lazy bundle (k6/crypto, k6/html with its parser, jslib) is shared memory read only by the
    // VUs that need it: as a string it would be copied into every VU's workerData (~220 KB × 150 VUs).
    const lazyBytes = Buffer.from(init.bundles.lazy, 'utf8');
    this.lazyCode = new SharedArrayBuffer(lazyBytes.length);
    lazyBytes.copy(Buffer.from(this.lazyCode));
  }

  private spawn(id: number, controller: boolean): Vu {
    const { bundles, scriptPath, env, hooks, sockets } = this.init;
    // VU 0 (setup, teardown) keeps the main thread's path: its requests are few.
    let wake: WakePipe | null = null;
    if (!controller && this.http && 'addon' in sockets && socketsServe(this.http)) {
      const fds = sockets.addon.pipe();
      if (typeof fds !== 'number') wake = { addon: sockets.addon, read: fds[0], write: fds[1] };
    }
    const vu = new Vu(
      id,
      bundles.worker,
      {
        code: bundles.user,
        runtimeCode: bundles.runtime,
        lazyCode: this.lazyCode,
        scriptPath,
        env,
        controller,
        counters: this.countersBuffer,
        ...(wake && 'path' in sockets ? { sockets: { addon: sockets.path, wakeFd: wake.read, userAgent: this.http!.userAgent } } : {}),
      },
      hooks,
      this.bell,
      wake,
    );
    if (!controller && this.http) vu.http.configure(this.http);
    this.all.push(vu);
    return vu;
  }

  /** VU 0: reads the options, runs setup, teardown and handleSummary. */
  controller(): Vu {
    return this.spawn(0, true);
  }

  /** The HTTP options of every VU's client, once the options are read. */
  configure(http: HttpOptions): void {
    this.http = http;
    for (const v of this.all) v.http.configure(http);
  }

  /** Initialises `n` idle VUs before the test; resolves with the first failed init, if any. */
  async initialise(n: number): Promise<ControlCall | null> {
    const vus = Array.from({ length: n }, () => this.spawn(this.nextId++, false));
    this.idle.push(...vus);
    const inits = await Promise.all(vus.map((v) => v.nextControl()));
    this.initialized += n;
    return inits.find((c) => c.op !== 'init' || !c.ok) ?? null;
  }

  /** One more VU during the test; the init's error when it failed. */
  async allocate(): Promise<Vu | { error: string }> {
    const v = this.spawn(this.nextId++, false);
    const c = await v.nextControl();
    if (c.op !== 'init' || !c.ok) return { error: c.op === 'init' && !c.ok ? c.error : 'init failed' };
    this.initialized++;
    return v;
  }

  /** Up to `n` idle VUs, for a scenario that starts. */
  take(n: number): Vu[] {
    return this.idle.splice(0, n);
  }

  /** A scenario's VUs back, for the scenarios that start later. */
  giveBack(vus: readonly Vu[]): void {
    for (const v of vus) if (!v.exited) this.idle.push(v);
  }

  /** The test stops: no VU starts an iteration, every one in progress is interrupted. */
  stopAll(): void {
    for (const v of this.all) {
      v.hold(true);
      v.interrupt();
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      this.all.map(async (v) => {
        if (!v.exited) void v.command({ op: 'exit' });
        await v.close();
      }),
    );
    this.bell.close();
  }
}

/**
 * The script's options that are not scenarios: the summary's (trend stats, time unit) and HTTP's,
 * read and checked once before any VU runs (a bad one is exit 104, naming it). Pure.
 */
import { UserError } from '../formats/errors.ts';
import { SUMMARY_TIME_UNITS, badTrendStat, type RunFlags } from './flags.ts';
import { badOption, boolean, readOption, wholeNumber } from './option-values.ts';

/** The summary's trend stats and time unit: flags first, then the script's options, then k6's defaults. Throws UserError on a bad option. */
export function summaryOptions(
  options: Record<string, unknown>,
  flags: Pick<RunFlags, 'summaryTrendStats' | 'summaryTimeUnit'>,
): { trendStats: string[]; timeUnit: string } {
  let trendStats = flags.summaryTrendStats;
  if (!trendStats && options.summaryTrendStats !== undefined) {
    const v = options.summaryTrendStats;
    if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string'))
      throw badOption('summaryTrendStats', 'an array of stats like ["avg", "p(95)"]', v);
    const why = badTrendStat(v);
    if (why) throw new UserError(`options.summaryTrendStats: ${why}`);
    trendStats = v;
  }
  let timeUnit = flags.summaryTimeUnit;
  if (timeUnit === null && options.summaryTimeUnit !== undefined && options.summaryTimeUnit !== '') {
    const v = options.summaryTimeUnit;
    if (typeof v !== 'string' || !(SUMMARY_TIME_UNITS as readonly string[]).includes(v))
      throw badOption('summaryTimeUnit', '"s", "ms" or "us"', v);
    timeUnit = v;
  }
  return { trendStats: trendStats ?? ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'], timeUnit: timeUnit ?? '' };
}

/** The User-Agent of requests when options.userAgent is not set (k6's is `k6/<version> (https://k6.io/)`). */
export const DEFAULT_USER_AGENT = 'k6-embedded/0.1.0 (k6 v0.48 compatible)';

/** k6's HTTP options that the main thread applies to every VU's client. */
export interface HttpOptions {
  /** '' sends no User-Agent header (as k6). */
  userAgent: string;
  insecureSkipTLSVerify: boolean;
  /** No keep-alive: every request on a connection of its own. */
  noConnectionReuse: boolean;
  /** A VU's connections are closed at each iteration's start. */
  noVUConnectionReuse: boolean;
  /** At most this many requests of one http.batch() at a time (0: no limit). */
  batch: number;
  /** At most this many of them to one host at a time (0: no limit). */
  batchPerHost: number;
  /** options.hosts: `name` or `name:port` → the host (and port) to connect to instead. */
  hosts: ReadonlyMap<string, { host: string; port: string | null }>;
}

export const DEFAULT_HTTP_OPTIONS: HttpOptions = {
  userAgent: DEFAULT_USER_AGENT,
  insecureSkipTLSVerify: false,
  noConnectionReuse: false,
  noVUConnectionReuse: false,
  batch: 20,
  batchPerHost: 6,
  hosts: new Map(),
};

/** k6 options about HTTP that this engine does not implement: a script that sets one is refused, naming it. */
const UNSUPPORTED_HTTP_OPTIONS = [
  'rps',
  'tlsAuth',
  'tlsCipherSuites',
  'tlsVersion',
  'localIPs',
  'blockHostnames',
  'blacklistIPs',
  'dns',
  'httpDebug',
];

const bool = (name: string, options: Record<string, unknown>): boolean => readOption(boolean, name, options[name]);

function hostsOption(h: unknown): HttpOptions['hosts'] {
  const hosts = new Map<string, { host: string; port: string | null }>();
  if (h === undefined || h === null) return hosts;
  if (typeof h !== 'object' || Array.isArray(h)) throw badOption('hosts', 'an object of host names to addresses', h);
  for (const [name, to] of Object.entries(h as Record<string, unknown>)) {
    const m = typeof to === 'string' ? /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+)(?::(\d{1,5}))?$/.exec(to) : null;
    if (!m) throw badOption(`hosts["${name}"]`, 'an address like "127.0.0.1" or "127.0.0.1:8080"', to);
    hosts.set(name.toLowerCase(), { host: m[1]!.replace(/^\[|\]$/g, ''), port: m[2] ?? null });
  }
  return hosts;
}

/**
 * The HTTP options (k6's defaults where unset): validated here once, so that a bad one is exit
 * 104 before any VU runs. maxRedirects, discardResponseBodies and throw are checked here too,
 * though each VU applies them to its own requests.
 */
export function httpOptions(options: Record<string, unknown>): HttpOptions {
  for (const name of UNSUPPORTED_HTTP_OPTIONS) {
    const v = options[name];
    // Set to nothing (k6's own zero values): nothing to refuse.
    if (v !== undefined && v !== null && v !== false && v !== '' && v !== 0 && !(Array.isArray(v) && v.length === 0)) {
      throw new UserError(`options.${name} is not supported by the embedded engine (run this script on k6, or leave the option out)`);
    }
  }
  readOption(wholeNumber(10), 'maxRedirects', options.maxRedirects);
  bool('discardResponseBodies', options);
  bool('throw', options);
  const ua = options.userAgent;
  if (ua !== undefined && ua !== null && typeof ua !== 'string') throw badOption('userAgent', 'a string', ua);
  return {
    userAgent: typeof ua === 'string' ? ua : DEFAULT_USER_AGENT,
    insecureSkipTLSVerify: bool('insecureSkipTLSVerify', options),
    noConnectionReuse: bool('noConnectionReuse', options),
    noVUConnectionReuse: bool('noVUConnectionReuse', options),
    batch: readOption(wholeNumber(20), 'batch', options.batch),
    batchPerHost: readOption(wholeNumber(6), 'batchPerHost', options.batchPerHost),
    hosts: hostsOption(options.hosts),
  };
}

/**
 * What `k6 --help`, `k6 help [command]` and `k6 run --help` print for the embedded engine: k6's
 * layout (cobra's Usage / Available Commands / Flags sections), listing what THIS engine does and
 * saying which of k6's commands and flags it does not have. Pure: the CLI prints it.
 */

/** A flag of `k6 run` this engine reads (flags.ts parseRunArgs); `arg` is its value's kind, as cobra shows it. */
export interface RunFlag {
  readonly short?: string;
  readonly long: string;
  readonly arg?: string;
  readonly describe: string;
}

export const RUN_FLAGS: readonly RunFlag[] = [
  { short: 'u', long: 'vus', arg: 'int', describe: 'number of virtual users (default 1)' },
  { short: 'd', long: 'duration', arg: 'duration', describe: 'test duration limit' },
  { short: 'i', long: 'iterations', arg: 'int', describe: 'script total iteration limit (among all VUs)' },
  { short: 's', long: 'stage', arg: 'stage', describe: 'add a stage, as `[duration]:[target]` (repeatable, or comma-separated)' },
  { short: 'e', long: 'env', arg: 'VAR=value', describe: 'add/override environment variable with `VAR=value`' },
  { long: 'include-system-env-vars', describe: 'pass the real system environment variables to the runtime (default true)' },
  {
    short: 'o',
    long: 'out',
    arg: 'csv=<file>',
    describe: 'write every sample to a CSV file, gzip when it ends in .gz (the only output of this engine)',
  },
  { long: 'summary-export', arg: 'string', describe: 'output the end-of-test summary report to JSON file' },
  {
    long: 'summary-trend-stats',
    arg: 'stats',
    describe: 'define stats for trend metrics, e.g. avg,p(95),p(99.9) (default avg,min,med,max,p(90),p(95))',
  },
  { long: 'summary-time-unit', arg: 'string', describe: 'define the time unit used to display the trend stats: s, ms or us' },
  { long: 'system-tags', arg: 'tags', describe: 'only include these system tags in metrics, e.g. status,url,name' },
  { long: 'no-summary', describe: "don't show the summary at the end of the test" },
  { long: 'no-thresholds', describe: "don't run thresholds" },
  { short: 'q', long: 'quiet', describe: 'disable progress updates' },
  { long: 'no-color', describe: 'disable colored output' },
  { short: 'h', long: 'help', describe: 'help for run' },
];

/** k6's commands this engine does not have: a real k6 does them. */
export const COMMANDS_NOT_SUPPORTED = [
  'archive',
  'cloud',
  'completion',
  'convert',
  'inspect',
  'login',
  'new',
  'pause',
  'resume',
  'scale',
  'stats',
  'status',
] as const;

/**
 * `k6 run` flags of k6 v0.48 this engine does not read → the script option that does the same
 * here, or null (a real k6 only).
 */
export const RUN_FLAGS_NOT_SUPPORTED: Readonly<Record<string, string | null>> = {
  '--max-redirects': 'maxRedirects',
  '--batch': 'batch',
  '--batch-per-host': 'batchPerHost',
  '--user-agent': 'userAgent',
  '--insecure-skip-tls-verify': 'insecureSkipTLSVerify',
  '--no-connection-reuse': 'noConnectionReuse',
  '--throw': 'throw',
  '-w': 'throw',
  '--discard-response-bodies': 'discardResponseBodies',
  '--tag': 'tags',
  ...Object.fromEntries(
    [
      '--paused',
      '-p',
      '--no-setup',
      '--no-teardown',
      '--rps',
      '--http-debug',
      '--no-vu-connection-reuse',
      '--min-iteration-duration',
      '--blacklist-ip',
      '--block-hostnames',
      '--console-output',
      '--local-ips',
      '--dns',
      '--linger',
      '-l',
      '--no-usage-report',
      '--traces-output',
      '--compatibility-mode',
      '--execution-segment',
      '--execution-segment-sequence',
      '--address',
      '-a',
      '--config',
      '-c',
      '--log-output',
      '--logformat',
      '--verbose',
      '-v',
      '--profiling-enabled',
    ].map((f) => [f, null]),
  ),
};

/** One line for a k6 flag this engine does not read, saying what to do instead. */
export function unsupportedFlagMessage(flag: string): string | null {
  if (!(flag in RUN_FLAGS_NOT_SUPPORTED)) return null;
  const option = RUN_FLAGS_NOT_SUPPORTED[flag];
  return `flag ${flag} is not supported by the embedded engine: ${option ? `set the option ${option} in the script's options instead` : 'use a real k6 for it'}`;
}

const LOGO = "k6-embedded: the toolkit's k6-compatible engine, on Node (k6 v0.48 compatible)";

/** Two columns as cobra lays them out: names padded to the longest, three spaces, the text. */
function table(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, text]) => `  ${name.padEnd(width)}   ${text}`).join('\n');
}

function flagName(f: RunFlag): string {
  const long = `--${f.long}${f.arg ? ` ${f.arg}` : ''}`;
  return f.short ? `-${f.short}, ${long}` : `    ${long}`;
}

export function rootHelp(): string {
  return `${LOGO}

Usage:
  k6 [command]

Available Commands:
${table([
  ['help', 'Help about any command'],
  ['run', 'Start a load test'],
  ['version', 'Show application version'],
])}

Not available in this engine (a real k6 has them):
  ${COMMANDS_NOT_SUPPORTED.join(', ')}

Flags:
${table([
  ['-h, --help', 'help for k6'],
  ['    --version', 'version for k6'],
])}

Use "k6 [command] --help" for more information about a command.
`;
}

export function runHelp(): string {
  return `Start a load test.

The script is a k6 ES module; it runs on this engine's own k6 modules (see engine/README.md
for what they cover). Exit codes are k6's: 0 ok, 99 thresholds crossed, 107 script error, 255 bad usage.

Usage:
  k6 run [flags] <script.js>

Examples:
  # Run a single VU, once.
  k6 run script.js

  # Run 5 VUs, splitting 10 iterations between them.
  k6 run -u 5 -i 10 script.js

  # Ramp VUs from 0 to 100 over 10s, stay there for 60s, then 10s down to 0.
  k6 run -u 0 -s 10s:100 -s 60s:100 -s 10s:0 script.js

  # Write every sample to a gzipped CSV file, and the summary to JSON.
  k6 run -o csv=out.csv.gz --summary-export summary.json script.js

Flags:
${table(RUN_FLAGS.map((f) => [flagName(f), f.describe]))}

Not available in this engine (a real k6 has them): the other flags of k6 run. Those that are script
options too (${Object.entries(RUN_FLAGS_NOT_SUPPORTED)
    .filter(([f, o]) => o && f.startsWith('--'))
    .map(([f]) => f)
    .join(', ')})
are set in the script's options here; the others (--paused, --no-setup, --rps, --http-debug, …) need a real k6.
`;
}

export function versionHelp(): string {
  return `Show the application version and exit.

Usage:
  k6 version [flags]

Flags:
${table([['-h, --help', 'help for version']])}
`;
}

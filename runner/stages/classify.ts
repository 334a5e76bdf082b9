import type { StageStatus } from '../../formats/run-manifest.ts';
import type { StageStats } from '../../formats/stage-stats.ts';
import type { StageRunOutcome } from '../engines/engine.ts';
import { K6_ERROR_CODES } from '../../formats/k6/csv.ts';
import { K6ExitCode } from '../../formats/k6/exit-codes.ts';
import { redactUrlText } from '../redact.ts';

/** Failed requests that never got an HTTP answer (k6 codes 1000–1399: network, DNS, TCP, TLS, timeouts). */
export function transportFailures(stats: StageStats): number {
  return Object.entries(stats.errors.byCode)
    .filter(([code]) => Number(code) >= 1000 && Number(code) < 1400)
    .reduce((sum, [, n]) => sum + n, 0);
}

/**
 * How a stage ended, from the engine's exit and the stage's statistics. A failure of the system
 * under test (refused connections, timeouts in bulk) is a measurement ("target-failed", which
 * the decision scores red); a failure of the engine is not ("engine-failed").
 */
export function classifyStage(
  outcome: StageRunOutcome,
  stats: StageStats | null,
  statsError?: string,
): { status: StageStatus; why?: string } {
  const { exitCode, signal, interrupted } = outcome;
  if (interrupted || exitCode === K6ExitCode.externalAbort) {
    return {
      status: 'interrupted',
      why: `stopped by the operator after ${Math.round((outcome.endedAtMs - outcome.startedAtMs) / 1000)} s`,
    };
  }
  if (exitCode === null) return { status: 'engine-failed', why: `the engine was killed (${signal ?? 'unknown signal'})` };
  const finished = exitCode === K6ExitCode.ok || exitCode === K6ExitCode.thresholdsHaveFailed || exitCode === K6ExitCode.scriptAborted;
  if (!finished) return { status: 'engine-failed', why: `the engine exited with code ${exitCode}` };
  if (!stats) return { status: 'engine-failed', why: `the engine's CSV could not be read${statsError ? `: ${statsError}` : ''}` };
  if (stats.all.count === 0) return { status: 'target-failed', why: 'no request completed during the hold' };
  const transport = transportFailures(stats);
  if (stats.all.failures === stats.all.count) {
    return { status: 'target-failed', why: `every request failed (${describeTopError(stats)})` };
  }
  if (transport >= stats.all.count / 2) {
    return {
      status: 'target-failed',
      why: `${Math.round((100 * transport) / stats.all.count)} % of requests got no answer (${describeTopError(stats)})`,
    };
  }
  if (exitCode === K6ExitCode.scriptAborted) return { status: 'target-failed', why: 'the script aborted the test (exit 108)' };
  if (exitCode === K6ExitCode.thresholdsHaveFailed)
    return { status: 'completed', why: "the script's own thresholds were crossed (exit 99)" };
  return { status: 'completed' };
}

/** Names of the transport errors seen most, keyed by k6's codes from the one table (formats/k6/csv.ts). */
const CODE_NAMES: Record<string, string> = {
  [K6_ERROR_CODES.requestTimeout]: 'request timeout',
  [K6_ERROR_CODES.tcpDialTimeout]: 'dial timeout',
  [K6_ERROR_CODES.tcpDialRefused]: 'connection refused',
  [K6_ERROR_CODES.tcpResetByPeer]: 'connection reset',
  [K6_ERROR_CODES.dnsNoIp]: 'host not found',
};

function describeTopError(stats: StageStats): string {
  const top = Object.entries(stats.errors.byCode).sort((a, b) => b[1] - a[1])[0];
  if (!top) return 'no error code';
  const [code, n] = top;
  const name = CODE_NAMES[code] ?? (Number(code) >= 1400 ? `HTTP ${Number(code) - 1000}` : 'network error');
  return `mostly ${name}, k6 error ${code} × ${n}`;
}

/** The longest engine error line quoted in run.json. */
const ERROR_LINE_MAX = 160;

/**
 * The engine's last error in its console output, as one short line for a stage's `why`: k6's
 * logfmt (`level=error msg="Error: boom\n\tat …" hint="script exception"`: the message's first
 * line, after the hint) or its terminal format (`ERRO[0000] …`). URLs' credentials are masked;
 * undefined when the log holds no error.
 */
export function lastEngineError(log: string): string | undefined {
  const lines = log.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    let text: string | undefined;
    if (/\blevel=(error|fatal)\b/.test(line)) {
      const msg = logfmtValue(line, 'msg');
      const hint = logfmtValue(line, 'hint');
      text = msg === undefined ? line : `${hint ? `${hint}: ` : ''}${msg.split('\n')[0]}`;
    } else if (/^(ERRO|FATA)\[/.test(line)) {
      text = line.replace(/^\w+\[[^\]]*\]\s*/, '');
    }
    if (text === undefined) continue;
    // eslint-disable-next-line no-control-regex
    const one = redactUrlText(text)
      .replace(/[\x00-\x1f\x7f]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (one) return one.length > ERROR_LINE_MAX ? `${one.slice(0, ERROR_LINE_MAX - 1)}…` : one;
  }
  return undefined;
}

/** A logfmt value, quoted (Go escapes undone) or bare; undefined when the key is absent. */
function logfmtValue(line: string, key: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|(\\S*))`).exec(line);
  if (!m) return undefined;
  if (m[2] !== undefined) return m[2];
  try {
    return JSON.parse(`"${m[1]}"`) as string;
  } catch {
    return m[1]!.replace(/\\n/g, '\n');
  }
}

/** k6's execution description, printed before the test (not with --quiet). */
import type { Writable } from 'node:stream';
import { formatMs } from './executors/executor.ts';
import type { RunFlags } from './flags.ts';
import { describeScenario, maxVUs, peakVUs, totalDurationMs, type Scenario } from './scenarios.ts';

export const ENGINE_VERSION = '0.1.0';

export function banner(out: Writable, flags: RunFlags, scenarios: readonly Scenario[]): void {
  const outputs = flags.csvOutputs.length ? flags.csvOutputs.map((p) => `csv (${p})`).join(', ') : '-';
  const vusMax = peakVUs(scenarios, maxVUs);
  let s = `\n  k6-embedded v${ENGINE_VERSION} (k6 v0.48 compatible)\n\n  execution: local\n     script: ${flags.script}\n     output: ${outputs}\n\n`;
  s += `  scenarios: (100.00%) ${scenarios.length} scenario${scenarios.length > 1 ? 's' : ''}, ${vusMax} max VUs, ${formatMs(totalDurationMs(scenarios))} max duration (incl. graceful stop):\n`;
  for (const sc of scenarios) s += `           * ${sc.name}: ${describeScenario(sc)}\n`;
  out.write(`${s}\n\n`);
}

/** One scenario's progress as the engine sees it; times in ms since the test started. */
export interface ScenarioProgress {
  name: string;
  /** VUs running the scenario's iterations now, and the most it can have. */
  active: number;
  maxVUs: number;
  durationMs: number;
  /** When the scenario started and ended (null: not yet). */
  startedMs: number | null;
  endedMs: number | null;
}

/**
 * k6's progress block (pure): the test's line, then one bar per scenario with that scenario's own
 * VUs and elapsed time (at most its duration, as k6); `↓` once its duration is over (graceful stop),
 * `✓` and 100 % once it ended.
 */
export function progressText(
  elapsedMs: number,
  test: { active: number; vusMax: number; completed: number; interrupted: number },
  scenarios: readonly ScenarioProgress[],
): string {
  const vus = (active: number, max: number): string => `${String(active).padStart(String(max).length, '0')}/${max}`;
  let s = `running (${(elapsedMs / 1000).toFixed(1).padStart(4, '0')}s), ${vus(test.active, test.vusMax)} VUs, ${test.completed} complete and ${test.interrupted} interrupted iterations\n`;
  const width = Math.max(...scenarios.map((sc) => sc.name.length));
  for (const sc of scenarios) {
    const own = sc.startedMs === null ? 0 : Math.max(0, (sc.endedMs ?? elapsedMs) - sc.startedMs);
    const over = sc.endedMs !== null || own >= sc.durationMs;
    const pct = over || !sc.durationMs ? 100 : Math.min(100, Math.round((own / sc.durationMs) * 100));
    const status = sc.endedMs !== null ? '✓' : over ? '↓' : ' ';
    s += `${sc.name.padEnd(width)} ${status} [ ${String(pct).padStart(3)}% ] ${vus(sc.active, sc.maxVUs)} VUs  ${(Math.min(own, sc.durationMs) / 1000).toFixed(1)}s/${(sc.durationMs / 1000).toFixed(1)}s\n`;
  }
  return `${s}\n`;
}

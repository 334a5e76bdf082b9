/**
 * The key transaction: the samples the p95 criterion, the windows and the capacity are read on.
 * By default HTTP requests tagged `name=<name>` (their `http_req_duration`); it may instead be a
 * custom Trend of the script tagged `name=<name>` (a WebSocket action's `ws_action_duration`).
 */

/** The metric of an HTTP key transaction (k6's request duration). */
export const HTTP_KEY_METRIC = 'http_req_duration';

/**
 * How the key transaction is written wherever it is shown or compared: its name for HTTP
 * requests (as always), k6's submetric syntax `metric{name:…}` for a custom Trend, so that a
 * reader sees which metric it is.
 */
export function keyLabel(name: string, metric?: string): string {
  return metric === undefined || metric === HTTP_KEY_METRIC ? name : `${metric}{name:${name}}`;
}

/** The metric to record in a run's plan: none for HTTP (run.json as before), else the Trend's name. */
export function customKeyMetric(metric: string | undefined): { keyMetric?: string } {
  return metric === undefined || metric === HTTP_KEY_METRIC ? {} : { keyMetric: metric };
}

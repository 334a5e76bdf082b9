import { join } from 'node:path';
import { z } from 'zod';
import { DECISIONS } from '../../formats/decision.ts';
import { jsonFormat } from '../../formats/json-format.ts';

/**
 * `results/notify-state.json`: what `npm run notify` last told the webhook, so that a second call
 * with nothing new posts nothing. Rewritten atomically, and only after the webhook accepted the
 * message (a failed post is retried by the next call). It never holds the webhook URL.
 */

export const NOTIFY_STATE_FILE = 'notify-state.json';

export const NotifyStateSchema = z.object({
  kind: z.literal('notify-state'),
  schemaVersion: z.literal(1),
  /** The decision last announced (null before the first one). */
  decision: z
    .object({
      value: z.enum(DECISIONS),
      provisional: z.boolean(),
      /** Newest run it rested on, for the reader of this file. */
      newestRun: z.string().nullable(),
      announcedAt: z.iso.datetime(),
    })
    .nullable(),
  /** The streak of failed runs already alerted: its first (oldest) run id; null when none is open. */
  failureAlert: z
    .object({
      streakStart: z.string(),
      runIds: z.array(z.string()).min(1),
      alertedAt: z.iso.datetime(),
    })
    .nullable(),
  /**
   * Failures of `npm run stages` that left no run folder (bad input, k6 missing), as the CI job
   * reported them with `--tool-failed`: the failure streak counts them beside the runs. Dropped
   * once a completed run follows them. Added in schema version 1 (optional: older files load).
   */
  folderlessFailures: z.array(z.object({ id: z.string(), at: z.iso.datetime(), exitCode: z.number().int() })).optional(),
  updatedAt: z.iso.datetime(),
});
export type NotifyState = z.infer<typeof NotifyStateSchema>;

export const notifyStateFormat = jsonFormat(
  'notify-state',
  1,
  NotifyStateSchema,
  'delete it: the next `npm run notify` announces the current decision again and starts a new state',
);

export function notifyStatePath(resultsDir: string): string {
  return join(resultsDir, NOTIFY_STATE_FILE);
}

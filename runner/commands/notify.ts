import { access, appendFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { decideRuns } from '../decide-runs.ts';
import { type Decision, decisionFormat } from '../../formats/decision.ts';
import { ExitCode, UserError, fsReason } from '../../formats/errors.ts';
import type { Io } from '../io.ts';
import { detectChanges, type NotifyEvent } from '../notify/detect.ts';
import { actionsFor, buildPayload, eventLines, markdownSummary, type PayloadFormat } from '../notify/payload.ts';
import { parseWebhook, postWebhook, type Webhook } from '../notify/post.ts';
import { runOutcomes } from '../notify/runs.ts';
import { notifyStateFormat, notifyStatePath, type NotifyState } from '../notify/state.ts';
import { listRuns, selectResults } from '../results-store.ts';
import { defineCommand } from './command.ts';
import { WEBHOOK_ENV, flags } from './flags/notify.ts';
import { readFormat, writeFormat } from '../../formats/files.ts';

export interface NotifyArgs {
  webhook?: string | undefined;
  results: string;
  config?: string | undefined;
  environment?: string | undefined;
  decision?: string | undefined;
  format: PayloadFormat;
  'dry-run': boolean;
  summary?: string | undefined;
  link?: string | undefined;
  failures: number;
  'tool-failed'?: number | undefined;
}

export const command = defineCommand({
  ...flags,
  run: (args, io) => runNotify(args as NotifyArgs, io),
});

/** Exit 0 when posted or nothing to post; `incomplete` when the webhook refused or could not be reached. */
export async function runNotify(args: NotifyArgs, io: Io): Promise<number> {
  checkNotifyArgs(args);
  const toolFailed = args['tool-failed'];
  const resultsDir = resolve(io.cwd, args.results);
  const webhookText = args.webhook ?? (io.env[WEBHOOK_ENV] || undefined);
  const webhook: Webhook | null =
    webhookText === undefined ? null : parseWebhook(webhookText, args.webhook !== undefined ? '--webhook' : WEBHOOK_ENV);

  // The decision reads one environment's runs (as decide does); the tool's failures count every run.
  const {
    config,
    runs: environmentRuns,
    notes,
  } = await selectResults(
    {
      results: args.results,
      ...(args.config !== undefined ? { config: args.config } : {}),
      ...(args.environment !== undefined ? { environment: args.environment } : {}),
    },
    io.cwd,
  );
  for (const note of notes) io.stderr.write(`${note}\n`);
  const stored = await listRuns(resultsDir);
  const decision = args.decision
    ? await readFormat(decisionFormat, resolve(io.cwd, args.decision))
    : decideRuns(environmentRuns, config, {}, 'or pass a decision file with --decision');
  const actions = actionsFor(decision, config.actions);
  const statePath = notifyStatePath(resultsDir);
  const previous: NotifyState | null = (await exists(statePath)) ? await readFormat(notifyStateFormat, statePath) : null;
  const changes = detectChanges({
    previous,
    decision,
    runs: runOutcomes(stored),
    toolFailed,
    failureThreshold: args.failures,
    now: new Date(io.now()).toISOString(),
  });
  const payload = changes.events.length ? buildPayload(args.format, { decision, events: changes.events, link: args.link, actions }) : null;
  const outcome = await deliver({ args, io, webhook, payload, changes, decision, actions, statePath });
  if (args.summary !== undefined) await appendSummary(args.summary, io, markdownSummary(decision, outcome, args.link, actions));
  return ExitCode.ok;
}

function checkNotifyArgs(args: NotifyArgs): void {
  if (!Number.isInteger(args.failures) || args.failures < 1) {
    throw new UserError(`--failures: expected a positive whole number of runs, got ${String(args.failures)}`);
  }
  const toolFailed = args['tool-failed'];
  if (toolFailed !== undefined && (!Number.isInteger(toolFailed) || toolFailed === 0)) {
    throw new UserError(`--tool-failed: expected the non-zero exit code of npm run stages, got ${String(toolFailed)}`);
  }
  if (args.link !== undefined && !/^https?:\/\/\S+$/.test(args.link)) {
    throw new UserError(`--link: expected an http(s) URL, got "${args.link.slice(0, 80)}"`);
  }
}

/** Posts the payload (or says why not), keeps the notify state as it must be, and returns the outcome in words. */
async function deliver(d: {
  args: NotifyArgs;
  io: Io;
  webhook: Webhook | null;
  payload: ReturnType<typeof buildPayload> | null;
  changes: ReturnType<typeof detectChanges>;
  decision: Decision;
  actions: ReturnType<typeof actionsFor>;
  statePath: string;
}): Promise<string> {
  const { args, io, webhook, payload, changes, decision, actions, statePath } = d;
  // Unless a post succeeds, the failures without a run folder are still recorded: the next night counts them.
  const keepFailures = async () => {
    if (changes.failuresChanged) await writeFormat(notifyStateFormat, statePath, changes.kept);
  };
  if (args['dry-run']) {
    const outcome = payload
      ? `would post (${describe(changes.events)}); dry run, nothing posted`
      : 'nothing changed since the last post; dry run';
    io.stdout.write(payload ? `${JSON.stringify(payload, null, 2)}\n` : '');
    io.stderr.write(`notify: ${outcome}\n`);
    return outcome;
  }
  if (!payload || !webhook) {
    if (payload && args.summary === undefined) {
      throw new UserError(`no webhook: give --webhook <url> or set ${WEBHOOK_ENV}`, { hint: 'or --dry-run to see the message' });
    }
    // In CI the summary is still wanted when no webhook secret is configured.
    await keepFailures();
    const outcome = payload
      ? `no webhook configured (${WEBHOOK_ENV}), nothing posted`
      : 'nothing changed since the last post, nothing posted';
    io.stdout.write(`notify: ${outcome}\n`);
    return outcome;
  }
  try {
    await postWebhook(webhook, payload, { signal: io.signal });
  } catch (e) {
    await keepFailures();
    // The job summary still shows the decision, and that the post failed (the message is URL-free).
    if (args.summary !== undefined)
      await appendSummary(args.summary, io, markdownSummary(decision, `failed: ${(e as Error).message}`, args.link, actions));
    throw e;
  }
  // Only after the receiver accepted it: a failed post is retried by the next call.
  await writeFormat(notifyStateFormat, statePath, changes.next);
  const outcome = `posted to ${webhook.shown} (${describe(changes.events)})`;
  io.stdout.write(`notify: ${outcome}\n`);
  for (const line of eventLines(changes.events, decision)) io.stdout.write(`  ${line}\n`);
  return outcome;
}

async function appendSummary(path: string, io: Io, markdown: string): Promise<void> {
  try {
    await appendFile(resolve(io.cwd, path), markdown);
  } catch (e) {
    throw new UserError(`--summary: cannot append: ${fsReason(e)}`, { file: path });
  }
}

function describe(events: readonly NotifyEvent[]): string {
  return events.map((e) => (e.type === 'decision-changed' ? `decision ${e.from ?? 'none'} → ${e.to}` : e.type)).join(', ');
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

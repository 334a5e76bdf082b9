import { CRITERIA, type CriterionId, type Decision, type DecisionValue, type Level } from '../../formats/decision.ts';
import { decisionActions, decisionWord, MISSING } from '../../decision/words.ts';
import { z } from 'zod';
import type { CapacityConfig } from '../../formats/config.ts';
import type { NotifyEvent } from './detect.ts';

/**
 * The messages notify sends, and the Markdown the CI job puts in its summary: pure functions of
 * the decision and the events. Two webhook shapes:
 * - `slack`: `{ text, blocks }`, what Slack incoming webhooks accept (Mattermost, Rocket.Chat and
 *   other Slack-compatible receivers read `text` and ignore or render the blocks);
 * - `json`: a versioned document for generic receivers, with the same `text` for those that only
 *   show one string.
 */

export const PAYLOAD_FORMATS = ['slack', 'json'] as const;
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];

export interface MessageContext {
  readonly decision: Decision;
  readonly events: readonly NotifyEvent[];
  /** Where to read more (the CI run, the report); shown as a link. */
  readonly link?: string | undefined;
  /** What to do about it (see `actionsFor`). */
  readonly actions?: readonly string[] | undefined;
}

/** The config's action for this decision, then the provisional one when it applies (as the weekly report says them). */
export function actionsFor(d: Decision, actions: CapacityConfig['actions']): string[] {
  return decisionActions(actions, d.decision, d.provisional);
}

const LEVEL_MARKS: Record<Level, string> = { green: '🟢', orange: '🟠', red: '🔴' };

/** "Go", "Watch (provisional: 2 of 3 runs)", "Insufficient data". */
export function decisionLabel(d: Decision): string {
  const word = decisionWord(d.decision);
  if (d.decision === 'insufficient-data' || !d.provisional) return word;
  return `${word} (provisional: ${d.runs.length} of ${d.runsToCompare} runs)`;
}

export interface KeyFigure {
  readonly criterion: CriterionId;
  readonly label: string;
  readonly level: Level;
  /** The newest run's figure in words ("2480 ms", "0.42 %"), or the level's meaning for `held`. */
  readonly newest: string;
}

const HELD_WORDS: Record<Level, string> = { green: 'held', orange: 'held, with degradation', red: 'not held' };

/** Each scored criterion: its consolidated level and the newest run's figure. */
export function keyFigures(d: Decision): KeyFigure[] {
  const newestRun = d.runs[0];
  const figures: KeyFigure[] = [];
  for (const id of CRITERIA) {
    const result = d.criteria[id];
    if (!result) continue;
    const run = result.runs.find((r) => r.runId === newestRun) ?? result.runs[0];
    let newest = MISSING;
    if (id === 'held') newest = run ? HELD_WORDS[run.level] : MISSING;
    else if (run && run.figure !== null) newest = id === 'p95' ? `${Math.round(run.figure)} ms` : `${formatPct(run.figure)} %`;
    figures.push({ criterion: id, label: criterionLabel(id, d), level: result.level, newest });
  }
  return figures;
}

function criterionLabel(id: CriterionId, d: Decision): string {
  const target = d.targetStage === null ? 'the target stage' : `${d.targetStage} users`;
  if (id === 'p95') return `p95 of ${d.keyTransaction} at ${target}`;
  if (id === 'errorRate') return `error rate up to ${target}`;
  return `${target} held`;
}

/** Percent with two significant decimals at most: 0.4213 → "0.42", 3 → "3". */
function formatPct(pct: number): string {
  return String(Number(pct.toFixed(2)));
}

/** One line per event, plain text (no markup): the part of the message that says why it was sent. */
export function eventLines(events: readonly NotifyEvent[], d: Decision): string[] {
  return events.map((e) => {
    switch (e.type) {
      case 'decision-changed':
        return e.from === null
          ? `Capacity decision for ${d.environment}: ${decisionLabel(d)} (first decision announced here).`
          : `Capacity decision for ${d.environment} changed: ${decisionWord(e.from)} → ${decisionLabel(d)}.`;
      case 'tool-failing':
        return `The capacity tool itself failed on the last ${e.runs.length} runs in a row (${e.runs
          .map((r) => `${r.id}: ${r.why}`)
          .join('; ')}). These runs measure nothing: fix the job before reading the decision.`;
      case 'tool-recovered':
        return `The capacity tool ran again (run ${e.runId}) after ${e.failedRuns} failed runs.`;
    }
  });
}

/** The score in words: "score 2 (attention)". */
function scoreText(d: Decision): string | null {
  if (d.score === null) return null;
  return d.reading ? `score ${d.score} (${d.reading})` : `score ${d.score}`;
}

/** The whole message as plain text: Slack's notification text and the generic payload's `text`. */
export function messageText(ctx: MessageContext): string {
  const { decision: d } = ctx;
  const lines = eventLines(ctx.events, d);
  const facts = [scoreText(d), d.runs.length ? `runs: ${d.runs.join(', ')}` : 'no comparable run'].filter((x) => x !== null);
  lines.push(`${decisionLabel(d)} — ${facts.join('; ')}.`);
  for (const f of keyFigures(d)) lines.push(`• ${f.label}: ${f.level} (newest run: ${f.newest})`);
  for (const r of d.reasons) lines.push(`• ${r}`);
  for (const a of ctx.actions ?? []) lines.push(`Next: ${a}`);
  if (ctx.link) lines.push(ctx.link);
  return lines.join('\n');
}

/** Slack's mrkdwn treats &, < and > as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack's limits: header text 150 characters, section text 3000, a field 2000, 10 fields. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const MrkdwnSchema = z.object({ type: z.literal('mrkdwn'), text: z.string().min(1).max(3000) });

/** The Block Kit subset notify sends, with Slack's limits (so tests can hold a received body against it). */
export const SlackBlockSchema = z.union([
  z.object({
    type: z.literal('header'),
    text: z.object({ type: z.literal('plain_text'), text: z.string().min(1).max(150), emoji: z.boolean() }),
  }),
  z.object({ type: z.literal('section'), text: MrkdwnSchema }),
  z.object({
    type: z.literal('section'),
    fields: z
      .array(MrkdwnSchema.extend({ text: z.string().min(1).max(2000) }))
      .min(1)
      .max(10),
  }),
  z.object({ type: z.literal('context'), elements: z.array(MrkdwnSchema).min(1).max(10) }),
]);
export type SlackBlock = z.infer<typeof SlackBlockSchema>;

export const SlackPayloadSchema = z.object({ text: z.string().min(1), blocks: z.array(SlackBlockSchema).min(1).max(50) });
export type SlackPayload = z.infer<typeof SlackPayloadSchema>;

/** `{ text, blocks }` for Slack-compatible incoming webhooks. */
export function slackPayload(ctx: MessageContext): SlackPayload {
  const { decision: d } = ctx;
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`Capacity — ${d.environment}: ${decisionLabel(d)}`, 150), emoji: true } },
    // Slack refuses an empty section text: without events (a preview), the decision stands alone.
    { type: 'section', text: { type: 'mrkdwn', text: clip(escapeMrkdwn(eventLines(ctx.events, d).join('\n') || decisionLabel(d)), 3000) } },
  ];
  const figures = keyFigures(d);
  if (figures.length) {
    blocks.push({
      type: 'section',
      fields: figures.slice(0, 10).map((f) => ({
        type: 'mrkdwn',
        text: clip(`*${escapeMrkdwn(f.label)}*\n${LEVEL_MARKS[f.level]} ${f.level} — newest run: ${escapeMrkdwn(f.newest)}`, 2000),
      })),
    });
  }
  const summary = [scoreText(d), ...d.reasons].filter((x) => x !== null);
  if (summary.length)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(summary.map((s) => `• ${escapeMrkdwn(s)}`).join('\n'), 3000) } });
  if (ctx.actions?.length) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(ctx.actions.map((a) => `*Next:* ${escapeMrkdwn(a)}`).join('\n'), 3000) },
    });
  }
  // Already mrkdwn: the plain parts are escaped, the link is Slack's <url|label> syntax.
  const context = [escapeMrkdwn(d.runs.length ? `Runs: ${d.runs.join(', ')}` : 'No comparable run')];
  if (d.excluded.length) context.push(`${d.excluded.length} excluded`);
  if (ctx.link) context.push(`<${ctx.link}|details>`);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(context.join(' · '), 3000) }] });
  return { text: messageText(ctx), blocks };
}

export interface JsonPayload {
  readonly kind: 'capacity-notification';
  readonly schemaVersion: 1;
  readonly text: string;
  readonly events: readonly NotifyEvent[];
  readonly decision: {
    readonly value: DecisionValue;
    readonly provisional: boolean;
    readonly score: number | null;
    readonly reading: string | null;
    readonly environment: string;
    readonly targetStage: number | null;
    readonly runs: readonly string[];
    readonly reasons: readonly string[];
    readonly criteria: readonly KeyFigure[];
  };
  readonly actions: readonly string[];
  readonly link: string | null;
}

/** A versioned document for generic JSON webhooks. */
export function jsonPayload(ctx: MessageContext): JsonPayload {
  const { decision: d } = ctx;
  return {
    kind: 'capacity-notification',
    schemaVersion: 1,
    text: messageText(ctx),
    events: ctx.events,
    decision: {
      value: d.decision,
      provisional: d.provisional,
      score: d.score,
      reading: d.reading,
      environment: d.environment,
      targetStage: d.targetStage,
      runs: d.runs,
      reasons: d.reasons,
      criteria: keyFigures(d),
    },
    actions: ctx.actions ?? [],
    link: ctx.link ?? null,
  };
}

export function buildPayload(format: PayloadFormat, ctx: MessageContext): SlackPayload | JsonPayload {
  return format === 'slack' ? slackPayload(ctx) : jsonPayload(ctx);
}

/** Markdown table cells must not contain a pipe or a newline. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * The decision and its key figures as Markdown, for `$GITHUB_STEP_SUMMARY`: a heading with the
 * decision, a table of the criteria, the reasons, the runs used and excluded, and what notify did.
 */
export function markdownSummary(d: Decision, notified: string, link?: string, actions: readonly string[] = []): string {
  const out: string[] = [`## Capacity — ${cell(d.environment)}: ${decisionLabel(d)}`, ''];
  const score = scoreText(d);
  if (score) out.push(`**${score[0]!.toUpperCase()}${score.slice(1)}**`, '');
  const figures = keyFigures(d);
  if (figures.length) {
    out.push('| criterion | level | newest run |', '|---|---|---|');
    for (const f of figures) out.push(`| ${cell(f.label)} | ${LEVEL_MARKS[f.level]} ${f.level} | ${cell(f.newest)} |`);
    out.push('');
  }
  if (d.reasons.length) out.push(...d.reasons.map((r) => `- ${r}`), '');
  for (const a of actions) out.push(`**Next:** ${a}`, '');
  out.push(d.runs.length ? `Runs used (newest first): ${d.runs.map((r) => `\`${r}\``).join(', ')}` : 'No comparable run.', '');
  if (d.excluded.length) {
    out.push('Excluded runs:', '');
    out.push(...d.excluded.map((e) => `- \`${e.id}\`: ${e.reason}`), '');
  }
  out.push(`Notification: ${notified}`);
  if (link) out.push('', `[Details](${link})`);
  return `${out.join('\n')}\n`;
}

import { describe, expect, it } from 'vitest';
import { DecisionSchema } from '../../formats/decision.ts';
import { DEFAULT_CONFIG } from '../../formats/config.ts';
import { makeDecision } from '../../test/testkit/notify.ts';
import { detectChanges, failureStreak, type RunOutcome } from './detect.ts';
import {
  actionsFor,
  escapeMrkdwn,
  jsonPayload,
  keyFigures,
  markdownSummary,
  messageText,
  slackPayload,
  SlackPayloadSchema,
  type SlackPayload,
} from './payload.ts';
import { NotifyStateSchema, type NotifyState } from './state.ts';

const NOW = '2026-11-24T03:00:00.000Z';
const run = (id: string, status: RunOutcome['status'], why?: string): RunOutcome => ({ id, status, why });

function stateAfter(decision: ReturnType<typeof makeDecision>, runs: RunOutcome[] = [], previous: NotifyState | null = null): NotifyState {
  return detectChanges({ previous, decision, runs, now: NOW }).next;
}

describe('failureStreak', () => {
  it.each([
    { runs: [], streak: [] },
    { runs: [run('a', 'failed'), run('b', 'completed')], streak: [] },
    { runs: [run('a', 'completed'), run('b', 'failed')], streak: ['b'] },
    { runs: [run('a', 'completed'), run('b', 'failed'), run('c', 'failed')], streak: ['b', 'c'] },
    // Interrupted and still-running runs neither count nor break the streak.
    { runs: [run('a', 'failed'), run('b', 'interrupted'), run('c', 'failed'), run('d', 'running')], streak: ['a', 'c'] },
    { runs: [run('a', 'failed'), run('b', 'unreadable'), run('c', 'failed')], streak: ['a', 'c'] },
  ])('$runs.length runs → $streak', ({ runs, streak }) => {
    expect(failureStreak(runs).map((r) => r.id)).toEqual(streak);
  });
});

describe('detectChanges: the decision', () => {
  it('announces the first decision ever', () => {
    const { events } = detectChanges({ previous: null, decision: makeDecision('go'), runs: [], now: NOW });
    expect(events).toEqual([{ type: 'decision-changed', from: null, to: 'go' }]);
  });

  it.each([
    ['go', 'watch'],
    ['watch', 'no-go'],
    ['no-go', 'go'],
    ['insufficient-data', 'go'],
    ['go', 'insufficient-data'],
  ] as const)('%s → %s is a change', (from, to) => {
    const previous = stateAfter(makeDecision(from));
    const { events, next } = detectChanges({ previous, decision: makeDecision(to), runs: [], now: NOW });
    expect(events).toEqual([{ type: 'decision-changed', from, to }]);
    expect(next.decision?.value).toBe(to);
  });

  it('posts nothing when the decision is the same, even if it now rests on more runs', () => {
    const previous = stateAfter(makeDecision('watch', { provisional: true, runs: ['2026-11-22T0200Z-aaaa'] }));
    const { events, next } = detectChanges({ previous, decision: makeDecision('watch'), runs: [], now: '2026-11-25T03:00:00.000Z' });
    expect(events).toEqual([]);
    // The announcement recorded is still the one that was posted.
    expect(next.decision).toEqual(previous.decision);
    expect(NotifyStateSchema.parse(next)).toEqual(next);
  });
});

describe('detectChanges: failures of the tool', () => {
  const ok = run('2026-11-20T0200Z-aaaa', 'completed');
  const f1 = run('2026-11-21T0200Z-bbbb', 'failed', 'engine crashed: SyntaxError in the bundle');
  const f2 = run('2026-11-22T0200Z-cccc', 'failed', 'k6 exited with code 107');
  const f3 = run('2026-11-23T0200Z-dddd', 'failed', 'k6 exited with code 107');
  const ok2 = run('2026-11-24T0200Z-eeee', 'completed');
  const go = makeDecision('go');

  it('says nothing after one failed run', () => {
    const previous = stateAfter(go, [ok]);
    expect(detectChanges({ previous, decision: go, runs: [ok, f1], now: NOW }).events).toEqual([]);
  });

  it('alerts once after two failed runs in a row, with each reason', () => {
    const previous = stateAfter(go, [ok]);
    const second = detectChanges({ previous, decision: go, runs: [ok, f1, f2], now: NOW });
    expect(second.events).toEqual([
      {
        type: 'tool-failing',
        runs: [
          { id: f1.id, why: f1.why },
          { id: f2.id, why: f2.why },
        ],
      },
    ]);
    // A third failure in the same streak is not news.
    expect(detectChanges({ previous: second.next, decision: go, runs: [ok, f1, f2, f3], now: NOW }).events).toEqual([]);
  });

  it('announces the recovery once, then a new streak alerts again', () => {
    const alerted = detectChanges({ previous: stateAfter(go, [ok]), decision: go, runs: [ok, f1, f2], now: NOW }).next;
    const recovered = detectChanges({ previous: alerted, decision: go, runs: [ok, f1, f2, ok2], now: NOW });
    expect(recovered.events).toEqual([{ type: 'tool-recovered', failedRuns: 2, runId: ok2.id }]);
    expect(recovered.next.failureAlert).toBeNull();
    const g1 = run('2026-11-25T0200Z-ffff', 'failed', 'x');
    const g2 = run('2026-11-26T0200Z-gggg', 'failed', 'y');
    const again = detectChanges({ previous: recovered.next, decision: go, runs: [ok, f1, f2, ok2, g1, g2], now: NOW });
    expect(again.events.map((e) => e.type)).toEqual(['tool-failing']);
  });

  it('counts failures that left no run folder (--tool-failed) among the runs, by time, until a completed run follows them', () => {
    const at = (ms: string) => Date.parse(ms);
    const okAt = { ...ok, startedAtMs: at('2026-11-20T02:00:00Z') };
    const first = detectChanges({
      previous: stateAfter(go, [okAt]),
      decision: go,
      runs: [okAt],
      toolFailed: 2,
      now: '2026-11-21T03:00:00.000Z',
    });
    expect(first.events).toEqual([]);
    expect(first.failuresChanged).toBe(true);
    expect(first.kept.folderlessFailures).toEqual([
      { id: 'no run folder, 2026-11-21T03:00:00.000Z', at: '2026-11-21T03:00:00.000Z', exitCode: 2 },
    ]);
    const f2At = { ...f2, startedAtMs: at('2026-11-22T02:00:00Z') };
    const second = detectChanges({ previous: first.kept, decision: go, runs: [okAt, f2At], now: NOW });
    expect(second.events).toEqual([
      {
        type: 'tool-failing',
        runs: [
          { id: 'no run folder, 2026-11-21T03:00:00.000Z', why: 'npm run stages exited with 2 before writing a run folder' },
          { id: f2.id, why: f2.why },
        ],
      },
    ]);
    expect(second.failuresChanged).toBe(false);
    const ok2At = { ...ok2, startedAtMs: at('2026-11-24T02:00:00Z') };
    const recovered = detectChanges({ previous: second.next, decision: go, runs: [okAt, f2At, ok2At], now: NOW });
    expect(recovered.events).toEqual([{ type: 'tool-recovered', failedRuns: 2, runId: ok2.id }]);
    expect(recovered.next.folderlessFailures).toBeUndefined();
    expect(recovered.failuresChanged).toBe(true);
  });

  it('honours another threshold', () => {
    const previous = stateAfter(go, [ok]);
    expect(detectChanges({ previous, decision: go, runs: [ok, f1], failureThreshold: 1, now: NOW }).events.map((e) => e.type)).toEqual([
      'tool-failing',
    ]);
  });
});

/** Every mrkdwn / plain text of a Slack payload. */
function blockTexts(p: SlackPayload): string[] {
  return p.blocks.flatMap((b) =>
    'text' in b ? [b.text.text] : 'fields' in b ? b.fields.map((f) => f.text) : b.elements.map((e) => e.text),
  );
}

function headerText(p: SlackPayload): string {
  const header = p.blocks[0];
  if (header?.type !== 'header') throw new Error('the first block is not a header');
  return header.text.text;
}

describe('payloads', () => {
  const watch = makeDecision('watch', { reasons: ['2 orange criteria, no red: watch closely'] });
  const ctx = {
    decision: watch,
    events: [{ type: 'decision-changed', from: 'go', to: 'watch' } as const],
    link: 'https://ci.example.com/run/1',
  };

  it('key figures: each criterion with its level and the newest run figure', () => {
    expect(keyFigures(watch)).toEqual([
      { criterion: 'p95', label: 'p95 of search at 100 users', level: 'orange', newest: '2480 ms' },
      { criterion: 'errorRate', label: 'error rate up to 100 users', level: 'orange', newest: '0.42 %' },
      { criterion: 'held', label: '100 users held', level: 'green', newest: 'held' },
    ]);
  });

  it('slack: text plus header/section/context blocks within Slack limits', () => {
    const p = slackPayload(ctx);
    expect(SlackPayloadSchema.parse(p)).toEqual(p);
    expect(p.text).toContain('changed: Go → Watch');
    expect(p.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'context']);
    expect(headerText(p)).toBe('Capacity — staging: Watch');
    const fields = p.blocks.flatMap((b) => ('fields' in b ? b.fields : []));
    expect(fields).toHaveLength(3);
    expect(fields[0]!.text).toContain('2480 ms');
    expect(blockTexts(p).at(-1)).toContain('<https://ci.example.com/run/1|details>');
  });

  it('slack: no section is ever empty (Slack refuses it), even for a preview without events', () => {
    const p = slackPayload({ decision: makeDecision('insufficient-data'), events: [] });
    expect(SlackPayloadSchema.parse(p)).toEqual(p);
    for (const t of blockTexts(p)) expect(t.trim().length).toBeGreaterThan(0);
  });

  it('slack: long texts are clipped to Slack limits, mrkdwn control characters escaped', () => {
    const long = makeDecision('no-go', { reasons: ['x'.repeat(5000)] });
    long.environment = 'e'.repeat(300);
    const p = slackPayload({ decision: long, events: [{ type: 'decision-changed', from: null, to: 'no-go' }] });
    expect(headerText(p).length).toBe(150);
    expect(SlackPayloadSchema.parse(p)).toEqual(p);
    expect(escapeMrkdwn('a <b> & c')).toBe('a &lt;b&gt; &amp; c');
  });

  it('json: a versioned document carrying the same text', () => {
    const p = jsonPayload(ctx);
    expect(p).toMatchObject({ kind: 'capacity-notification', schemaVersion: 1, link: 'https://ci.example.com/run/1' });
    expect(p.decision).toMatchObject({ value: 'watch', score: 2, reading: 'attention', environment: 'staging', targetStage: 100 });
    expect(p.text).toBe(messageText(ctx));
  });

  it('provisional and insufficient-data decisions say so', () => {
    const prov = makeDecision('go', { provisional: true, runs: ['2026-11-22T0200Z-aaaa'] });
    expect(messageText({ decision: prov, events: [] })).toContain('Go (provisional: 1 of 3 runs)');
    const none = makeDecision('insufficient-data');
    expect(DecisionSchema.parse(none)).toEqual(none);
    expect(messageText({ decision: none, events: [] })).toContain('Insufficient data — no comparable run');
  });

  it.each([
    ['go', false, [DEFAULT_CONFIG.actions.go]],
    ['watch', true, [DEFAULT_CONFIG.actions.watch, DEFAULT_CONFIG.actions.provisional]],
    ['no-go', false, [DEFAULT_CONFIG.actions.noGo]],
    ['insufficient-data', false, [DEFAULT_CONFIG.actions.insufficientData]],
  ] as const)('the action for %s (provisional: %s) comes from the config', (value, provisional, expected) => {
    const d = makeDecision(value, { provisional });
    const actions = actionsFor(d, DEFAULT_CONFIG.actions);
    expect(actions).toEqual(expected);
    const p = slackPayload({ decision: d, events: [{ type: 'decision-changed', from: null, to: value }], actions });
    expect(SlackPayloadSchema.parse(p)).toEqual(p);
    expect(blockTexts(p).join('\n')).toContain(`*Next:* ${expected[0]}`);
    expect(jsonPayload({ decision: d, events: [], actions }).actions).toEqual(expected);
    expect(markdownSummary(d, 'x', undefined, actions)).toContain(`**Next:** ${expected[0]}`);
  });

  it('tool-failing message lists each failed run and its reason', () => {
    const text = messageText({
      decision: makeDecision('go'),
      events: [
        {
          type: 'tool-failing',
          runs: [
            { id: 'r1', why: 'k6 crashed' },
            { id: 'r2', why: 'bundle failed' },
          ],
        },
      ],
    });
    expect(text).toContain('failed on the last 2 runs in a row (r1: k6 crashed; r2: bundle failed)');
  });

  it('markdown summary: heading, criteria table, runs, what notify did', () => {
    const md = markdownSummary(watch, 'nothing changed since the last post, nothing posted');
    const lines = md.split('\n');
    expect(lines[0]).toBe('## Capacity — staging: Watch');
    expect(lines).toContain('| criterion | level | newest run |');
    expect(lines).toContain('| p95 of search at 100 users | 🟠 orange | 2480 ms |');
    expect(lines).toContain('- 2 orange criteria, no red: watch closely');
    expect(md).toContain('Notification: nothing changed since the last post, nothing posted');
  });
});

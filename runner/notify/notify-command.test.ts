import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decisionFormat, type Decision } from '../../formats/decision.ts';
import { runNotify, type NotifyArgs } from '../commands/notify.ts';
import { ExitCode, UserError } from '../../formats/errors.ts';
import { runManifestFormat, type RunStatus } from '../../formats/run-manifest.ts';
import { captureIo, makeDecision, makeManifest, startReceiver } from '../../test/testkit/notify.ts';
import { SlackPayloadSchema } from './payload.ts';
import { notifyStateFormat, notifyStatePath } from './state.ts';
import { readFormat, writeFormat } from '../../formats/files.ts';
import { launchArgs } from '../../test/testkit/launch.ts';

let dir: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notify-'));
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

async function writeDecision(d: Decision): Promise<string> {
  const path = join(dir, 'decision.json');
  await writeFormat(decisionFormat, path, d);
  return path;
}

async function addRun(id: string, status: RunStatus, why?: string): Promise<void> {
  await writeFormat(runManifestFormat, join(dir, 'results', 'runs', id, 'run.json'), makeManifest(id, status, why));
}

function args(extra: Partial<NotifyArgs> = {}): NotifyArgs {
  return { results: 'results', format: 'slack', 'dry-run': false, failures: 2, decision: 'decision.json', ...extra };
}

/** Runs notify with the webhook in the environment, as the CI job does. */
async function notify(extra: Partial<NotifyArgs> = {}, env: Record<string, string> = { CAPACITY_WEBHOOK_URL: receiver.url }) {
  const cap = captureIo(dir, env);
  const code = await runNotify(args(extra), cap.io);
  return { code, out: cap.stdout(), err: cap.stderr() };
}

describe('npm run notify against a loopback webhook', () => {
  beforeEach(async () => {
    await addRun('2026-11-22T0200Z-aaaa', 'completed');
  });

  it('posts a changed decision once, then nothing while it stays the same', async () => {
    await writeDecision(makeDecision('go'));
    const first = await notify();
    expect(first.code).toBe(ExitCode.ok);
    expect(receiver.received).toHaveLength(1);

    await writeDecision(makeDecision('watch'));
    const changed = await notify();
    expect(changed.code).toBe(ExitCode.ok);
    expect(receiver.received).toHaveLength(2);
    const body = SlackPayloadSchema.parse(JSON.parse(receiver.received[1]!.body));
    expect(receiver.received[1]!.contentType).toMatch(/^application\/json/);
    expect(body.text).toContain('changed: Go → Watch');
    expect(body.blocks[0]!.type).toBe('header');
    expect(changed.out).toContain('posted to http://127.0.0.1:');

    const again = await notify();
    expect(again.code).toBe(ExitCode.ok);
    expect(again.out).toContain('nothing changed');
    expect(receiver.received).toHaveLength(2);

    const state = await readFormat(notifyStateFormat, notifyStatePath(join(dir, 'results')));
    expect(state.decision?.value).toBe('watch');
    for (const r of [first, changed, again]) expect(r.out + r.err).not.toContain(receiver.url);
    // The state file never holds the URL.
    expect(await readFile(notifyStatePath(join(dir, 'results')), 'utf8')).not.toContain('SECRET');
  });

  it('posts after two consecutive failed runs of the tool, once', async () => {
    await writeDecision(makeDecision('go'));
    await notify();
    await addRun('2026-11-23T0200Z-bbbb', 'failed', 'engine failed: k6 exited with code 107');
    await notify();
    expect(receiver.received).toHaveLength(1);
    await addRun('2026-11-24T0200Z-cccc', 'failed', 'engine failed: k6 exited with code 107');
    await notify();
    expect(receiver.received).toHaveLength(2);
    const body = SlackPayloadSchema.parse(JSON.parse(receiver.received[1]!.body));
    expect(body.text).toContain('failed on the last 2 runs in a row');
    expect(body.text).toContain('2026-11-24T0200Z-cccc: engine failed: k6 exited with code 107');
    await notify();
    expect(receiver.received).toHaveLength(2);
  });

  it('counts a night whose stages failed before writing a run folder (--tool-failed), and keeps it in the state until the next night', async () => {
    await writeDecision(makeDecision('go'));
    const night = async (date: string, extra: Partial<NotifyArgs> = {}) =>
      runNotify(args(extra), captureIo(dir, { CAPACITY_WEBHOOK_URL: receiver.url }, Date.parse(`${date}T03:00:00Z`)).io);
    expect(await night('2026-11-22')).toBe(ExitCode.ok);
    expect(receiver.received).toHaveLength(1);
    // k6 missing: npm run stages exits 2, no run folder. One failure: nothing posted, but recorded.
    expect(await night('2026-11-23', { 'tool-failed': 2 })).toBe(ExitCode.ok);
    expect(receiver.received).toHaveLength(1);
    const statePath = notifyStatePath(join(dir, 'results'));
    expect((await readFormat(notifyStateFormat, statePath)).folderlessFailures).toEqual([
      { id: 'no run folder, 2026-11-23T03:00:00.000Z', at: '2026-11-23T03:00:00.000Z', exitCode: 2 },
    ]);
    await night('2026-11-24', { 'tool-failed': 2 });
    expect(receiver.received).toHaveLength(2);
    const body = SlackPayloadSchema.parse(JSON.parse(receiver.received[1]!.body));
    expect(body.text).toContain('failed on the last 2 runs in a row');
    expect(body.text).toContain('no run folder, 2026-11-24T03:00:00.000Z: npm run stages exited with 2 before writing a run folder');
    // A completed run the next night ends the streak; the recorded failures are dropped.
    const id = '2026-11-25T0200Z-dddd';
    await writeFormat(runManifestFormat, join(dir, 'results', 'runs', id, 'run.json'), {
      ...makeManifest(id, 'completed'),
      startedAt: '2026-11-25T02:00:00.000Z',
    });
    await night('2026-11-25');
    expect(receiver.received).toHaveLength(3);
    expect(SlackPayloadSchema.parse(JSON.parse(receiver.received[2]!.body)).text).toContain(`ran again (run ${id}) after 2 failed runs`);
    expect((await readFormat(notifyStateFormat, statePath)).folderlessFailures).toBeUndefined();
  });

  it.each([0, 1.5])('--tool-failed %s is refused with a one-line error', async (code) => {
    await writeDecision(makeDecision('go'));
    await expect(notify({ 'tool-failed': code })).rejects.toThrow(
      `--tool-failed: expected the non-zero exit code of npm run stages, got ${code}`,
    );
  });

  it('json format: the generic document', async () => {
    await writeDecision(makeDecision('no-go'));
    await notify({ format: 'json', link: 'https://ci.example.com/runs/7' });
    const body = z
      .object({
        kind: z.string(),
        schemaVersion: z.number(),
        text: z.string(),
        decision: z.object({ value: z.string() }),
        link: z.string(),
      })
      .parse(JSON.parse(receiver.received[0]!.body));
    expect(body).toMatchObject({
      kind: 'capacity-notification',
      schemaVersion: 1,
      decision: { value: 'no-go' },
      link: 'https://ci.example.com/runs/7',
    });
  });

  it('a refusing webhook: one-line error without the URL, non-zero, state untouched, retried next time', async () => {
    await writeDecision(makeDecision('go'));
    receiver.setStatus(403);
    const summary = join(dir, 'summary.md');
    const error = await notify({ summary }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    const e = error as UserError;
    expect(e.exitCode).not.toBe(ExitCode.ok);
    expect(e.message).toMatch(/^webhook http:\/\/127\.0\.0\.1:\d+\/\*\*\*: answered HTTP 403 "invalid_token"/);
    expect(e.message).not.toContain('SECRET');
    expect(e.message.split('\n')).toHaveLength(1);
    expect(await readFile(summary, 'utf8')).toMatch(/Notification: failed: webhook http:\/\/127\.0\.0\.1:\d+\/\*\*\*: answered HTTP 403/);
    await expect(readFile(notifyStatePath(join(dir, 'results')))).rejects.toThrow();
    receiver.setStatus(200);
    await notify();
    expect(receiver.received).toHaveLength(2);
  });

  it('an unreachable webhook: one-line error without the URL', async () => {
    await writeDecision(makeDecision('go'));
    const url = receiver.url;
    await receiver.close();
    const error = await notify({}, { CAPACITY_WEBHOOK_URL: url }).then(
      () => null,
      (e: unknown) => e as UserError,
    );
    expect(error?.message).toMatch(/unreachable \(ECONNREFUSED\)/);
    expect(error?.message).not.toContain('SECRET');
    receiver = await startReceiver();
  });

  it('a malformed webhook URL is described, never echoed', async () => {
    await writeDecision(makeDecision('go'));
    await expect(notify({}, { CAPACITY_WEBHOOK_URL: 'not a url with SECRET' })).rejects.toThrow(
      /CAPACITY_WEBHOOK_URL: expected an http\(s\) URL \(the value is a secret/,
    );
    await expect(notify({ webhook: 'ftp://x/SECRET' }, {})).rejects.toThrow(
      /--webhook: expected an http or https URL, got the scheme "ftp:"/,
    );
  });

  it('dry run prints the payload, posts nothing, writes no state', async () => {
    await writeDecision(makeDecision('watch'));
    const r = await notify({ 'dry-run': true });
    expect(SlackPayloadSchema.parse(JSON.parse(r.out)).blocks.length).toBeGreaterThan(0);
    expect(r.err).toContain('would post (decision none → watch)');
    expect(receiver.received).toHaveLength(0);
    await expect(readFile(notifyStatePath(join(dir, 'results')))).rejects.toThrow();
  });

  it('no webhook: an error, unless only the summary is wanted', async () => {
    await writeDecision(makeDecision('go'));
    await expect(notify({}, {})).rejects.toThrow(/no webhook: give --webhook <url> or set CAPACITY_WEBHOOK_URL/);
    const summary = join(dir, 'step-summary.md');
    await writeFile(summary, '# earlier step\n');
    const r = await notify({ summary }, { CAPACITY_WEBHOOK_URL: '' });
    expect(r.code).toBe(ExitCode.ok);
    const md = await readFile(summary, 'utf8');
    expect(md.startsWith('# earlier step\n## Capacity — staging: Go\n')).toBe(true);
    expect(md).toContain('Notification: no webhook configured');
  });

  it('the summary records what was posted', async () => {
    await writeDecision(makeDecision('no-go'));
    const summary = join(dir, 'summary.md');
    await notify({ summary });
    const md = await readFile(summary, 'utf8');
    expect(md).toContain('## Capacity — staging: No-Go');
    // The config's action (here its default) is said with the decision.
    expect(md).toContain('**Next:** Prepare the migration');
    expect(md).toMatch(/Notification: posted to http:\/\/127\.0\.0\.1:\d+\/\*\*\* \(decision none → no-go\)/);
    expect(md).not.toContain('SECRET');
  });

  it('without --decision, decides over the results folder like npm run decide', async () => {
    const r = await notify({ decision: undefined, summary: join(dir, 's.md') });
    expect(r.code).toBe(ExitCode.ok);
    const body = SlackPayloadSchema.parse(JSON.parse(receiver.received[0]!.body));
    // One run without a summary: nothing comparable, and notify says so rather than pretending.
    expect(body.text).toContain('Insufficient data');
    expect(await readFile(join(dir, 's.md'), 'utf8')).toContain('## Capacity — staging: Insufficient data');
  });

  it('without --decision, decides over one environment of the results folder, never a mix, and says which', async () => {
    await writeFormat(runManifestFormat, join(dir, 'results', 'runs', '2026-11-21T0200Z-demo', 'run.json'), {
      ...makeManifest('2026-11-21T0200Z-demo', 'completed'),
      environment: 'demo',
    });
    const r = await notify({ decision: undefined, 'dry-run': true });
    expect(r.code).toBe(ExitCode.ok);
    expect(r.err).toContain('reading staging — another with --environment demo');
  });

  it('through the real CLI: a refused post is one error line (its hint at the end), exit 1, the URL nowhere', async () => {
    await writeDecision(makeDecision('watch'));
    receiver.setStatus(404);
    // Async: the receiver lives in this process and must keep answering while the CLI runs.
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        [
          ...launchArgs('runner/cli.ts'),
          'notify',
          '--results',
          join(dir, 'results'),
          '--decision',
          join(dir, 'decision.json'),
          '--webhook',
          receiver.url,
        ],
        { cwd: dir, timeout: 60_000, env: { ...process.env, CAPACITY_WEBHOOK_URL: '' } },
        (error, stdout, stderr) => done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
      );
    });
    expect(r.code).toBe(ExitCode.incomplete);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error: webhook http:\/\/127\.0\.0\.1:\d+\/\*\*\*: answered HTTP 404 "invalid_token"; the message was not accepted — a 404 or 410 usually means/,
    );
    expect(r.stdout + r.stderr).not.toContain('SECRET');
    expect(receiver.received).toHaveLength(1);
  });

  it("says the config's own action, and a bad config is refused before anything is posted", async () => {
    await writeDecision(makeDecision('go'));
    await writeFile(join(dir, 'capacity.config.json'), JSON.stringify({ actions: { go: 'Carry on; ping #capacity on Friday.' } }));
    await notify();
    expect(SlackPayloadSchema.parse(JSON.parse(receiver.received[0]!.body)).text).toContain('Next: Carry on; ping #capacity on Friday.');
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ runsToCompare: 0 }));
    await writeDecision(makeDecision('no-go'));
    await expect(notify({ config: 'bad.json' })).rejects.toThrow(/bad\.json: runsToCompare/);
    expect(receiver.received).toHaveLength(1);
  });
});

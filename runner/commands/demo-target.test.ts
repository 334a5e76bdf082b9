import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import { command } from './demo-target.ts';
import type { Io } from '../io.ts';
import { UserError } from '../../formats/errors.ts';

function testIo(signal: AbortSignal): { io: Io; out: () => string } {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return { io: { cwd: process.cwd(), env: {}, stdout, stderr: new PassThrough(), now: () => 0, signal }, out: () => text };
}

const args = (extra: Record<string, unknown>) => ({ port: 0, preset: 'default', ...extra }) as never;

it('serves in the foreground until the signal, then says what it did', async () => {
  const stop = new AbortController();
  const { io, out } = testIo(stop.signal);
  const running = command.run(args({ workers: 2, seed: 1 }), io);
  while (!/on (http:\/\/127\.0\.0\.1:\d+)/.test(out())) await new Promise((r) => setTimeout(r, 10));
  const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out())![1]!;
  expect(out()).toMatch(/2 workers, queue 20, mean service home 30 \/ search 130 \/ result 50 ms/);
  expect(out()).toMatch(/knee ≈ \d+ users/);
  expect((await fetch(`${url}/search?q=x`)).status).toBe(200);
  stop.abort();
  expect(await running).toBe(0);
  expect(out()).toMatch(/stopped: 1 requests, 1 ok, 0 × 503/);
});

it.each([
  [{ workers: 0 }, /^--workers: /],
  [{ 'error-rate': 2 }, /^--error-rate: /],
  [{ timeout: 'soon' }, /^--timeout: expected a duration/],
])('bad flags %j are one-line errors before anything listens', async (extra, message) => {
  const { io } = testIo(new AbortController().signal);
  const e: unknown = await command.run(args(extra), io).catch((err: unknown) => err);
  expect(e).toBeInstanceOf(UserError);
  expect((e as UserError).message).toMatch(message);
});

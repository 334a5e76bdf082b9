import { describe, expect, it } from 'vitest';
import { startLoopbackServer } from '../../test/testkit/loopback.ts';
import { maskWebhookUrl, parseWebhook, postWebhook, scrubWebhook } from './post.ts';

describe('the webhook URL is a secret', () => {
  it('is shown as scheme://host/*** only', () => {
    expect(maskWebhookUrl(new URL('https://user:pw@hooks.slack.com/services/T0/B0/xyz?token=abc'))).toBe('https://hooks.slack.com/***');
    expect(maskWebhookUrl(new URL('http://127.0.0.1:8080/hook'))).toBe('http://127.0.0.1:8080/***');
  });

  it('every secret part is scrubbed from foreign text', () => {
    const url = new URL('https://bot:s3cr3t@example.com/hooks/abc123?sig=zz9');
    const text = `POST https://bot:s3cr3t@example.com/hooks/abc123?sig=zz9 failed; path /hooks/abc123, query ?sig=zz9, password s3cr3t`;
    const out = scrubWebhook(text, url);
    for (const secret of ['abc123', 'zz9', 's3cr3t']) expect(out).not.toContain(secret);
  });

  it.each(['', 'hooks.slack.com/services/x', 'javascript:alert(1)'])('"%s" is refused without being echoed', (bad) => {
    let message = '';
    try {
      parseWebhook(bad, '--webhook');
    } catch (e) {
      message = e instanceof Error ? e.message : String(e);
    }
    expect(message).toMatch(/^--webhook: expected an http/);
    if (bad) expect(message).not.toContain(bad);
  });
});

describe('postWebhook', () => {
  it('gives up on a receiver that never answers, with a one-line error', async () => {
    const server = await startLoopbackServer(() => {
      // Never answers.
    });
    const { port } = server;
    try {
      const webhook = parseWebhook(`http://127.0.0.1:${port}/T0/B0/SECRET`, 'CAPACITY_WEBHOOK_URL');
      await expect(postWebhook(webhook, { text: 'x' }, { timeoutMs: 300 })).rejects.toThrow(
        new RegExp(`^webhook http://127\\.0\\.0\\.1:${port}/\\*\\*\\*: unreachable \\(no answer within 300ms\\); nothing was posted$`),
      );
    } finally {
      await server.close();
    }
  });
});

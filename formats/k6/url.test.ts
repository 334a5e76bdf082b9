import { describe, expect, it } from 'vitest';
import { cleanUrl, splitUrlCredentials } from './url.ts';

describe('cleanUrl (k6 URL.Clean)', () => {
  it.each([
    ['http://u:p@h:80/x?q=1', 'http://****:****@h:80/x?q=1'],
    ['https://u%40x:p%3Aw@h/', 'https://****:****@h/'],
    ['http://token@h/x', 'http://****@h/x'],
    ['http://h/x', 'http://h/x'],
    ['http://h/a@b?c=d@e', 'http://h/a@b?c=d@e'],
    ['not a url', 'not a url'],
  ])('%s → %s', (url, expected) => expect(cleanUrl(url)).toBe(expected));
});

describe('splitUrlCredentials', () => {
  it.each([
    ['http://u1:p%40ss@127.0.0.1:8080/x', 'http://127.0.0.1:8080/x', `Basic ${Buffer.from('u1:p@ss').toString('base64')}`],
    ['http://token@h/x', 'http://h/x', `Basic ${Buffer.from('token:').toString('base64')}`],
    ['http://h/x', 'http://h/x', null],
    ['::', '::', null],
  ])('%s', (url, sent, authorization) => expect(splitUrlCredentials(url)).toEqual({ url: sent, authorization }));
});

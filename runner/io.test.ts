import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { userCwd } from './io.ts';

describe('userCwd', () => {
  const dir = mkdtempSync(join(tmpdir(), 'io-cwd-'));
  const file = join(dir, 'a-file');
  writeFileSync(file, '');
  it.each([
    ['INIT_CWD, an existing folder (npm run from elsewhere)', { INIT_CWD: dir }, dir],
    ['no INIT_CWD (tsx runner/cli.ts directly)', {}, '/project'],
    ['empty INIT_CWD', { INIT_CWD: '' }, '/project'],
    ['INIT_CWD that does not exist', { INIT_CWD: join(dir, 'gone') }, '/project'],
    ['INIT_CWD that is a file', { INIT_CWD: file }, '/project'],
  ])('%s', (_, env, expected) => {
    expect(userCwd(env, '/project')).toBe(expected);
  });
});

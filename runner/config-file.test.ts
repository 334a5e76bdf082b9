import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_FILE_NAME, DEFAULT_CONFIG } from '../formats/config.ts';
import { useTempDir } from '../test/testkit/temp-dir.ts';
import { loadConfig } from './config-file.ts';

describe('loadConfig', () => {
  const dir = useTempDir('capacity-config-');

  it('without a path and without capacity.config.json: the defaults', async () => {
    expect(await loadConfig(undefined, dir())).toEqual(DEFAULT_CONFIG);
  });

  it('without a path: capacity.config.json of the working folder', async () => {
    await writeFile(join(dir(), CONFIG_FILE_NAME), JSON.stringify({ environment: 'production' }));
    expect((await loadConfig(undefined, dir())).environment).toBe('production');
  });

  it('a path relative to the working folder', async () => {
    await mkdir(join(dir(), 'conf'));
    await writeFile(join(dir(), 'conf', 'c.json'), JSON.stringify({ targetStage: 75 }));
    expect((await loadConfig('conf/c.json', dir())).targetStage).toBe(75);
  });

  it('a missing file given with --config is an error naming it', async () => {
    await expect(loadConfig('nope.json', dir())).rejects.toThrow(
      `${join(dir(), 'nope.json')}: cannot read the config file: it does not exist`,
    );
  });

  it('invalid JSON is an error naming the file', async () => {
    await writeFile(join(dir(), CONFIG_FILE_NAME), '{ "stages": [5, }');
    await expect(loadConfig(undefined, dir())).rejects.toThrow(new RegExp(`^${join(dir(), CONFIG_FILE_NAME)}: not valid JSON`));
  });

  it('a bad value names the file and the key', async () => {
    await writeFile(join(dir(), CONFIG_FILE_NAME), JSON.stringify({ criteria: { p95Ms: { orange: 2000 } } }));
    await expect(loadConfig(undefined, dir())).rejects.toThrow(
      `${join(dir(), CONFIG_FILE_NAME)}: criteria.p95Ms.orange: must be above green (got 2000 ≤ 2500)`,
    );
  });
});

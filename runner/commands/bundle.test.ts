import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import { useTempDir } from '../../test/testkit/temp-dir.ts';
import { command } from './bundle.ts';
import type { Io } from '../io.ts';
import { listScenarios } from '../bundle.ts';
import { UserError } from '../../formats/errors.ts';

const tmp = useTempDir('bundle-cmd-', 'all');

function testIo(): { io: Io; out: () => string } {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const io: Io = { cwd: tmp(), env: {}, stdout, stderr: new PassThrough(), now: () => 0, signal: new AbortController().signal };
  return { io, out: () => Buffer.concat(chunks).toString('utf8') };
}

it('npm run bundle writes every scenario and prints name, path and sha256', async () => {
  const { io, out } = testIo();
  const code = await command.run({ scenarios: undefined, 'out-dir': 'out' } as never, io);
  expect(code).toBe(0);
  const names = await listScenarios();
  const lines = out().trim().split('\n');
  expect(lines.map((l) => l.split(':')[0])).toEqual(names);
  for (const [i, name] of names.entries()) {
    expect(lines[i]).toMatch(new RegExp(`^${name}: out/${name}\\.js  sha256 [0-9a-f]{64}$`));
    expect(await readFile(join(tmp(), 'out', `${name}.js`), 'utf8')).toContain('from "k6/http"');
  }
});

it("a missing script is named as the bundle command's argument, not as --scenario (a flag bundle does not have)", async () => {
  const { io } = testIo();
  const e = await command.run({ scenarios: ['./nosuch.ts'], 'out-dir': 'out' } as never, io).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(UserError);
  expect((e as UserError).message).toMatch(
    /^bundle <scenario or script>: no such script file "\.\/nosuch\.ts" \(looked at .*nosuch\.ts\)$/,
  );
});

it('npm run bundle refuses a script k6 v0.48 cannot run, in one line, before writing anything', async () => {
  const { io } = testIo();
  await writeFile(
    join(tmp(), 'big.js'),
    "import http from 'k6/http';\nconst n = 10n;\nexport default function () { http.get('x' + String(n)); }\n",
  );
  const e = await command.run({ scenarios: ['./big.js'], 'out-dir': 'refused' } as never, io).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(UserError);
  expect((e as UserError).message).toBe(
    `${join(tmp(), 'big.js')}:2:10: BigInt literal 10n: k6 v0.48 has no BigInt and esbuild cannot lower it to es2017`,
  );
  await expect(readFile(join(tmp(), 'refused', 'big.js'))).rejects.toThrow(/ENOENT/);
});

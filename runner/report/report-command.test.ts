import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { XMLValidator } from 'fast-xml-parser';
import { Lexer, type Token, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import { runCli as runCliInProcess } from '../../test/testkit/cli-in-process.ts';
import { useTempDir } from '../../test/testkit/temp-dir.ts';
import { runReport } from '../commands/report.ts';
import { UserError } from '../../formats/errors.ts';
import { runManifestFormat } from '../../formats/run-manifest.ts';
import { runSummaryFormat } from '../../formats/run-summary.ts';
import type { Io } from '../io.ts';
import { healthyShape, run, type RunSpec } from '../../test/testkit/report-builders.ts';
import { writeFormat } from '../../formats/files.ts';

const dir = useTempDir('report-cmd-');

function io(): Io & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return {
    cwd: dir(),
    env: {},
    stdout,
    stderr,
    now: () => Date.parse('2026-11-23T08:00:00Z'),
    signal: new AbortController().signal,
    out: () => out,
    err: () => err,
  };
}

async function store(spec: RunSpec, options: { summary?: boolean } = {}): Promise<void> {
  const r = run(spec);
  const runDir = join(dir(), 'results', 'runs', r.id);
  await writeFormat(runManifestFormat, join(runDir, 'run.json'), r.manifest!);
  if (options.summary !== false) await writeFormat(runSummaryFormat, join(runDir, 'summary.json'), r.summary!);
}

/** Three healthy runs in week 47, one in week 46, an interrupted one in week 47. */
async function seed(): Promise<void> {
  await store({ id: '2026-11-12T0300Z-aa01', startedAt: '2026-11-12T03:00:00Z' });
  await store({ id: '2026-11-17T0300Z-bb01', startedAt: '2026-11-17T03:00:00Z' });
  await store({
    id: '2026-11-19T0300Z-bb02',
    startedAt: '2026-11-19T03:00:00Z',
    shape: (u) => ({ ...healthyShape(u), p95Ms: healthyShape(u).p95Ms + 100 }),
  });
  await store(
    { id: '2026-11-20T1000Z-bb03', startedAt: '2026-11-20T10:00:00Z', status: 'interrupted', why: 'Ctrl-C during stage 75' },
    { summary: false },
  );
  await store({ id: '2026-11-22T0300Z-bb04', startedAt: '2026-11-22T03:00:00Z' });
}

const walk = (tokens: readonly Token[], out: Token[] = []): Token[] => {
  for (const t of tokens) {
    out.push(t);
    const any = t as Token & { tokens?: Token[]; items?: Token[] };
    if (any.tokens) walk(any.tokens, out);
    if (any.items) walk(any.items, out);
  }
  return out;
};

describe('npm run report', () => {
  it('writes the report of the newest run’s week with its charts beside it, and prints its path', async () => {
    await seed();
    const x = io();
    expect(await runReport({}, x)).toBe(0);
    const path = join('results', 'reports', 'staging-2026-W47.md');
    expect(x.out()).toBe(`${path}\n`);
    const markdown = await readFile(join(dir(), path), 'utf8');
    expect(markdown.split('\n')[0]).toBe('# Capacity report — staging — week 2026-W47');
    // The interrupted run is listed as excluded, with why.
    expect(markdown).toMatch(/\| `2026-11-20T1000Z-bb03` \| interrupted[^|]*Ctrl-C during stage 75/);
    // Week 46 shows in the trend.
    expect(markdown).toMatch(/\| 2026-W46 \| /);
    const images = walk(Lexer.lex(markdown)).filter((t): t is Tokens.Image => t.type === 'image');
    expect(images.length).toBe(4);
    for (const image of images) {
      expect(image.href).toMatch(/^staging-2026-W47\/[a-z0-9-]+\.svg$/);
      const svg = await readFile(join(dir(), 'results', 'reports', image.href), 'utf8');
      expect(XMLValidator.validate(svg)).toBe(true);
    }
    expect((await readdir(join(dir(), 'results', 'reports', 'staging-2026-W47'))).sort()).toEqual([
      'error-rate-vs-users.svg',
      'p95-vs-users.svg',
      'target-windows.svg',
      'throughput-vs-users.svg',
    ]);
  });

  it('never replaces a report unless --force', async () => {
    await seed();
    expect(await runReport({}, io())).toBe(0);
    const path = join(dir(), 'results', 'reports', 'staging-2026-W47.md');
    await writeFile(path, 'edited by hand\n');
    await expect(runReport({}, io())).rejects.toThrow(/already exists; refusing to overwrite a report/);
    expect(await readFile(path, 'utf8')).toBe('edited by hand\n');
    expect(await runReport({ force: true }, io())).toBe(0);
    expect(await readFile(path, 'utf8')).toMatch(/^# Capacity report/);
  });

  it('--week picks an earlier week: only runs up to its end count', async () => {
    await seed();
    const x = io();
    expect(await runReport({ week: '2026-W46', out: 'out/w46.md' }, x)).toBe(0);
    const markdown = await readFile(join(dir(), 'out', 'w46.md'), 'utf8');
    expect(markdown).toContain('week 2026-W46');
    expect(markdown).toContain('`2026-11-12T0300Z-aa01`');
    expect(markdown).not.toContain('2026-11-17T0300Z-bb01');
    expect(markdown).toContain('> Provisional: rests on 1 comparable run of the 3 the grid asks for.');
    expect(markdown).toContain('](w46/p95-vs-users.svg)');
  });

  it('--json prints the view the report is rendered from, and writes nothing', async () => {
    await seed();
    const x = io();
    expect(await runReport({ json: true }, x)).toBe(0);
    const view: unknown = JSON.parse(x.out());
    expect(view).toMatchObject({ title: 'Capacity report — staging — week 2026-W47', week: { id: '2026-W47' } });
    await expect(readdir(join(dir(), 'results', 'reports'))).rejects.toThrow(/ENOENT/);
  });

  it('a week without runs gives an insufficient-data report; no run and no --week is an error', async () => {
    await expect(runReport({}, io())).rejects.toThrow(UserError);
    await store({ id: '2026-11-22T0300Z-bb04', startedAt: '2026-11-22T03:00:00Z' });
    expect(await runReport({ week: '2026-W40' }, io())).toBe(0);
    const markdown = await readFile(join(dir(), 'results', 'reports', 'staging-2026-W40.md'), 'utf8');
    expect(markdown).toContain('**Insufficient data**');
    expect(markdown).toContain('No chart: no comparable run with statistics.');
  });

  it.each([
    ['an existing folder', 'out', '--out: expected a path to a .md file, got a folder "out"'],
    ['a folder path', 'new/', '--out: expected a path to a .md file, got a folder "new/"'],
    ['an empty string', '', '--out: expected a path to a .md file, got an empty string'],
    ['a path without .md', 'out/report', '--out: expected a path to a .md file, got "out/report"'],
  ])('refuses --out as %s before writing anything, even with --force', async (_, out, message) => {
    await seed();
    await mkdir(join(dir(), 'out'));
    const error = await runReport({ out, force: true }, io()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ message, exitCode: 2 });
    expect(await readdir(join(dir(), 'out'))).toEqual([]);
    await expect(readdir(join(dir(), 'results', 'reports'))).rejects.toThrow(/ENOENT/);
  });

  it('a week before every run says that no run is that old, not that the folder is empty', async () => {
    await seed();
    expect(await runReport({ week: '2020-W53' }, io())).toBe(0);
    const markdown = await readFile(join(dir(), 'results', 'reports', 'staging-2020-W53.md'), 'utf8');
    expect(markdown).toContain('No run was found up to the end of the week.');
    expect(markdown).toContain('no run up to 2021-01-03T23:59:59.999Z (the results folder has 5 runs, all later)');
    expect(markdown).not.toContain('no run in the results folder');
  });

  it('refuses a bad --week with a one-line error', async () => {
    await seed();
    await expect(runReport({ week: '2026-47' }, io())).rejects.toThrow(/--week: expected an ISO week like 2026-W47, got "2026-47"/);
  });

  it('the environment of the config names the report', async () => {
    await store({ id: '2026-11-17T0300Z-cc01', startedAt: '2026-11-17T03:00:00Z', environment: 'Streamlit Cloud' });
    await writeFile(join(dir(), 'capacity.config.json'), JSON.stringify({ environment: 'Streamlit Cloud' }));
    const x = io();
    expect(await runReport({}, x)).toBe(0);
    expect(x.out()).toBe(`${join('results', 'reports', 'streamlit-cloud-2026-W47.md')}\n`);
  });
});

describe("npm run report with the config's environments (migration rehearsal)", () => {
  const ENVIRONMENTS = [
    { name: 'current', host: 'https://current.example.com' },
    { name: 'candidate', host: 'https://candidate.example.com' },
  ];
  const slow = (u: number) => ({ ...healthyShape(u), p95Ms: healthyShape(u).p95Ms * 2.2 });

  async function seedEnvironments(candidateRuns: number): Promise<void> {
    await writeFile(join(dir(), 'capacity.config.json'), JSON.stringify({ environment: 'current', environments: ENVIRONMENTS }));
    for (const day of ['17', '19', '21']) {
      await store({ id: `2026-11-${day}T0300Z-cu${day}`, startedAt: `2026-11-${day}T03:00:00Z`, environment: 'current', shape: slow });
    }
    for (const day of ['18', '20', '22'].slice(0, candidateRuns)) {
      await store({ id: `2026-11-${day}T0300Z-ca${day}`, startedAt: `2026-11-${day}T03:00:00Z`, environment: 'candidate' });
    }
  }

  it('reports on one environment and compares each over its own runs, with the side-by-side chart', async () => {
    await seedEnvironments(3);
    expect(await runReport({ environment: 'current' }, io())).toBe(0);
    const markdown = await readFile(join(dir(), 'results', 'reports', 'current-2026-W47.md'), 'utf8');
    expect(markdown).toContain('## Migration rehearsal: current vs candidate');
    expect(markdown).toContain('| decision | No-Go | Go |');
    expect(markdown).toContain('**Verdict**: current: No-Go (p95 at the target stage red); candidate: Go — the candidate holds the target');
    // The reported environment's own sections read its runs only.
    expect(markdown).not.toMatch(/\| `2026-11-\d\dT0300Z-ca/);
    expect(await readdir(join(dir(), 'results', 'reports', 'current-2026-W47'))).toContain('environments-vs-users.svg');
    const svg = await readFile(join(dir(), 'results', 'reports', 'current-2026-W47', 'environments-vs-users.svg'), 'utf8');
    expect(XMLValidator.validate(svg)).toBe(true);
  });

  it('says so in one line when the candidate has no run yet, and writes no side-by-side chart', async () => {
    await seedEnvironments(0);
    expect(await runReport({ environment: 'current' }, io())).toBe(0);
    const markdown = await readFile(join(dir(), 'results', 'reports', 'current-2026-W47.md'), 'utf8');
    expect(markdown).toContain('\ncandidate has no usable run up to the end of week 2026-W47, so it is not compared');
    expect(await readdir(join(dir(), 'results', 'reports', 'current-2026-W47'))).not.toContain('environments-vs-users.svg');
  });
});

describe('the CLI (main, in this process: demo-path.e2e runs report as a process)', () => {
  const runCli = (args: string[]) => runCliInProcess(['report', '--results', join(dir(), 'results'), ...args]);

  it('writes the report and prints its path; a bad --week is exit 2 with one error line', async () => {
    await seed();
    const ok = await runCli(['--week', '2026-W47']);
    expect(ok).toMatchObject({ code: 0, stdout: `${join(dir(), 'results', 'reports', 'staging-2026-W47.md')}\n` });
    const bad = await runCli(['--week', '2026-W99']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('error: --week: 2026 has weeks W01 to W53, got "2026-W99"\n');
    const again = await runCli(['--week', '2026-W47']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^error: .*already exists; refusing to overwrite a report — add --force[^\n]*\n$/);
  });
});

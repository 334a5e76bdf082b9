import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Lexer, type Token, type Tokens } from 'marked';
import { beforeAll, describe, expect, it } from 'vitest';
import { environmentSide } from '../../test/testkit/report-builders.ts';
import { CASES, caseInput, type CaseName } from '../../test/testkit/report-cases.ts';
import { glossaryOf } from './glossary.ts';
import { loadReportTemplate, precompiled, reportTemplate, TEMPLATES_DIR, type ReportTemplate } from './render.ts';
import { precompiledModule } from './templates-build.mjs';
import type { PrecompiledTemplates } from './templates-precompiled.ts';
import { buildReportView, type ReportView } from './view-model.ts';

let template: ReportTemplate;
let templateText: string;

beforeAll(async () => {
  template = await loadReportTemplate();
  const partials = await readdir(join(TEMPLATES_DIR, 'partials'));
  templateText = (
    await Promise.all(
      [join(TEMPLATES_DIR, 'report.md.hbs'), ...partials.map((p) => join(TEMPLATES_DIR, 'partials', p))].map((f) => readFile(f, 'utf8')),
    )
  ).join('\n');
});

function render(name: CaseName): { view: ReportView; markdown: string; tokens: Token[] } {
  const view = buildReportView(caseInput(name));
  const markdown = template(view);
  return { view, markdown, tokens: Lexer.lex(markdown, { gfm: true }) };
}

/** Every token of the document, depth first (tables' cells and list items included). */
function walk(tokens: readonly Token[], out: Token[] = []): Token[] {
  for (const t of tokens) {
    out.push(t);
    const any = t as Token & { tokens?: Token[]; items?: Token[]; header?: Tokens.TableCell[]; rows?: Tokens.TableCell[][] };
    if (any.tokens) walk(any.tokens, out);
    if (any.items) walk(any.items, out);
    if (t.type === 'table') {
      const table = t as Tokens.Table;
      for (const cell of [...table.header, ...table.rows.flat()]) walk(cell.tokens, out);
    }
  }
  return out;
}

const headings = (tokens: Token[]) =>
  walk(tokens)
    .filter((t): t is Tokens.Heading => t.type === 'heading')
    .map((h) => `${'#'.repeat(h.depth)} ${h.text}`);
const tables = (tokens: Token[]) => walk(tokens).filter((t): t is Tokens.Table => t.type === 'table');
const images = (tokens: Token[]) => walk(tokens).filter((t): t is Tokens.Image => t.type === 'image');

describe('the weekly report, rendered', () => {
  it.each(CASES)('%s: matches its snapshot (dates fixed)', async (name) => {
    await expect(render(name).markdown).toMatchFileSnapshot(`__snapshots__/report-${name}.md`);
  });

  it.each(CASES)('%s: has the title and the sections of SPEC §4, in order', (name) => {
    const { tokens } = render(name);
    const top = headings(tokens).filter((h) => /^#{1,2} /.test(h));
    expect(top).toEqual([
      '# Capacity report — staging — week 2026-W47',
      '## Context',
      '## Key results',
      '## Grid status',
      '## Decision',
      '## Trend',
      '## Details',
      '## Charts',
      '## Glossary',
    ]);
  });

  it.each(CASES)('%s: every table has as many cells per row as its header', (name) => {
    for (const table of tables(render(name).tokens)) {
      expect(table.header.length).toBeGreaterThan(1);
      for (const row of table.rows) expect(row.length).toBe(table.header.length);
      // An escaped pipe must stay inside its cell: no cell may be cut in two by text from the runs.
      expect(table.rows.every((row) => row.every((cell) => !cell.text.includes('\n')))).toBe(true);
    }
  });

  it.each(CASES)('%s: every figure is traceable to the view JSON', (name) => {
    const { view, markdown } = render(name);
    const json = JSON.stringify(view);
    // Numbers the template itself writes (e.g. "95 %", "2 × red") are not figures from the data.
    // The glossary's definitions are fixed text too.
    const fixed = `${templateText}\n${glossaryOf(markdown)
      .map((e) => e.definition)
      .join('\n')}`;
    const fromTemplate = new Set(fixed.match(/\d+(?:\.\d+)?/g) ?? []);
    const numbers = markdown.match(/\d+(?:\.\d+)?/g) ?? [];
    const untraced = [...new Set(numbers)].filter((n) => !fromTemplate.has(n) && !json.includes(n));
    expect(untraced).toEqual([]);
    expect(numbers.length).toBeGreaterThan(5);
  });

  it('Go: the decision, the action and the grid', () => {
    const { markdown, tokens } = render('go');
    expect(markdown).toContain('**Go**: stay on the current hosting.');
    expect(markdown).toContain('- Keep the weekly run; no change.');
    const grid = tables(tokens).find((t) => t.header[0]!.text === 'criterion')!;
    expect(grid.header.map((h) => h.text)).toEqual([
      'criterion',
      'consolidated',
      '`2026-11-22T0300Z-bb04`',
      '`2026-11-20T0300Z-bb03`',
      '`2026-11-18T0300Z-bb01`',
    ]);
    expect(grid.rows.map((r) => r[1]!.text)).toEqual(['**green**', '**green**', '**green**']);
    expect(grid.rows[0]![3]!.text).toBe('orange (2660 ms [2447, 2873])');
  });

  it('Watch: score, reading and borderline flags', () => {
    const { markdown } = render('watch');
    expect(markdown).toContain('**Watch**: stay, under closer monitoring.');
    expect(markdown).toContain('- Score (2 × red + 1 × orange): 2, reading: attention (2)');
    expect(markdown).toContain('orange (2660 ms [2447, 2873]), borderline');
  });

  it('No-Go: reds named, the rule that fired, the reasons', () => {
    const { markdown } = render('no-go');
    expect(markdown).toContain('**No-Go**: prepare the migration.');
    expect(markdown).toContain('- Red criteria: target stage (100 users) held');
    expect(markdown).toContain('Mann–Kendall p = 0.002, Theil–Sen +31 % over the hold → not stable → red');
    expect(markdown).toContain('- target stage not held in 2 of 3 runs');
    expect(markdown).toContain('- Saturation signals: yes, from 75 users');
  });

  it('provisional: says on how many runs it rests, and adds the provisional action', () => {
    const { markdown } = render('provisional');
    expect(markdown).toContain('> Provisional: rests on 2 comparable runs of the 3 the grid asks for.');
    expect(markdown).toContain('- Run again this week so the decision rests on three runs.');
    expect(markdown).toContain('| `2026-11-18T0300Z-bb01` | not comparable with 2026-11-22T0300Z-bb04: engine k6 1.3.0 vs k6 1.4.2 |');
  });

  it('insufficient data: never pretends, no figure, no chart', () => {
    const { markdown, tokens } = render('insufficient-data');
    expect(markdown).toContain('**Insufficient data**: no comparable run to decide on.');
    expect(markdown).toContain('No comparable run: no figure to report.');
    expect(markdown).toContain('No chart: no comparable run with statistics.');
    expect(images(tokens)).toEqual([]);
    expect(markdown).not.toMatch(/Score/);
  });

  it.each(CASES.filter((c) => c !== 'insufficient-data'))('%s: links the four charts by relative path', (name) => {
    const { tokens } = render(name);
    expect(images(tokens).map((i) => i.href)).toEqual([
      'staging-2026-W47/p95-vs-users.svg',
      'staging-2026-W47/throughput-vs-users.svg',
      'staging-2026-W47/error-rate-vs-users.svg',
      'staging-2026-W47/target-windows.svg',
    ]);
    for (const i of images(tokens)) expect(i.text.length).toBeGreaterThan(10);
  });

  it.each(CASES)('%s: no credential of the host reaches the report', (name) => {
    const { markdown } = render(name);
    expect(markdown).not.toMatch(/s3cret|abc123|ops:/);
  });

  it.each(CASES)('%s: opens with the headline paragraph, right under the week line', (name) => {
    const { view, tokens } = render(name);
    const paragraphs = tokens.filter((t): t is Tokens.Paragraph => t.type === 'paragraph');
    expect(paragraphs[0]!.text).toMatch(/^Week 2026-W47 /);
    expect(paragraphs[1]!.text).toBe(view.headline);
    expect(view.headline).toMatch(/^\*\*(Go|Watch|No-Go|Insufficient data)\*\*/);
  });

  it('No-Go: the headline names the criterion that drove it, and in how many runs', () => {
    expect(render('no-go').view.headline).toBe(
      '**No-Go** — prepare the migration: the target stage (100 users) was not held in 2 of the last 3 runs. ' +
        'Capacity, newest run: holds no stage within the green bounds: at 5 users 3.5 % of requests fail (85 of 2430).',
    );
  });

  it.each(CASES.filter((c) => c !== 'insufficient-data'))('%s: the evidence states each bound once, above its table', (name) => {
    const { markdown, tokens } = render(name);
    const evidence = tables(tokens).find((t) => t.header.map((h) => h.text).join() === 'criterion,run,level,figure,rule,borderline')!;
    expect(evidence.rows.length).toBeGreaterThan(3);
    for (const bound of ['green ≤ 2500 ms, orange ≤ 4000 ms', 'green \\< 1 %, orange ≤ 3 %', 'held without degradation']) {
      expect(markdown.split(bound).length - 1, bound).toBe(1);
    }
    expect(markdown).toContain('- p95 of search at 100 users: green ≤ 2500 ms, orange ≤ 4000 ms\n');
  });

  it.each(CASES)('%s: ends with a glossary of the terms it used, one line each, and only those', (name) => {
    const { markdown } = render(name);
    const [body, glossary] = markdown.split('\n## Glossary\n\n') as [string, string];
    const lines = glossary.trim().split('\n');
    expect(lines.every((l) => /^- \*\*[^*]+\*\*: \S/.test(l))).toBe(true);
    const terms = lines.map((l) => /^- \*\*([^*]+)\*\*/.exec(l)![1]);
    expect(terms).toEqual(glossaryOf(body).map((e) => e.term));
    if (name === 'no-go')
      expect(terms).toEqual(
        expect.arrayContaining(['p95', 'goodput', 'USL', 'R²', 'Mann–Kendall', 'Theil–Sen', 'borderline', 'saturation', 'capacity']),
      );
    // No MAD or α in these reports (their rules do not print them): not explained either.
    expect(terms).not.toContain('MAD');
    expect(terms).not.toContain('α');
  });

  it('shows the trend with the previous week first and this week in bold', () => {
    const { tokens } = render('no-go');
    const trend = tables(tokens).find((t) => t.header[0]!.text === 'week')!;
    expect(trend.rows.map((r) => [r[0]!.text, r[1]!.text, r[2]!.text])).toEqual([
      ['2026-W46', 'Go (provisional)', '2'],
      ['**2026-W47**', 'No-Go', '3'],
    ]);
  });
});

describe('the migration rehearsal section, rendered', () => {
  const input = {
    ...caseInput('go'),
    environments: [environmentSide('current', 'no-go', [4000, 4100, 4200]), environmentSide('candidate', 'go', [1000, 1050, 1100])],
  };

  it('sits after the decision: the table of both sides, the p95 difference, the verdict, the side-by-side chart', () => {
    const markdown = template(buildReportView(input));
    const tokens = Lexer.lex(markdown, { gfm: true });
    const top = headings(tokens).filter((h) => /^## /.test(h));
    expect(top.slice(3, 6)).toEqual(['## Decision', '## Migration rehearsal: current vs candidate', '## Trend']);
    const table = tables(tokens).find((t) => t.header[1]?.text === 'current')!;
    expect(table.header.map((h) => h.text)).toEqual(['', 'current', 'candidate']);
    expect(table.rows.map((r) => r.map((c) => c.text))).toEqual([
      ['decision', 'No-Go', 'Go'],
      ['p95 of search at 100 users', 'red (4100 ms)', 'green (1050 ms)'],
      ['error rate, stages up to 100 users', 'green (0.10 %)', 'green (0.10 %)'],
      ['target stage (100 users) held', 'green', 'green'],
      ['capacity (users held, on goodput)', '50 users', '100 users'],
      ['runs', '3', '3'],
      ['weeks', '2026-W47', '2026-W47'],
    ]);
    expect(markdown).toMatch(/\np95 at 100 users, candidate − current: −3050 ms \(95 % interval −\d+ ms to −\d+ ms\)\.\n/);
    expect(markdown).toContain(
      '\n**Verdict**: current: No-Go (p95 at the target stage red); candidate: Go — the candidate holds the target, the current host does not.\n',
    );
    expect(markdown).toContain('- candidate: 3 runs (`2026-11-22T0300Z-ca00`, `2026-11-20T0300Z-ca01`, `2026-11-18T0300Z-ca02`)');
    expect(images(tokens).map((i) => i.href)).toContain('staging-2026-W47/environments-vs-users.svg');
    expect(markdown).toMatch(/\n- \*\*p95 difference\*\*: candidate − current of the runs’ mean p95/);
  });

  it('says in one line that a side has no usable run, and the report still renders', () => {
    const oneSided = { ...input, environments: [input.environments[0]!, environmentSide('candidate', 'insufficient-data', [])] };
    const markdown = template(buildReportView(oneSided));
    const section = markdown.slice(markdown.indexOf('## Migration rehearsal'), markdown.indexOf('## Trend'));
    expect(section.trim().split('\n').filter(Boolean)).toEqual([
      '## Migration rehearsal: current vs candidate',
      expect.stringMatching(/^Each environment is decided over its own/),
      'candidate has no usable run up to the end of week 2026-W47, so it is not compared: run `npm run stages -- --environment candidate`.',
    ]);
    expect(markdown).toContain('## Charts');
  });
});

describe('the prebuilt command’s templates (precompiled by the build)', () => {
  it('render every case byte for byte as the templates compiled from the sources', async () => {
    const Handlebars = (await import('handlebars')).default;
    const source = await precompiledModule(TEMPLATES_DIR, Handlebars);
    const { PRECOMPILED } = (await import(`data:text/javascript,${encodeURIComponent(source)}`)) as { PRECOMPILED: PrecompiledTemplates };
    const built = reportTemplate(await precompiled(PRECOMPILED));
    expect(Object.keys(PRECOMPILED.partials)).toContain('glossary');
    for (const name of CASES) {
      const view = buildReportView(caseInput(name));
      expect(built(view), name).toBe(template(view));
    }
  });
});

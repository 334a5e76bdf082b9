import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Lexer, type Token, type Tokens } from 'marked';
import { beforeAll, describe, expect, it } from 'vitest';
import { CASES, caseInput, type CaseName } from './__testkit__/cases.ts';
import { loadReportTemplate, TEMPLATES_DIR, type ReportTemplate } from './render.ts';
import { buildReportView, type ReportView } from './view-model.ts';

let template: ReportTemplate;
let templateText: string;

beforeAll(async () => {
  template = await loadReportTemplate();
  const partials = await readdir(join(TEMPLATES_DIR, 'partials'));
  templateText = (
    await Promise.all([join(TEMPLATES_DIR, 'report.md.hbs'), ...partials.map((p) => join(TEMPLATES_DIR, 'partials', p))].map((f) => readFile(f, 'utf8')))
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

const headings = (tokens: Token[]) => walk(tokens).filter((t): t is Tokens.Heading => t.type === 'heading').map((h) => `${'#'.repeat(h.depth)} ${h.text}`);
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
    const fromTemplate = new Set(templateText.match(/\d+(?:\.\d+)?/g) ?? []);
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
    expect(grid.header.map((h) => h.text)).toEqual(['criterion', 'consolidated', '`2026-11-22T0300Z-bb04`', '`2026-11-20T0300Z-bb03`', '`2026-11-18T0300Z-bb01`']);
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

  it('shows the trend with the previous week first and this week in bold', () => {
    const { tokens } = render('no-go');
    const trend = tables(tokens).find((t) => t.header[0]!.text === 'week')!;
    expect(trend.rows.map((r) => [r[0]!.text, r[1]!.text, r[2]!.text])).toEqual([
      ['2026-W46', 'Go (provisional)', '2'],
      ['**2026-W47**', 'No-Go', '3'],
    ]);
  });
});

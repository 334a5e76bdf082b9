import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { glossaryOf, type GlossaryEntry } from './glossary.ts';
import type { ReportView } from './view-model.ts';
import { packageRoot } from '../../formats/files.ts';

/**
 * Renders the weekly report's Markdown from `templates/report.md.hbs` and the partials in
 * `templates/partials/` (a partial's name is its file name without `.md.hbs`). The templates
 * only loop and test flags: every string is ready in the view (see view-model.ts). The glossary
 * (`partials/glossary.md.hbs`) follows, with the terms the report printed (see glossary.ts).
 */

export const TEMPLATES_DIR = join(packageRoot(import.meta.url), 'templates');
const PARTIAL_SUFFIX = '.md.hbs';

export type ReportTemplate = (view: ReportView) => string;

/** Loads and compiles the templates of `dir` into a fresh Handlebars environment (no global state). */
export async function loadReportTemplate(dir: string = TEMPLATES_DIR): Promise<ReportTemplate> {
  const hb = Handlebars.create();
  const partialsDir = join(dir, 'partials');
  const names = (await readdir(partialsDir)).filter((n) => n.endsWith(PARTIAL_SUFFIX)).sort();
  for (const name of names) {
    hb.registerPartial(name.slice(0, -PARTIAL_SUFFIX.length), await readFile(join(partialsDir, name), 'utf8'));
  }
  // noEscape: the output is Markdown, not HTML; the view model escapes Markdown itself.
  // strict: a name the view does not have is an error, not an empty string in the report.
  const template = hb.compile<ReportView>(await readFile(join(dir, 'report.md.hbs'), 'utf8'), { noEscape: true, strict: true });
  const glossary = hb.compile<{ entries: GlossaryEntry[] }>('{{> glossary}}', { noEscape: true, strict: true });
  // The glossary explains the terms the rest of the report printed: it is rendered second.
  return (view) => {
    const body = template(view);
    const entries = glossaryOf(body);
    return tidy(entries.length ? `${body}\n\n${glossary({ entries })}` : body);
  };
}

/** Collapses the blank lines left where optional sections were skipped; one final newline. */
function tidy(markdown: string): string {
  return `${markdown
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

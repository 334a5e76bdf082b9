import { join } from 'node:path';
import type HandlebarsType from 'handlebars';
import { glossaryOf, type GlossaryEntry } from './glossary.ts';
import { GLOSSARY_SOURCE, readTemplates, templateOptions } from './templates-build.mjs';
import { PRECOMPILED, type PrecompiledTemplates } from './templates-precompiled.ts';
import type { ReportView } from './view-model.ts';
import { packageRoot } from '../../formats/files.ts';

/**
 * Renders the weekly report's Markdown from `templates/report.md.hbs` and the partials in
 * `templates/partials/` (a partial's name is its file name without `.md.hbs`). The templates
 * only loop and test flags: every string is ready in the view (see view-model.ts). The glossary
 * (`partials/glossary.md.hbs`) follows, with the terms the report printed (see glossary.ts).
 */

export const TEMPLATES_DIR = join(packageRoot(import.meta.url), 'templates');

export type ReportTemplate = (view: ReportView) => string;

export interface Templates {
  main: HandlebarsTemplateDelegate<ReportView>;
  glossary: HandlebarsTemplateDelegate<{ entries: GlossaryEntry[] }>;
}

/**
 * The templates of `dir` in a fresh Handlebars environment (no global state): precompiled by the
 * build for the project's own, else compiled here.
 */
export async function loadReportTemplate(dir: string = TEMPLATES_DIR): Promise<ReportTemplate> {
  return reportTemplate(PRECOMPILED && dir === TEMPLATES_DIR ? await precompiled(PRECOMPILED) : await compiled(dir));
}

/** The report from its templates: the glossary explains the terms the rest printed, so it is rendered second. */
export function reportTemplate({ main, glossary }: Templates): ReportTemplate {
  return (view) => {
    const body = main(view);
    const entries = glossaryOf(body);
    return tidy(entries.length ? `${body}\n\n${glossary({ entries })}` : body);
  };
}

async function compiled(dir: string): Promise<Templates> {
  const hb = (await import('handlebars')).default.create();
  const { main, partials } = await readTemplates(dir);
  for (const [name, text] of partials) hb.registerPartial(name, text);
  return { main: hb.compile<ReportView>(main, templateOptions()), glossary: hb.compile(GLOSSARY_SOURCE, templateOptions()) };
}

/** Exported for the test that holds the build's templates to the compiled ones. */
export async function precompiled(p: PrecompiledTemplates): Promise<Templates> {
  // Handlebars' runtime only: its compiler (and the source-map package it loads) is not needed.
  const hb = ((await import('handlebars/runtime')) as unknown as { default: typeof HandlebarsType }).default.create();
  for (const [name, spec] of Object.entries(p.partials)) hb.registerPartial(name, hb.template(spec));
  return { main: hb.template<ReportView>(p.main), glossary: hb.template(p.glossary) };
}

/** Collapses the blank lines left where optional sections were skipped; one final newline. */
function tidy(markdown: string): string {
  return `${markdown
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

// The weekly report's templates as Handlebars reads them: shared by the report (runner/report/
// render.ts compiles them when run from the sources) and by the build (runner/launch.mjs, plain
// JavaScript, precompiles them into the prebuilt command), so both read and compile them alike.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * noEscape: the output is Markdown, not HTML; the view model escapes Markdown itself.
 * strict: a name the view does not have is an error, not an empty string in the report.
 */
export const templateOptions = () => ({ noEscape: true, strict: true }); // fresh each time: Handlebars writes into it
/** The glossary (`partials/glossary.md.hbs`) is rendered on its own, after the body. */
export const GLOSSARY_SOURCE = '{{> glossary}}';
const PARTIAL_SUFFIX = '.md.hbs';

/** `report.md.hbs` and the partials of `dir/partials` (a partial's name: its file name without `.md.hbs`), sorted. */
export async function readTemplates(dir) {
  const partialsDir = join(dir, 'partials');
  const names = (await readdir(partialsDir)).filter((n) => n.endsWith(PARTIAL_SUFFIX)).sort();
  const partials = [];
  for (const name of names) partials.push([name.slice(0, -PARTIAL_SUFFIX.length), await readFile(join(partialsDir, name), 'utf8')]);
  return { main: await readFile(join(dir, 'report.md.hbs'), 'utf8'), partials };
}

/**
 * An ES module exporting `PRECOMPILED`: the templates of `dir` precompiled by `Handlebars`
 * (compiling them took ~50 ms of every report, and loading Handlebars' compiler more).
 */
export async function precompiledModule(dir, Handlebars) {
  const { main, partials } = await readTemplates(dir);
  const spec = (source) => Handlebars.precompile(source, templateOptions());
  const entries = partials.map(([name, text]) => `${JSON.stringify(name)}: ${spec(text)}`);
  return `export const PRECOMPILED = {\n  main: ${spec(main)},\n  glossary: ${spec(GLOSSARY_SOURCE)},\n  partials: {\n${entries.join(',\n')}\n  },\n};\n`;
}

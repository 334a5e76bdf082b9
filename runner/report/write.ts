import { access, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { UserError } from '../../formats/errors.ts';
import { writeFileAtomic } from '../../formats/files.ts';

/**
 * Where a report and its charts go, and writing them. The charts sit in a folder named after
 * the report, beside it (`staging-2026-W47.md` + `staging-2026-W47/p95-vs-users.svg`), so the
 * Markdown links them by a relative path that works on GitHub and in a copied folder.
 */

export interface ReportPaths {
  readonly markdown: string;
  /** Folder of the charts (path as given/joined, not necessarily absolute). */
  readonly chartsDir: string;
  /** The charts folder relative to the Markdown file (what the links use). */
  readonly chartsLink: string;
}

export function reportPaths(markdownPath: string): ReportPaths {
  const ext = extname(markdownPath);
  const stem = basename(markdownPath, ext);
  return { markdown: markdownPath, chartsDir: join(dirname(markdownPath), stem), chartsLink: stem };
}

/**
 * Checks `--out` before anything is written (throws a UserError, exit 2): a path to a `.md` file,
 * since its charts go in the folder named after it (an extension-less path would be both), and
 * not an existing folder (the charts would be written into it before the Markdown failed).
 * Returns the path resolved against `cwd`.
 */
export async function checkReportOut(given: string, cwd: string): Promise<string> {
  const expected = '--out: expected a path to a .md file';
  const hint = 'e.g. --out reports/staging-2026-W47.md (its charts go in reports/staging-2026-W47/)';
  if (given.trim() === '') throw new UserError(`${expected}, got an empty string`, { hint });
  const path = resolve(cwd, given);
  const isFolder =
    /[/\\]$/.test(given) ||
    (await stat(path).then(
      (s) => s.isDirectory(),
      () => false,
    ));
  if (isFolder) throw new UserError(`${expected}, got a folder "${given}"`, { hint });
  if (extname(path).toLowerCase() !== '.md') throw new UserError(`${expected}, got "${given}"`, { hint });
  return path;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Writes the charts, then the Markdown (each atomically), so a report never points at charts
 * that are not there. Without `force`, refuses when the Markdown exists: a report already sent
 * is not replaced by accident.
 */
export async function writeReport(
  paths: ReportPaths,
  markdown: string,
  charts: readonly { file: string; svg: string }[],
  force: boolean,
): Promise<void> {
  if (!force && (await exists(paths.markdown))) {
    throw new UserError('already exists; refusing to overwrite a report', {
      file: paths.markdown,
      hint: 'add --force to regenerate it, or give another --out',
    });
  }
  for (const c of charts) await writeFileAtomic(join(paths.chartsDir, c.file), c.svg);
  await writeFileAtomic(paths.markdown, markdown);
}

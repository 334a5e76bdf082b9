import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runManifestFormat } from '../../formats/run-manifest.ts';
import { runSummaryFormat } from '../../formats/run-summary.ts';
import { MANIFEST_FILE, SUMMARY_FILE, runDir } from '../../runner/results-store.ts';
import type { StoredRun } from '../../runner/results-store.ts';
import { writeFormat } from '../../formats/files.ts';

/**
 * A temporary results folder for tests: `await using`-free on purpose (Node 20), so call
 * `cleanup()` in afterEach. Runs are written the way the runner writes them
 * (`runs/<id>/run.json` + `summary.json`, through the format modules).
 */
export interface ResultsFolder {
  readonly dir: string;
  /** Writes a run built with runs.ts (a null manifest or summary leaves that file out). */
  write(run: Pick<StoredRun, 'id' | 'manifest' | 'summary'>): Promise<string>;
  /** Writes raw text as one of a run's files (for unreadable-file cases). */
  writeRaw(id: string, file: string, text: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function makeResultsFolder(prefix = 'capacity-results-'): Promise<ResultsFolder> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return {
    dir,
    async write(run) {
      const folder = runDir(dir, run.id);
      await mkdir(folder, { recursive: true });
      if (run.manifest) await writeFormat(runManifestFormat, join(folder, MANIFEST_FILE), run.manifest);
      if (run.summary) await writeFormat(runSummaryFormat, join(folder, SUMMARY_FILE), run.summary);
      return folder;
    },
    async writeRaw(id, file, text) {
      const folder = runDir(dir, id);
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, file), text);
      return join(folder, file);
    },
    async cleanup() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

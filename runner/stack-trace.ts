import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A stack trace whose frames in prebuilt JavaScript (runner/launch.mjs: `<chunk>.mjs` beside its
 * `<chunk>.mjs.map`) name the TypeScript sources and lines instead, as Node prints them with source
 * maps enabled. Node would do it for every start (process.setSourceMapsEnabled), but it then reads
 * and parses the map of every module it loads, at load: about a tenth of `report`'s start, paid
 * for the one case that prints a stack, a bug. Frames without a map (tsx, Node's own) stay as they are.
 */
export function sourceMappedStack(stack: string): string {
  const maps = new Map<string, SourceMap | null>();
  return stack.replace(
    /^(\s+at (?:.+? \()?)((?:file:\/\/)?\/[^():]+\.mjs):(\d+):(\d+)(\)?)$/gm,
    (frame, head, file, line, column, tail) => {
      const path: string = file.startsWith('file://') ? fileURLToPath(file) : file;
      if (!maps.has(path)) maps.set(path, readMap(path));
      const e = maps.get(path)?.findEntry(Number(line) - 1, Number(column) - 1);
      // findEntry falls back to the nearest mapping before the position: keep it only on the same line.
      if (!e || !('originalSource' in e) || e.generatedLine !== Number(line) - 1) return frame;
      return `${head}${resolve(dirname(path), e.originalSource)}:${e.originalLine + 1}:${e.originalColumn + 1}${tail}`;
    },
  );
}

function readMap(path: string): SourceMap | null {
  try {
    return new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')) as SourceMapPayload);
  } catch {
    return null; // no map beside it (or an unreadable one): the frame is printed as it is
  }
}

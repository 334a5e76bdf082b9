import { SourceMap, type SourceMapPayload } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Rewrites the frames of a stack trace that point into the re-bundled user script so that they
 * name the user's own files and positions, in k6's shape (`\n\tat name (file:///path:L:C)`).
 * `bundlePath` is the file name the bundle is evaluated under, `line0` the number of lines the
 * VU puts before the bundle's first line, `sourcesDir` the folder the map's sources are relative
 * to. Frames of esbuild's own helpers (no original position) are dropped: they mean nothing to
 * the script's author; text without such frames is returned as it was.
 */
export function stackMapper(mapJson: string, bundlePath: string, line0: number, sourcesDir: string): (text: string) => string {
  const map = new SourceMap(JSON.parse(mapJson) as SourceMapPayload);
  const escaped = bundlePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const frame = new RegExp(`^ {4}at (?:(.+?) \\()?${escaped}:(\\d+):(\\d+)\\)?$`);
  return (text) => {
    if (!text.includes(bundlePath)) return text;
    let mapped = false;
    const out: string[] = [];
    for (const line of text.split('\n')) {
      const m = frame.exec(line);
      if (!m) {
        // Other frames (JSON.parse, the engine's modules) in the same k6 shape as the mapped ones.
        out.push(line.replace(/^ {4}at /, '\tat '));
        continue;
      }
      mapped = true;
      const e = map.findEntry(Number(m[2]) - 1 - line0, Number(m[3]) - 1);
      // findEntry falls back to the nearest mapping before the position: keep it only on the same line.
      if (!('originalSource' in e) || e.generatedLine !== Number(m[2]) - 1 - line0) continue;
      const where = `${pathToFileURL(resolve(sourcesDir, e.originalSource)).href}:${e.originalLine + 1}:${e.originalColumn + 1}`;
      // esbuild names an anonymous default export `<file>_default`; k6 knows it as `default`.
      const name = m[1]?.replace(/^\w+_default$/, 'default');
      out.push(name ? `\tat ${name} (${where})` : `\tat ${where}`);
    }
    // k6 ends a stack with a newline.
    return mapped ? `${out.join('\n')}\n` : text;
  };
}

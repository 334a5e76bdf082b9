/**
 * The checks of the k6 stand-in (k6-stand-in.ts) before it hands `k6 run` to the embedded engine:
 * `node k6-stand-in-check.ts <refused flags, comma-separated> run [flags] <script>`. Exits 0 when
 * the run may go on; else prints what real k6 prints and exits with its code.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspectBundle } from '../../runner/bundle-syntax.ts';

const [refusedList = '', ...args] = process.argv.slice(2);
const refused = refusedList.split(',').filter(Boolean);
for (const arg of args) {
  const flag = arg.split('=', 1)[0]!;
  if (refused.includes(flag)) {
    process.stderr.write(`time="${new Date().toISOString()}" level=error msg="unknown flag: ${flag}"\n`);
    process.exit(255);
  }
}
const script = resolve(args[args.length - 1] ?? '');
// The same acorn check as the runner's (ES2017, module): what k6 v0.48's Babel refuses.
const { problem } = inspectBundle(readFileSync(script, 'utf8'));
if (problem) {
  const msg = `SyntaxError: ${pathToFileURL(script).href}: ${problem.message} (${problem.line}:${problem.column})`;
  process.stderr.write(
    `time="${new Date().toISOString()}" level=error msg=${JSON.stringify(`${msg}\n\tat <internal/k6/compiler/lib/babel.min.js>`)} hint="script exception"\n`,
  );
  process.exit(107);
}

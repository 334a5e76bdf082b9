import * as acorn from 'acorn';

/**
 * The ECMAScript edition every bundle is held to: the newest one that every supported k6 runs.
 * k6 v0.48 parses modules with an old Babel that refuses object spread, `catch {`, `?.` and
 * newer (measured: shared/fixtures/k6/syntax-and-versions.md); newer k6 accepts ES2017 too.
 */
export const BUNDLE_ES_VERSION = 2017;

/** A place in a bundle: line from 1, column from 0 (as acorn and source maps count). */
export interface BundlePosition {
  readonly line: number;
  readonly column: number;
}

export interface BundleSyntax {
  /** Where the bundle stops being an ES2017 module, with acorn's message; null when it parses. */
  readonly problem: (BundlePosition & { readonly message: string }) | null;
  /** Every `BigInt(` call in the bundle: esbuild lowers a `10n` literal to one, which k6 v0.48 cannot run. */
  readonly bigIntCalls: readonly BundlePosition[];
}

/**
 * Parses `code` as an ES2017 module with acorn (a standards ECMAScript parser), the check every
 * bundle passes before an engine gets it.
 */
export function inspectBundle(code: string): BundleSyntax {
  const bigIntCalls: BundlePosition[] = [];
  let previous: acorn.Token | undefined;
  try {
    acorn.parse(code, {
      ecmaVersion: BUNDLE_ES_VERSION,
      sourceType: 'module',
      locations: true,
      onToken: (token) => {
        if (
          token.type === acorn.tokTypes.parenL &&
          previous?.type === acorn.tokTypes.name &&
          code.slice(previous.start, previous.end) === 'BigInt' &&
          previous.loc
        ) {
          bigIntCalls.push({ line: previous.loc.start.line, column: previous.loc.start.column });
        }
        previous = token;
      },
    });
  } catch (e) {
    const loc = (e as { loc?: acorn.Position }).loc;
    const message = (e as Error).message.replace(/\s*\(\d+:\d+\)$/, '');
    return { problem: { line: loc?.line ?? 1, column: loc?.column ?? 0, message }, bigIntCalls };
  }
  return { problem: null, bigIntCalls };
}

/** A BigInt literal (`10n`, `0xffn`, `1_000n`) at the start of `text`, else undefined. */
export function bigIntLiteralAt(text: string): string | undefined {
  return /^(?:0[xX][\da-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|\d[\d_]*)n(?![\w$])/.exec(text)?.[0];
}

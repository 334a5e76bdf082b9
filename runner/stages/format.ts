import { MISSING } from '../../decision/words.ts';

/** `m:ss` or `h:mm:ss` for elapsed/remaining times. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The width of each column of `rows` (the first row sets the columns). */
function columnWidths(rows: ReadonlyArray<readonly string[]>): number[] {
  return rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
}

/**
 * Rows (the first one sets the columns) as aligned lines, two spaces apart: the first column
 * left-aligned (names), the others right-aligned (numbers). For terminals and logs.
 */
export function alignColumns(rows: ReadonlyArray<readonly string[]>, widths = columnWidths(rows)): string[] {
  return rows.map((cells) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** A plain-text table with right-aligned numeric columns and a rule under the header, for terminals and logs. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const all = [header, ...rows];
  const widths = columnWidths(all);
  const [head, ...body] = alignColumns(all, widths);
  return [head!, widths.map((w) => '-'.repeat(w)).join('  '), ...body].join('\n');
}

/** A number with a fixed count of decimals, or an en dash when there is none. */
export function fixed(value: number | null | undefined, decimals: number): string {
  return value === null || value === undefined || !Number.isFinite(value) ? MISSING : value.toFixed(decimals);
}

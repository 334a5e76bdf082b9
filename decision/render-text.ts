import type { Comparison, ComparisonSide } from '../formats/comparison.ts';
import { CRITERIA, type CriterionId, type Decision, type RunLevel } from '../formats/decision.ts';
import { CRITERION_NAMES, decisionWord, nearBounds, MISSING } from './words.ts';

/**
 * The decision as a readable table with its evidence (`npm run decide` without --json). Pure:
 * the command writes the returned text.
 */

/** What the decision means, after its word in the headline. */
const MEANINGS: Readonly<Record<Decision['decision'], string | null>> = {
  go: 'stay',
  watch: 'closer monitoring',
  'no-go': 'prepare the migration',
  'insufficient-data': null,
};

/** "GO (stay)", "INSUFFICIENT DATA": the headline shouts the same word the report and notifications use. */
function headline(value: Decision['decision']): string {
  const meaning = MEANINGS[value];
  return `${decisionWord(value).toUpperCase()}${meaning ? ` (${meaning})` : ''}`;
}

function cell(id: CriterionId, r: RunLevel): string {
  if (r.figure === null) return r.level;
  const figure = id === 'p95' ? `${nearBounds(r.figure, [])} ms` : `${nearBounds(r.figure, [], 2)} %`;
  return `${r.level} ${figure}${r.borderline ? ' (borderline)' : ''}`;
}

export function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) =>
    r
      .map((v, c) => (c === r.length - 1 ? v : v.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

export function renderDecisionText(d: Decision): string {
  const lines: string[] = [];
  const provisional = d.provisional ? `  [provisional: ${d.runs.length} of ${d.runsToCompare} runs]` : '';
  const score = d.score === null ? '' : ` — score ${d.score} (${d.reading})`;
  lines.push(`Decision: ${headline(d.decision)}${score}${provisional}`);
  lines.push(
    `${d.environment} · target ${d.targetStage ?? '?'} users · key transaction "${d.keyTransaction}"` +
      (d.baseline ? ` · compared with ${d.baseline}` : ''),
  );
  lines.push('');
  if (d.runs.length) {
    const header = ['criterion', 'consolidated', ...d.runs];
    const rows = CRITERIA.filter((id) => d.criteria[id]).map((id) => {
      const c = d.criteria[id]!;
      return [
        CRITERION_NAMES[id],
        c.level,
        ...d.runs.map((runId) => {
          const r = c.runs.find((x) => x.runId === runId);
          return r ? cell(id, r) : MISSING;
        }),
      ];
    });
    lines.push(...table([header, ...rows]), '');
  }
  lines.push('Why:', ...d.reasons.map((r) => `  - ${r}`), '');
  if (d.runs.length) {
    lines.push('Evidence:');
    for (const id of CRITERIA) {
      const c = d.criteria[id];
      if (!c) continue;
      lines.push(`  ${CRITERION_NAMES[id]} (${c.runs[0]?.bound ?? ''})`);
      for (const r of c.runs) lines.push(`    ${r.runId}  ${r.rule}`);
    }
    lines.push('');
  }
  if (d.excluded.length) {
    lines.push('Excluded:', ...d.excluded.map((e) => `  ${e.id}  ${e.reason}`), '');
  }
  if (d.warnings?.length) lines.push('Warnings:', ...d.warnings.map((w) => `  - ${w}`), '');
  if (d.action) lines.push(`Action for next week: ${d.action}`);
  return `${lines.join('\n').trimEnd()}\n`;
}

function sideCell(s: ComparisonSide, id: CriterionId): string {
  const c = s.criteria[id];
  if (!c) return MISSING;
  if (c.figure === null) return c.level;
  return `${c.level} ${id === 'p95' ? `${nearBounds(c.figure, [])} ms` : `${nearBounds(c.figure, [], 2)} %`}`;
}

/** The migration comparison (`npm run compare` without --json): both sides per criterion, the p95 difference, the verdict. */
export function renderComparisonText(c: Comparison): string {
  const sides = [c.current, c.candidate];
  const rows = [
    ['', ...sides.map((s) => s.environment)],
    ['decision', ...sides.map((s) => decisionWord(s.decision))],
    ...CRITERIA.map((id) => [CRITERION_NAMES[id], ...sides.map((s) => sideCell(s, id))]),
    ['capacity (users held)', ...sides.map((s) => (s.capacityUsers === null ? MISSING : nearBounds(s.capacityUsers, [])))],
    ['runs', ...sides.map((s) => String(s.runs.length))],
    ['weeks', ...sides.map((s) => s.weeks.join(', '))],
  ];
  const d = c.p95Difference;
  const diff = d
    ? `p95 difference (candidate − current): ${nearBounds(d.differenceMs, [])} ms, 95 % interval ${nearBounds(d.lowMs, [])} to ${nearBounds(d.highMs, [])} ms` +
      (d.measurable ? '' : ' — no measurable difference')
    : 'p95 difference: not estimated (fewer than 2 runs with a p95 on one side)';
  return `${[...table(rows), '', diff, '', `Verdict: ${c.verdict}`].join('\n')}\n`;
}

import type { CriterionId, Decision, Level, RunLevel } from '../../formats/decision.ts';
import { CRITERIA, LEVELS } from '../../formats/decision.ts';
import { decisionWord, nearBounds } from '../../decision/words.ts';
import { codeText } from './format.ts';
import type { ReportSettings } from './report-input.ts';
import { keyLabel } from '../../formats/key-transaction.ts';

/**
 * The report's first paragraph, for a reader who reads nothing else: the decision, the figures
 * that drove it against their bounds, at which users, in how many of the runs it rests on, and
 * the capacity of the newest run in users. Pure.
 */

const severity = (l: Level) => LEVELS.indexOf(l);

/** "in 2 of the last 3 runs", "in all 3 runs", "in both runs", "in the one run". */
function inRuns(k: number, n: number): string {
  if (k < n) return `in ${k} of the last ${n} runs`;
  return n === 1 ? 'in the one run' : n === 2 ? 'in both runs' : `in all ${n} runs`;
}

/** "4180 ms", "2660 and 2850 ms", "1.2, 1.5 and 3.4 %": the unit once, after the figures; one figure when all are equal. */
function figures(all: readonly string[], unit: string): string {
  // "0, 0 and 0 %" says no more than "0 %".
  const values = all.every((v) => v === all[0]) ? all.slice(0, 1) : all;
  const list = values.length <= 1 ? values.join('') : `${values.slice(0, -1).join(', ')} and ${values.at(-1)}`;
  return `${list} ${unit}`;
}

/**
 * One criterion in words at its consolidated `level`: the runs at that level (for orange and
 * red: or worse), their figures, the bound and in how many runs.
 */
function criterionWords(id: CriterionId, runs: readonly RunLevel[], level: Level, s: ReportSettings, target: number, n: number): string {
  const hit = runs.filter((r) => (level === 'green' ? r.level === 'green' : severity(r.level) >= severity(level)));
  const where = inRuns(hit.length, n);
  const values = (bounds: readonly number[], digits: number) =>
    hit.flatMap((r) => (r.figure == null ? [] : [nearBounds(r.figure, bounds, digits)]));
  const against = (green: number, orange: number, unit: string) =>
    level === 'green'
      ? `within the ${green}${unit} green bound`
      : `against ${level === 'red' ? `a ${orange}${unit} red` : `a ${green}${unit} green`} bound`;
  const p95 = s.criteria.p95Ms;
  const err = s.criteria.errorRatePct;
  switch (id) {
    case 'p95':
      return `p95 of \`${codeText(keyLabel(s.keyTransaction.name, s.keyTransaction.metric))}\` at ${target} users was ${figures(values([p95.green, p95.orange], 0), 'ms')} ${against(p95.green, p95.orange, ' ms')} ${where}`;
    case 'errorRate':
      return `the error rate up to ${target} users was ${figures(values([err.green, err.orange], 2), '%')} ${against(err.green, err.orange, ' %')} ${where}`;
    case 'held':
      return `the target stage (${target} users) ${level === 'green' ? 'held' : level === 'red' ? 'was not held' : 'held only with degradation'} ${where}`;
  }
}

function sentence(parts: readonly string[]): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join('; ')}; and ${parts.at(-1)}`;
}

/** The headline paragraph. `capacityWords` (Markdown-safe) is the newest run's capacity in users, null without a summary. */
export function headline(d: Decision, s: ReportSettings, meaning: string, capacityWords: string | null): string {
  const label = decisionWord(d.decision);
  if (d.decision === 'insufficient-data') {
    const excluded = d.excluded.length
      ? ` (${d.excluded.length === 1 ? '1 run was' : `${d.excluded.length} runs were`} excluded: see Runs excluded)`
      : '';
    return `**${label}**: no comparable run up to the end of the week${excluded}, so no Go, Watch or No-Go can be given.`;
  }
  const n = d.runs.length;
  const target = d.targetStage ?? s.targetStage;
  const provisional = d.provisional ? `, provisional (on ${n} of the ${d.runsToCompare} runs the grid asks for)` : '';
  const present = CRITERIA.filter((id) => d.criteria[id] !== undefined);
  const at = (level: Level) => present.filter((id) => d.criteria[id]!.level === level);
  const words = (ids: readonly CriterionId[], level: Level) =>
    ids.map((id) => criterionWords(id, d.criteria[id]!.runs, level, s, target, n));
  const reds = at('red');
  const oranges = at('orange');
  let why: string;
  if (reds.length) why = sentence(words(reds, 'red'));
  else if (oranges.length) {
    const which = oranges.length === 1 ? 'one criterion orange' : `${oranges.length} criteria orange`;
    const allowed = d.decision === 'go' ? ', which Go allows' : d.decision === 'no-go' ? ` (score ${d.score ?? oranges.length})` : '';
    why = `${which}${allowed}: ${sentence(words(oranges, 'orange'))}`;
  } else why = `every criterion green: ${sentence(words(at('green'), 'green'))}`;
  const capacity = capacityWords ? ` Capacity, newest run: ${capacityWords}.` : '';
  return `**${label}**${provisional} — ${meaning}: ${why}.${capacity}`;
}

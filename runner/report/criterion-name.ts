import type { CriterionId } from '../../formats/decision.ts';
import { keyLabel } from '../../formats/key-transaction.ts';
import { codeText } from './format.ts';
import type { ReportSettings } from './report-input.ts';

/** A criterion as the report names it, with its key transaction and target stage: "p95 of `search` at 100 users". */
export function criterionName(id: CriterionId, s: ReportSettings, targetStage: number): string {
  switch (id) {
    case 'p95':
      return `p95 of ${codeText(keyLabel(s.keyTransaction.name, s.keyTransaction.metric))} at ${targetStage} users`;
    case 'errorRate':
      return `error rate, stages up to ${targetStage} users`;
    case 'held':
      return `target stage (${targetStage} users) held`;
  }
}

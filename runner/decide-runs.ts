import { DecisionInputError, type DecideOptions, decide } from '../decision/decide.ts';
import type { RunInput } from '../decision/comparability.ts';
import type { CapacityConfig } from '../formats/config.ts';
import type { Decision } from '../formats/decision.ts';
import { UserError } from '../formats/errors.ts';

/**
 * The decision over stored runs, as every command makes it (decide, report, notify): the pure
 * decide() with its input errors (an unknown --baseline, a bad --until) turned into one-line user
 * errors, with the hint of the command that asked.
 */
export function decideRuns(runs: readonly RunInput[], config: CapacityConfig, options: DecideOptions = {}, hint?: string): Decision {
  try {
    return decide(runs, config, options);
  } catch (e) {
    if (e instanceof DecisionInputError) throw new UserError(e.message, hint ? { hint } : {});
    throw e;
  }
}

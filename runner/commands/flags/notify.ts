import { defineFlags } from '../command.ts';
import { DEFAULT_FAILURE_THRESHOLD } from '../../notify/detect.ts';
import { PAYLOAD_FORMATS, type PayloadFormat } from '../../notify/payload.ts';

/** The environment variable that holds the webhook URL (preferred to the flag: argv is visible to other users). */
export const WEBHOOK_ENV = 'CAPACITY_WEBHOOK_URL';

/** `npm run notify`'s flags and help (the command itself: commands/notify.ts). */
export const flags = defineFlags({
  name: 'notify',
  describe: 'post the decision to a webhook when it changed, or when the tool failed twice in a row',
  builder: (y) =>
    y
      .usage(
        'npm run notify -- [--webhook <url>] [--results results] [--format slack|json] [--dry-run]\n\n' +
          'Posts when the decision changed since the last post (Go → Watch, Watch → No-Go, back to Go…) and after ' +
          'consecutive failed runs of the tool itself; posts nothing when nothing changed. What was posted is kept ' +
          `in <results>/notify-state.json. The webhook URL may come from ${WEBHOOK_ENV} (preferred: a flag is visible in ps).`,
      )
      .option('webhook', { type: 'string', describe: `webhook URL (default: $${WEBHOOK_ENV}); never printed` })
      .option('results', { type: 'string', default: 'results', describe: 'results folder (runs/ and the notify state)' })
      .option('config', {
        type: 'string',
        describe:
          'capacity.config.json: decides with it, and says its action for the decision (default: ./capacity.config.json if present)',
      })
      .option('environment', {
        type: 'string',
        describe:
          "without --decision: the environment decided on, when the results folder holds several (default: the config's, else the only one, else the newest run's)",
      })
      .option('decision', {
        type: 'string',
        describe: 'read the decision from this file (`npm run decide -- --json > file`) instead of deciding',
      })
      .option('format', {
        choices: PAYLOAD_FORMATS,
        default: 'slack' as PayloadFormat,
        describe: 'slack: { text, blocks }; json: a versioned document',
      })
      .option('dry-run', { type: 'boolean', default: false, describe: 'print what would be posted; post nothing, write no state' })
      .option('summary', { type: 'string', describe: 'append the decision as Markdown to this file (e.g. $GITHUB_STEP_SUMMARY)' })
      .option('link', { type: 'string', describe: 'a URL to put in the message (e.g. the CI run)' })
      .option('failures', {
        type: 'number',
        default: DEFAULT_FAILURE_THRESHOLD,
        describe: 'consecutive failed runs of the tool before an alert',
      })
      .option('tool-failed', {
        type: 'number',
        describe:
          'npm run stages exited with this code before writing a run folder (bad input, k6 missing): count it as a failed run of the tool',
      })
      .example('CAPACITY_WEBHOOK_URL=https://hooks.slack.com/services/… npm run notify', 'post if the decision changed')
      .example('npm run notify -- --dry-run --format json', 'show the message without posting')
      .example('npm run notify -- --tool-failed 2', 'in CI, after npm run stages exited with 2 and wrote no run folder'),
});

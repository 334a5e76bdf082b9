import { z } from 'zod';
import { UserError } from './errors.ts';

/**
 * The config's named environments (issue 17): the hosts one study measures, e.g. the current
 * hosting and a migration candidate. Only the host and how to reach it differ between them; the
 * scenario, stage plan and criteria are the config's, shared, so that their runs differ only in
 * the host and their decisions can be put side by side.
 *
 * Secrets never sit in the file: `${VAR}` in a host or a header value is read from the process
 * environment when a run starts (`resolveEnvironment`), and a host with literal `user:password@`
 * is refused when the file is read.
 */

/** `${NAME}`: a reference to an environment variable (shell-style names). */
const VAR_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The word `--environment` takes for every environment of the list, one after another. */
export const ALL_ENVIRONMENTS = 'all';

/** Header names whose value is a secret: it must come from an environment variable. */
const SECRET_HEADER = /authorization|cookie|token|secret|password|api-?key/i;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const EnvironmentSchema = z.strictObject({
  /** How runs, decisions and `--environment` name it, e.g. `current`, `candidate`. */
  name: z.string().regex(NAME, { message: 'expected letters, digits, ".", "_" or "-", e.g. candidate' }),
  /** Base URL of the service; `${VAR}` parts are read from the environment when a run starts. */
  host: z.string().min(1),
  /** What may differ besides the host: only how requests reach it (see docs/config.md). */
  overrides: z
    .strictObject({
      /**
       * Headers added to every request of the scenario, e.g. the `Host` a candidate reached by
       * address serves, or the candidate's own API token (`"Bearer ${CANDIDATE_TOKEN}"`).
       */
      headers: z.record(z.string().regex(HEADER_NAME, { message: 'expected an HTTP header name, e.g. X-Tenant' }), z.string()).optional(),
    })
    .optional(),
});
export type Environment = z.infer<typeof EnvironmentSchema>;

export const EnvironmentsSchema = z.array(EnvironmentSchema).default([]);

/** A cross-field problem of the list: the path it concerns and what is wrong. */
export interface EnvironmentProblem {
  readonly path: string;
  readonly message: string;
}

/** Every problem of the list the schema cannot see: names, host syntax, secrets written in the file. */
export function environmentProblems(environments: readonly Environment[]): EnvironmentProblem[] {
  const problems: EnvironmentProblem[] = [];
  const seen = new Set<string>();
  for (const [i, env] of environments.entries()) {
    const at = `environments.${i}`;
    if (env.name === ALL_ENVIRONMENTS) {
      problems.push({ path: `${at}.name`, message: `"${ALL_ENVIRONMENTS}" is reserved (--environment all runs every environment)` });
    } else if (seen.has(env.name)) {
      problems.push({ path: `${at}.name`, message: `"${env.name}" is named twice; every environment needs its own name` });
    }
    seen.add(env.name);
    const hostProblem = checkHost(env.host);
    if (hostProblem) problems.push({ path: `${at}.host`, message: hostProblem });
    for (const [header, value] of Object.entries(env.overrides?.headers ?? {})) {
      const problem = malformedRef(value) ?? secretHeaderProblem(header, value);
      if (problem) problems.push({ path: `${at}.overrides.headers.${header}`, message: problem });
    }
  }
  return problems;
}

/** A `${` that does not open a well-formed reference, or null. */
function malformedRef(text: string): string | null {
  const rest = text.replace(VAR_REF, '');
  return rest.includes('${') ? 'expected ${NAME} with a variable name of letters, digits and "_", e.g. ${CANDIDATE_HOST}' : null;
}

function secretHeaderProblem(header: string, value: string): string | null {
  if (!SECRET_HEADER.test(header) || value.match(VAR_REF)) return null;
  return `a secret written in the file; take it from an environment variable, e.g. "Bearer \${CANDIDATE_TOKEN}"`;
}

/**
 * The host as written: references well formed, no literal credentials (never echoed back), and,
 * without references, an http(s) base URL. A host with references is checked again once expanded.
 */
function checkHost(host: string): string | null {
  const malformed = malformedRef(host);
  if (malformed) return malformed;
  const userinfo = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)@/.exec(host)?.[1];
  if (userinfo !== undefined && userinfo.replace(VAR_REF, '').replace(':', '') !== '') {
    return (
      'credentials written in the file; take them from environment variables, ' +
      'e.g. "https://${CANDIDATE_USER}:${CANDIDATE_PASSWORD}@candidate.example.com", or the whole host as "${CANDIDATE_HOST}"'
    );
  }
  if (host.match(VAR_REF)) return null;
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    return `expected an http(s) URL like https://app.example.com or \${VAR} (got "${host.slice(0, 60)}")`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `expected an http or https URL (got the scheme "${url.protocol}")`;
  if (url.search || url.hash) return 'expected a base URL without a query string or fragment, e.g. https://app.example.com/base';
  return null;
}

/** The names `--environment` takes: the list's, or the single `environment` when there is no list. */
export function environmentNames(config: { readonly environment: string; readonly environments: readonly Environment[] }): string[] {
  return config.environments.length > 0 ? config.environments.map((e) => e.name) : [config.environment];
}

/** One environment ready for a run: references expanded (the host may now hold credentials: keep it out of files). */
export interface ResolvedEnvironment {
  readonly name: string;
  readonly host: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The environment `name` of the list, its `${VAR}` references read from `env` (pure: the caller
 * passes the process environment). Unknown names and unset variables are one line each, exit 2.
 */
export function resolveEnvironment(
  environments: readonly Environment[],
  name: string,
  env: Readonly<Record<string, string | undefined>>,
): ResolvedEnvironment {
  const found = findEnvironment(environments, name);
  const expand = (text: string, path: string) =>
    text.replace(VAR_REF, (_, variable: string) => {
      const value = env[variable];
      if (value === undefined || value === '') {
        throw new UserError(`${path}: the environment variable ${variable} is not set; export it before the run (docs/config.md)`);
      }
      return value;
    });
  const at = `environments.${name}`;
  const host = expand(found.host, `${at}.host`);
  const headers: Record<string, string> = {};
  for (const [header, value] of Object.entries(found.overrides?.headers ?? {})) {
    headers[header] = expand(value, `${at}.overrides.headers.${header}`);
  }
  return { name, host, headers };
}

/** The environment `name` of the list; unknown names are one line naming the known ones, exit 2. */
export function findEnvironment(environments: readonly Environment[], name: string): Environment {
  const found = environments.find((e) => e.name === name);
  if (found) return found;
  throw new UserError(
    environments.length === 0
      ? `--environment: the config has no "environments" list (got "${name}"); add one (docs/config.md) or give --host`
      : `--environment: unknown environment "${name}"; the config names ${environments.map((e) => e.name).join(', ')} (or ${ALL_ENVIRONMENTS})`,
  );
}

/**
 * The environments `--environment` names, in the order they run: `all` is the list's order; names
 * given one by one run in the order given (the nightly job alternates it, see docs/ci.md).
 */
export function selectEnvironments(environments: readonly Environment[], requested: readonly string[]): string[] {
  if (requested.includes(ALL_ENVIRONMENTS)) {
    if (requested.length > 1)
      throw new UserError(`--environment ${ALL_ENVIRONMENTS}: give it alone (it runs every environment of the list)`);
    if (environments.length === 0) {
      throw new UserError(`--environment ${ALL_ENVIRONMENTS}: the config has no "environments" list; add one (docs/config.md)`);
    }
    return environments.map((e) => e.name);
  }
  const twice = requested.find((name, i) => requested.indexOf(name) !== i);
  if (twice !== undefined) throw new UserError(`--environment: "${twice}" is given twice; give each environment once`);
  for (const name of requested) findEnvironment(environments, name);
  return [...requested];
}

/**
 * k6's `systemTags` option / `--system-tags` flag: which tags k6 itself puts on samples. Pure.
 * A system tag left out is not recorded: not in the CSV (its column goes), not matched by a
 * threshold's submetric. `vu` and `iter` are high-cardinality: k6 writes them into `metadata`.
 */

/** Every system tag k6 v0.48 knows (its `metrics.SystemTag` names). */
export const SYSTEM_TAGS = [
  'proto',
  'subproto',
  'status',
  'method',
  'url',
  'name',
  'group',
  'check',
  'error',
  'error_code',
  'tls_version',
  'scenario',
  'service',
  'expected_response',
  'vu',
  'iter',
  'ip',
  'ocsp_status',
] as const;
export type SystemTag = (typeof SYSTEM_TAGS)[number];

/** k6's default set (everything but vu, iter, ip, ocsp_status). */
export const DEFAULT_SYSTEM_TAGS: readonly SystemTag[] = SYSTEM_TAGS.filter((t) => !['vu', 'iter', 'ip', 'ocsp_status'].includes(t));

/** The system tags this engine puts into sample tags: all but those it never knows (subproto, service, ip, ocsp_status) and those that go to metadata. */
const ENGINE_TAGS: readonly SystemTag[] = SYSTEM_TAGS.filter(
  (t) => !['subproto', 'service', 'ip', 'ocsp_status', 'vu', 'iter'].includes(t),
);

/** Tags that go to `metadata`, not to columns, when enabled. */
const METADATA_TAGS: ReadonlySet<string> = new Set(['vu', 'iter']);

const KNOWN: ReadonlySet<string> = new Set(SYSTEM_TAGS);

/** What a run records, computed once before the test (never per sample). */
export interface SystemTagPlan {
  /** Tag columns of the CSV, between metric_value and extra_tags, in k6's (alphabetical) order. */
  columns: readonly string[];
  /** System tags the engine sets that must be taken off samples (empty with k6's default set). */
  drop: readonly string[];
  /** `vu` / `iter` into each sample's metadata. */
  vu: boolean;
  iter: boolean;
}

/** Reads a list of system tags; `where` names the option or flag in the message. Throws one line naming the bad entry. */
export function parseSystemTags(value: unknown, where: string): SystemTag[] {
  const list =
    typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : value;
  if (!Array.isArray(list)) throw new Error(`${where}: expected a list of system tags like ["status","method","url"]`);
  const out: SystemTag[] = [];
  for (const t of list as unknown[]) {
    if (typeof t !== 'string' || !KNOWN.has(t))
      throw new Error(`${where}: ${JSON.stringify(t)} is not a system tag: expected some of ${SYSTEM_TAGS.join(', ')}`);
    out.push(t as SystemTag);
  }
  return out;
}

/** The plan for a set of enabled system tags (k6's default set when null). */
export function systemTagPlan(enabled: readonly SystemTag[] | null): SystemTagPlan {
  const on = new Set<string>(enabled ?? DEFAULT_SYSTEM_TAGS);
  return {
    columns: [...on].filter((t) => !METADATA_TAGS.has(t)).sort(),
    drop: ENGINE_TAGS.filter((t) => !on.has(t)),
    vu: on.has('vu'),
    iter: on.has('iter'),
  };
}

/** A copy of tags without the given ones (the same object when none of them is there). */
export function withoutTags(tags: Record<string, string>, drop: readonly string[]): Record<string, string> {
  let out: Record<string, string> | null = null;
  for (const k of drop) {
    if (tags[k] === undefined) continue;
    out ??= { ...tags };
    delete out[k];
  }
  return out ?? tags;
}

/** The VU socket addon's path under `root`, built when missing; or why it cannot be (one line). */
export function buildVuSocket(root: string): { path: string } | { reason: string };

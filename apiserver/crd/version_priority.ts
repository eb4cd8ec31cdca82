/**
 * Kubernetes' version ordering (`version.CompareKubeAwareVersionStrings`):
 * GA before beta before alpha, higher numbers first within each, and
 * versions that are not Kubernetes-like last, alphabetically. Discovery
 * lists a group's versions in this order; the first is preferred.
 *
 * @module
 */

const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

function rank(v: string): [number, number, number] | undefined {
  const m = KUBE_VERSION.exec(v);
  if (!m) return undefined;
  const stability = m[2] === undefined ? 2 : m[2] === "beta" ? 1 : 0;
  return [stability, Number(m[1]), m[3] === undefined ? 0 : Number(m[3])];
}

/**
 * Negative when `a` comes first (has the higher priority).
 *
 * @example
 * ```ts
 * ["v1beta1", "v2", "v1", "foo"].sort(compareVersionPriority);
 * // ["v2", "v1", "v1beta1", "foo"]
 * ```
 */
export function compareVersionPriority(a: string, b: string): number {
  const ra = rank(a);
  const rb = rank(b);
  if (!ra && !rb) return a < b ? -1 : a > b ? 1 : 0;
  if (!ra) return 1;
  if (!rb) return -1;
  for (let i = 0; i < 3; i++) {
    if (ra[i] !== rb[i]) return rb[i] - ra[i];
  }
  return 0;
}

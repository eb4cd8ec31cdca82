/**
 * The field manager name of a request, as kube-apiserver derives and
 * validates it.
 *
 * @module
 */

/** Upstream's limit on `fieldManager` length. */
export const MAX_FIELD_MANAGER_LENGTH = 128;

/**
 * The manager of a create/update/patch: the `fieldManager` query parameter,
 * else the user agent up to its first `/` (`kubectl-client-side-apply/v1.35.2
 * (linux/amd64) …` → `kubectl-client-side-apply`), as upstream
 * `prefixFromUserAgent`.
 */
export function managerName(
  fieldManager: string | undefined | null,
  userAgent: string | undefined | null,
): string {
  if (fieldManager) return fieldManager;
  return (userAgent ?? "").split("/")[0];
}

/**
 * Upstream `ValidateFieldManager`: returns the problem with a `fieldManager`
 * value, or `undefined` when it is fine (callers answer 422 Invalid on
 * `fieldManager`). Apply additionally requires it to be non-empty.
 */
export function fieldManagerProblem(
  fieldManager: string,
  forApply = false,
): string | undefined {
  if (forApply && fieldManager === "") {
    return "is required for apply patch";
  }
  if (fieldManager.length > MAX_FIELD_MANAGER_LENGTH) {
    return `must have at most ${MAX_FIELD_MANAGER_LENGTH} characters`;
  }
  if (/[^\x20-\x7e\u00a0-\uffff]/.test(fieldManager)) {
    return "must only contain printable characters";
  }
  return undefined;
}

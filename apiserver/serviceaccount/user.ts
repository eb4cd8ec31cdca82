/**
 * How a service account appears as a user, as upstream's
 * `serviceaccount.MakeUsername` / `MakeGroupNames`.
 *
 * @module
 */

/** The group of every service account. */
export const SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts";

/** The prefix of every service account's user name. */
export const SERVICE_ACCOUNT_USER_PREFIX = "system:serviceaccount:";

/** `system:serviceaccount:<namespace>:<name>`. */
export function serviceAccountUsername(
  namespace: string,
  name: string,
): string {
  return `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;
}

/** `system:serviceaccounts` and `system:serviceaccounts:<namespace>`. */
export function serviceAccountGroups(namespace: string): string[] {
  return [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${namespace}`];
}

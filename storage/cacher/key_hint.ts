/**
 * A hint on a `Predicate` naming the `metadata.name` (and namespace) every
 * matching object has, so the watch cache can pass over objects by their
 * storage key (`…/<namespace>/<name>` or `…/<name>`) without decoding them.
 * A field selector `metadata.name=<x>` (the root-CA publisher's watch)
 * otherwise decodes every cached object to test one field.
 *
 * The hint is a necessary condition only: an object whose key fits the hint
 * is still tested with `Predicate.matches`, so selectors keep their exact
 * meaning. A store that does not know the hint ignores it (it is not part
 * of the `Store` contract).
 *
 * @example
 * ```ts
 * const p = withKeyHint(predicate, { name: "kube-root-ca.crt" });
 * keyFitsHint("/registry/configmaps/clusters/root/default/x", keyHintOf(p)); // false
 * ```
 *
 * @module
 */

import type { Predicate } from "../store.ts";

/** What every object matching a predicate has. */
export interface KeyHint {
  /** Its `metadata.name`. */
  name?: string;
  /** Its `metadata.namespace` (namespaced kinds only: the key's namespace segment). */
  namespace?: string;
}

const HINT = Symbol("hyperplane.storage.keyHint");

/** `predicate` carrying `hint` (the same object; an empty hint is not set). */
export function withKeyHint<P extends Predicate>(
  predicate: P,
  hint: KeyHint,
): P {
  if (hint.name === undefined && hint.namespace === undefined) return predicate;
  (predicate as P & { [HINT]?: KeyHint })[HINT] = { ...hint };
  return predicate;
}

/** The hint `predicate` carries, if any. */
export function keyHintOf(
  predicate: Predicate | undefined,
): KeyHint | undefined {
  return (predicate as { [HINT]?: KeyHint } | undefined)?.[HINT];
}

/** False when the object stored at `key` cannot match a predicate with `hint`. */
export function keyFitsHint(key: string, hint: KeyHint | undefined): boolean {
  if (!hint) return true;
  const slash = key.lastIndexOf("/");
  if (hint.name !== undefined && key.slice(slash + 1) !== hint.name) {
    return false;
  }
  if (hint.namespace !== undefined) {
    const before = key.lastIndexOf("/", slash - 1);
    if (key.slice(before + 1, slash) !== hint.namespace) return false;
  }
  return true;
}

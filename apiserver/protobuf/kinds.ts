/**
 * Which protobuf message holds an `apiVersion`/`kind`: upstream's naming
 * rule, not a table. A kind of group `<name>.k8s.io` (or the core group)
 * and version `v` is the message `k8s.io.api.<name>.<v>.<Kind>` (`core` for
 * the core group) — `rbac.authorization.k8s.io/v1` `Role` is
 * `k8s.io.api.rbac.v1.Role`. Whether a kind decodes is then whether that
 * message's text is embedded (`_proto/`): adding a built-in kind with
 * protobuf is adding its message text, nothing here. Groups outside
 * `k8s.io` (custom resources, kinds written in code) have no message:
 * upstream serves them as JSON only too.
 *
 * @module
 */

/**
 * Kinds every group version registers (`metav1.AddToGroupVersion`): typed
 * clients send them under the endpoint's own `apiVersion`.
 */
const ANY_VERSION: Readonly<Record<string, string>> = {
  DeleteOptions: "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions",
  Status: "k8s.io.apimachinery.pkg.apis.meta.v1.Status",
};

/**
 * The message name upstream gives `apiVersion`/`kind`, or `undefined` for a
 * group outside `k8s.io`. The message may still be missing from the
 * embedded definitions (the decoder answers 415 then).
 *
 * @example
 * ```ts
 * protobufMessageFor("coordination.k8s.io/v1", "Lease");
 * // "k8s.io.api.coordination.v1.Lease"
 * ```
 */
export function protobufMessageFor(
  apiVersion: string,
  kind: string,
): string | undefined {
  const meta = ANY_VERSION[kind];
  if (meta) return meta;
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  if (!version || version.includes("/") || !/^[A-Za-z]\w*$/.test(kind)) {
    return undefined;
  }
  if (group === "") return `k8s.io.api.core.${version}.${kind}`;
  if (!group.endsWith(".k8s.io")) return undefined;
  const name = group.slice(0, group.indexOf("."));
  return `k8s.io.api.${name}.${version}.${kind}`;
}

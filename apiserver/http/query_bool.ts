/**
 * Boolean query parameters, read as kube-apiserver's parameter codec reads
 * them (`runtime.Convert_Slice_string_To_bool`): only `0` and `false` (in
 * any case) are false; every other value — `true`, `True`, `yes`, `1`, the
 * empty string — is true. Clients rely on this: the Kubernetes Python
 * client sends `watch=True`. The first value of a repeated parameter
 * counts.
 *
 * @module
 */

/**
 * `name` of `query` as a boolean, or `undefined` when it is absent.
 *
 * ```ts
 * queryBool(new URLSearchParams("watch=True"), "watch"); // true
 * queryBool(new URLSearchParams("watch=FALSE"), "watch"); // false
 * queryBool(new URLSearchParams(""), "watch"); // undefined
 * ```
 */
export function queryBool(
  query: URLSearchParams,
  name: string,
): boolean | undefined {
  const v = query.get(name);
  if (v === null) return undefined;
  return !(v === "0" || v.toLowerCase() === "false");
}

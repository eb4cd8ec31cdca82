/**
 * Which quota resource names a create charges, and which kinds a quota
 * resource name counts — upstream's object count evaluators
 * (`generic.NewObjectCountEvaluator`): every served kind is counted as
 * `count/<resource>` (core) or `count/<resource>.<group>`, and the kinds
 * upstream counted before `count/` existed also under their legacy name
 * (`configmaps`, `secrets`, `resourcequotas` — of the legacy names, the only
 * kinds hyperplane serves).
 *
 * @module
 */

/** A group and plural resource. */
export interface GroupResource {
  group: string;
  resource: string;
}

/** Legacy object-count names of core kinds (upstream's `legacyObjectCountAliases`, served kinds only). */
export const LEGACY_OBJECT_COUNT_NAMES: ReadonlyMap<string, string> = new Map([
  ["configmaps", "configmaps"],
  ["resourcequotas", "resourcequotas"],
  ["secrets", "secrets"],
]);

/**
 * Kinds quota never counts (upstream's ignored resources: virtual kinds
 * that are not stored, and events).
 */
const IGNORED = new Set([
  "/bindings",
  "/componentstatuses",
  "/events",
  "events.k8s.io/events",
  "authentication.k8s.io/tokenreviews",
  "authentication.k8s.io/selfsubjectreviews",
  "authorization.k8s.io/subjectaccessreviews",
  "authorization.k8s.io/selfsubjectaccessreviews",
  "authorization.k8s.io/localsubjectaccessreviews",
  "authorization.k8s.io/selfsubjectrulesreviews",
]);

/** True when quota ignores `gr`. */
export function isIgnoredResource(gr: GroupResource): boolean {
  return IGNORED.has(`${gr.group}/${gr.resource}`);
}

/** `count/configmaps`, `count/widgets.example.com` (upstream's `ObjectCountQuotaResourceNameFor`). */
export function objectCountName(gr: GroupResource): string {
  return gr.group ? `count/${gr.resource}.${gr.group}` : `count/${gr.resource}`;
}

/** The quota resource names one create of `gr` charges one each. */
export function objectCountNames(gr: GroupResource): string[] {
  const names = [objectCountName(gr)];
  if (!gr.group && LEGACY_OBJECT_COUNT_NAMES.has(gr.resource)) {
    names.push(gr.resource);
  }
  return names;
}

/**
 * The kind a quota resource name counts, or `undefined` for names that are
 * not object counts (`cpu`, `pods`, …).
 *
 * @example
 * ```ts
 * countedResource("count/widgets.example.com"); // { group: "example.com", resource: "widgets" }
 * countedResource("secrets"); // { group: "", resource: "secrets" }
 * ```
 */
export function countedResource(name: string): GroupResource | undefined {
  if (LEGACY_OBJECT_COUNT_NAMES.has(name)) {
    return { group: "", resource: LEGACY_OBJECT_COUNT_NAMES.get(name)! };
  }
  if (!name.startsWith("count/")) return undefined;
  const rest = name.slice("count/".length);
  if (!rest) return undefined;
  const dot = rest.indexOf(".");
  return dot < 0
    ? { group: "", resource: rest }
    : { group: rest.slice(dot + 1), resource: rest.slice(0, dot) };
}

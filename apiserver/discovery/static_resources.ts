/**
 * Discovery entries for resources that are not stored kinds of the registry
 * (the create-only review resources of `authentication.k8s.io` and
 * `authorization.k8s.io`): added to `/apis`, aggregated discovery and their
 * own `/apis/<g>` and `/apis/<g>/<v>` documents. Groups the registry
 * already serves are left to the registry.
 *
 * @module
 */

/** A resource listed in discovery beside the registry's kinds. */
export interface StaticResource {
  group: string;
  version: string;
  /** Plural resource name used in paths. */
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: readonly string[];
}

type Doc = Record<string, unknown>;

function groupsOf(statics: readonly StaticResource[]): string[] {
  const names: string[] = [];
  for (const s of statics) if (!names.includes(s.group)) names.push(s.group);
  return names;
}

function versionsOf(statics: readonly StaticResource[], group: string) {
  const versions: string[] = [];
  for (const s of statics) {
    if (s.group === group && !versions.includes(s.version)) {
      versions.push(s.version);
    }
  }
  return versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
}

function groupEntry(statics: readonly StaticResource[], group: string) {
  const versions = versionsOf(statics, group);
  return { name: group, versions, preferredVersion: versions[0] };
}

/** `/apis` (`APIGroupList`) with the static groups appended. */
export function withStaticGroups(
  list: Doc,
  statics: readonly StaticResource[],
): Doc {
  const groups = [...(list.groups as { name: string }[])];
  for (const g of groupsOf(statics)) {
    if (!groups.some((x) => x.name === g)) groups.push(groupEntry(statics, g));
  }
  return { ...list, groups };
}

/** `/apis/<group>` (`APIGroup`) of a static group, if it is one. */
export function staticApiGroup(
  statics: readonly StaticResource[],
  group: string,
): Doc | undefined {
  if (!statics.some((s) => s.group === group)) return undefined;
  return { kind: "APIGroup", apiVersion: "v1", ...groupEntry(statics, group) };
}

/** `/apis/<group>/<version>` (`APIResourceList`) of a static group version. */
export function staticResourceList(
  statics: readonly StaticResource[],
  group: string,
  version: string,
): Doc | undefined {
  const mine = statics.filter((s) =>
    s.group === group && s.version === version
  );
  if (mine.length === 0) return undefined;
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: `${group}/${version}`,
    resources: mine.map((s) => ({
      name: s.resource,
      singularName: s.kind.toLowerCase(),
      namespaced: s.namespaced,
      kind: s.kind,
      verbs: s.verbs,
    })),
  };
}

/** The aggregated `/apis` document with the static groups appended. */
export function withStaticAggregated(
  doc: Doc,
  statics: readonly StaticResource[],
): Doc {
  const items = [...(doc.items as { metadata: { name?: string } }[])];
  for (const group of groupsOf(statics)) {
    if (items.some((i) => i.metadata.name === group)) continue;
    items.push({
      metadata: { name: group, creationTimestamp: null },
      versions: versionsOf(statics, group).map(({ version }) => ({
        version,
        resources: statics.filter((s) =>
          s.group === group && s.version === version
        ).map((s) => ({
          resource: s.resource,
          responseKind: { group, version, kind: s.kind },
          scope: s.namespaced ? "Namespaced" : "Cluster",
          singularResource: s.kind.toLowerCase(),
          verbs: s.verbs,
        })),
        freshness: "Current",
      })),
    } as { metadata: { name?: string } });
  }
  return { ...doc, items };
}

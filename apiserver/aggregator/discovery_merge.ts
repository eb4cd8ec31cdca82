/**
 * Discovery of delegated group/versions merged into this server's own:
 * `/apis` (`APIGroupList`), `/apis/<group>` (`APIGroup`) and the aggregated
 * `APIGroupDiscoveryList` (v2/v2beta1). The resources of a delegated
 * group/version are the extension's own `APIResourceList`, fetched by the
 * availability check and cached; while the extension is unavailable its
 * last document stays listed as `freshness: Stale`, and a group/version
 * never fetched is left out of aggregated discovery (as upstream).
 *
 * Order as upstream: delegated groups by `groupPriorityMinimum` (highest
 * first), then by name; versions in a group by `versionPriority` (highest
 * first), then by Kubernetes version order. A group served here too (a CRD
 * group) gets the delegated versions added after its own.
 *
 * @module
 */

import type { ResourceList } from "./availability.ts";

/** One delegated group/version, as discovery sees it. */
export interface RemoteGroupVersion {
  group: string;
  version: string;
  groupPriorityMinimum: number;
  versionPriority: number;
  available: boolean;
  /** The last `APIResourceList` the extension served, if any. */
  resources?: ResourceList;
}

type Doc = Record<string, unknown>;

const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/** Kubernetes version order (`v2` > `v1` > `v1beta2` > `v1alpha1` > `foo`). */
export function compareKubeVersion(a: string, b: string): number {
  const ma = KUBE_VERSION.exec(a);
  const mb = KUBE_VERSION.exec(b);
  if (!ma || !mb) return ma ? -1 : mb ? 1 : a.localeCompare(b);
  const rank = (m: RegExpExecArray) =>
    m[2] === undefined ? 2 : m[2] === "beta" ? 1 : 0;
  if (rank(ma) !== rank(mb)) return rank(mb) - rank(ma);
  if (ma[1] !== mb[1]) return Number(mb[1]) - Number(ma[1]);
  return Number(mb[3] ?? 0) - Number(ma[3] ?? 0);
}

/** Groups in upstream order, each with its versions in order. */
export function orderRemote(
  remote: readonly RemoteGroupVersion[],
): { group: string; versions: RemoteGroupVersion[] }[] {
  const byGroup = new Map<string, RemoteGroupVersion[]>();
  for (const r of remote) {
    const list = byGroup.get(r.group) ?? [];
    list.push(r);
    byGroup.set(r.group, list);
  }
  const groups = [...byGroup].map(([group, versions]) => ({
    group,
    priority: Math.max(...versions.map((v) => v.groupPriorityMinimum)),
    versions: versions.sort((a, b) =>
      b.versionPriority - a.versionPriority ||
      compareKubeVersion(a.version, b.version)
    ),
  }));
  groups.sort((a, b) =>
    b.priority - a.priority || (a.group < b.group ? -1 : 1)
  );
  return groups.map(({ group, versions }) => ({ group, versions }));
}

function versionEntry(r: RemoteGroupVersion) {
  return { groupVersion: `${r.group}/${r.version}`, version: r.version };
}

/** `/apis` with the delegated groups merged in. */
export function mergeGroupList(
  list: Doc,
  remote: readonly RemoteGroupVersion[],
): Doc {
  const groups = [...(list.groups as Doc[])].map((g) => ({ ...g }));
  for (const { group, versions } of orderRemote(remote)) {
    const own = groups.find((g) => g.name === group);
    if (own) {
      const have = own.versions as { version: string }[];
      own.versions = [
        ...have,
        ...versions.filter((v) => !have.some((h) => h.version === v.version))
          .map(versionEntry),
      ];
      continue;
    }
    const vs = versions.map(versionEntry);
    groups.push({ name: group, versions: vs, preferredVersion: vs[0] });
  }
  return { ...list, groups };
}

/** `/apis/<group>` of a delegated group (merged with `own` if served here too). */
export function remoteApiGroup(
  group: string,
  remote: readonly RemoteGroupVersion[],
  own?: Doc,
): Doc | undefined {
  const list = mergeGroupList(
    { groups: own ? [{ ...own, name: group }] : [] },
    remote.filter((r) => r.group === group),
  );
  const g = (list.groups as Doc[]).find((x) => x.name === group);
  if (!g) return undefined;
  return {
    kind: "APIGroup",
    apiVersion: "v1",
    name: group,
    versions: g.versions,
    preferredVersion: g.preferredVersion,
  };
}

/** One `APIResourceList` as aggregated discovery resources. */
export function toAggregatedResources(
  group: string,
  version: string,
  list: ResourceList,
): Doc[] {
  const out: Doc[] = [];
  const byName = new Map<string, Doc>();
  const entries = (list.resources ?? []).filter((r) =>
    typeof r.name === "string"
  );
  for (const r of entries) {
    const name = r.name as string;
    if (name.includes("/")) continue;
    const d: Doc = {
      resource: name,
      responseKind: {
        group: typeof r.group === "string" ? r.group : group,
        version: typeof r.version === "string" ? r.version : version,
        kind: r.kind,
      },
      scope: r.namespaced ? "Namespaced" : "Cluster",
      singularResource: r.singularName || String(r.kind ?? "").toLowerCase(),
      verbs: Array.isArray(r.verbs) ? r.verbs : [],
    };
    if (Array.isArray(r.shortNames) && r.shortNames.length) {
      d.shortNames = r.shortNames;
    }
    if (Array.isArray(r.categories) && r.categories.length) {
      d.categories = r.categories;
    }
    byName.set(name, d);
    out.push(d);
  }
  for (const r of entries) {
    const [parent, sub] = (r.name as string).split("/", 2);
    const owner = sub === undefined ? undefined : byName.get(parent);
    if (!owner) continue;
    const subs = (owner.subresources as Doc[] | undefined) ?? [];
    subs.push({
      subresource: sub,
      responseKind: {
        group: typeof r.group === "string" ? r.group : group,
        version: typeof r.version === "string" ? r.version : version,
        kind: r.kind,
      },
      verbs: Array.isArray(r.verbs) ? r.verbs : [],
    });
    owner.subresources = subs;
  }
  return out;
}

/** The aggregated `/apis` document with the delegated groups merged in. */
export function mergeAggregated(
  doc: Doc,
  remote: readonly RemoteGroupVersion[],
): Doc {
  const items = [...(doc.items as Doc[])].map((i) => ({ ...i }));
  for (const { group, versions } of orderRemote(remote)) {
    const listed = versions.filter((v) => v.resources).map((v) => ({
      version: v.version,
      resources: toAggregatedResources(group, v.version, v.resources!),
      freshness: v.available ? "Current" : "Stale",
    }));
    if (listed.length === 0) continue;
    const own = items.find((i) => (i.metadata as Doc)?.name === group);
    if (own) {
      const have = own.versions as { version: string }[];
      own.versions = [
        ...have,
        ...listed.filter((v) => !have.some((h) => h.version === v.version)),
      ];
      continue;
    }
    items.push({
      metadata: { name: group, creationTimestamp: null },
      versions: listed,
    });
  }
  return { ...doc, items };
}

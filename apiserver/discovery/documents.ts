/**
 * Discovery documents computed from the resource registry: `APIVersions`
 * (`/api`), `APIGroupList` (`/apis`), `APIGroup` (`/apis/<g>`),
 * `APIResourceList` (`/api/v1`, `/apis/<g>/<v>`) and the aggregated
 * `APIGroupDiscoveryList` (v2 and v2beta1).
 *
 * @module
 */

import type { GroupVersion, ResourceRegistry } from "../resources/registry.ts";
import { type ResourceDefinition, verbsOf } from "../resources/types.ts";
import { storageVersionHashOf } from "./storage_version_hash.ts";

/** `/api`. */
export function apiVersions(serverAddress: string) {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{
      clientCIDR: "0.0.0.0/0",
      serverAddress,
    }],
  };
}

function groupEntry(group: string, gvs: readonly GroupVersion[]) {
  const versions = gvs.filter((g) => g.group === group).map((g) => ({
    groupVersion: `${group}/${g.version}`,
    version: g.version,
  }));
  return { name: group, versions, preferredVersion: versions[0] };
}

function namedGroups(reg: ResourceRegistry): string[] {
  const names: string[] = [];
  for (const gv of reg.groupVersions()) {
    if (gv.group && !names.includes(gv.group)) names.push(gv.group);
  }
  return names;
}

/** `/apis`. */
export function apiGroupList(reg: ResourceRegistry) {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: namedGroups(reg).map((g) => groupEntry(g, reg.groupVersions())),
  };
}

/** `/apis/<group>`, or undefined when the group is not served. */
export function apiGroup(reg: ResourceRegistry, group: string) {
  if (!namedGroups(reg).includes(group)) return undefined;
  return {
    kind: "APIGroup",
    apiVersion: "v1",
    ...groupEntry(group, reg.groupVersions()),
  };
}

/** `/api/v1` or `/apis/<g>/<v>`, or undefined when not served. */
export function apiResourceList(
  reg: ResourceRegistry,
  group: string,
  version: string,
) {
  const gv = reg.groupVersions().find((g) =>
    g.group === group && g.version === version
  );
  if (!gv) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const def of gv.resources) {
    const r: Record<string, unknown> = {
      name: def.plural,
      singularName: def.singular,
      namespaced: def.namespaced,
      kind: def.kind,
      verbs: verbsOf(def),
    };
    if (def.shortNames?.length) r.shortNames = def.shortNames;
    if (def.categories?.length) r.categories = def.categories;
    r.storageVersionHash = storageVersionHashOf(def);
    resources.push(r);
    for (const [name, sub] of Object.entries(def.subresources ?? {})) {
      const r: Record<string, unknown> = {
        name: `${def.plural}/${name}`,
        singularName: "",
        namespaced: def.namespaced,
        kind: def.kind,
        verbs: sub.verbs,
      };
      if (sub.responseKind) {
        r.group = sub.responseKind.group;
        r.version = sub.responseKind.version;
        r.kind = sub.responseKind.kind;
      }
      resources.push(r);
    }
  }
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

function discoveryResource(def: ResourceDefinition) {
  const responseKind = {
    group: def.group,
    version: def.version,
    kind: def.kind,
  };
  const r: Record<string, unknown> = {
    resource: def.plural,
    responseKind,
    scope: def.namespaced ? "Namespaced" : "Cluster",
    singularResource: def.singular,
    verbs: verbsOf(def),
  };
  if (def.shortNames?.length) r.shortNames = def.shortNames;
  if (def.categories?.length) r.categories = def.categories;
  const subs = Object.entries(def.subresources ?? {});
  if (subs.length) {
    r.subresources = subs.map(([name, sub]) => ({
      subresource: name,
      responseKind: sub.responseKind ?? responseKind,
      verbs: sub.verbs,
    }));
  }
  return r;
}

/**
 * The aggregated discovery document for `/api` (`core` true: the legacy
 * group only) or `/apis` (every named group).
 */
export function aggregatedDiscovery(
  reg: ResourceRegistry,
  core: boolean,
  version: string,
) {
  const groups = core ? [""] : namedGroups(reg);
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groups.map((group) => ({
      metadata: group ? { name: group, creationTimestamp: null } : {
        creationTimestamp: null,
      },
      versions: reg.groupVersions().filter((g) => g.group === group).map((
        gv,
      ) => ({
        version: gv.version,
        resources: gv.resources.map(discoveryResource),
        freshness: "Current",
      })),
    })),
  };
}

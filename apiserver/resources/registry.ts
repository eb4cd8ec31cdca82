/**
 * The served kinds. Adding a kind is one file in this folder plus one line in
 * {@linkcode BUILTIN_RESOURCES}.
 *
 * @module
 */

import { clusterRoleBindings } from "./clusterrolebindings.ts";
import { clusterRoles } from "./clusterroles.ts";
import { certificateSigningRequests } from "./certificatesigningrequests.ts";
import { apiServices } from "./apiservices.ts";
import { configMaps } from "./configmaps.ts";
import { events } from "./events.ts";
import { eventsV1 } from "./events_k8s_io.ts";
import { leases } from "./leases.ts";
import { validatingAdmissionPolicies } from "./validatingadmissionpolicies.ts";
import { validatingAdmissionPolicyBindings } from "./validatingadmissionpolicybindings.ts";
import { mutatingWebhookConfigurations } from "./mutatingwebhookconfigurations.ts";
import { namespaces } from "./namespaces.ts";
import { resourceQuotas } from "./resourcequotas.ts";
import { roleBindings } from "./rolebindings.ts";
import { roles } from "./roles.ts";
import { secrets } from "./secrets.ts";
import { serviceAccounts } from "./serviceaccounts.ts";
import { validatingWebhookConfigurations } from "./validatingwebhookconfigurations.ts";
import { customResourceDefinitions } from "../crd/crd_resource.ts";
import { compareVersionPriority } from "../crd/version_priority.ts";
import type { ResourceDefinition } from "./types.ts";

/** Every built-in kind, in discovery order. */
export const BUILTIN_RESOURCES: readonly ResourceDefinition[] = [
  namespaces,
  configMaps,
  secrets,
  serviceAccounts,
  events,
  resourceQuotas,
  eventsV1,
  leases,
  roles,
  roleBindings,
  clusterRoles,
  clusterRoleBindings,
  validatingWebhookConfigurations,
  mutatingWebhookConfigurations,
  validatingAdmissionPolicies,
  validatingAdmissionPolicyBindings,
  certificateSigningRequests,
  customResourceDefinitions(),
  apiServices,
];

/** One API group-version and the kinds it serves. */
export interface GroupVersion {
  /** API group (`""` for the core group). */
  group: string;
  /** Version within the group, e.g. `v1`. */
  version: string;
  /** The resources served at this group-version. */
  resources: ResourceDefinition[];
}

/** Looks up resource definitions by group, version and plural name. */
export class ResourceRegistry {
  #byPath = new Map<string, ResourceDefinition>();
  #groupVersions: GroupVersion[] = [];

  /**
   * Registers `defs` in order. A path defined twice throws, unless
   * `skipDuplicates` (then the first definition wins).
   */
  constructor(
    defs: readonly ResourceDefinition[] = BUILTIN_RESOURCES,
    skipDuplicates = false,
  ) {
    for (const def of defs) {
      const key = `${def.group}/${def.version}/${def.plural}`;
      if (this.#byPath.has(key)) {
        if (skipDuplicates) continue;
        throw new Error(`resource ${key} is defined twice`);
      }
      this.#byPath.set(key, def);
      let gv = this.#groupVersions.find((g) =>
        g.group === def.group && g.version === def.version
      );
      if (!gv) {
        gv = { group: def.group, version: def.version, resources: [] };
        this.#groupVersions.push(gv);
      }
      gv.resources.push(def);
    }
  }

  /** The definition served at `/apis/<group>/<version>/<plural>`, if any. */
  lookup(
    group: string,
    version: string,
    plural: string,
  ): ResourceDefinition | undefined {
    return this.#byPath.get(`${group}/${version}/${plural}`);
  }

  /** Every served definition, in group-version order. */
  all(): ResourceDefinition[] {
    return this.#groupVersions.flatMap((g) => g.resources);
  }

  /** All group-versions, core first. */
  groupVersions(): readonly GroupVersion[] {
    return this.#groupVersions;
  }

  /** True when some kind is served in `group`/`version`. */
  hasGroupVersion(group: string, version: string): boolean {
    return this.#groupVersions.some((g) =>
      g.group === group && g.version === version
    );
  }
}

/** Called with the cluster whose served kinds changed. */
export type RegistryListener = (cluster: string) => void;

/**
 * The kinds served per cluster: the built-in kinds in every cluster plus
 * each cluster's dynamic kinds (custom resources), registered and removed
 * by their owner (a CRD name). `forCluster` returns one immutable
 * {@linkcode ResourceRegistry} per cluster that is replaced on every change,
 * so caches keyed by its identity (OpenAPI, discovery) stay correct.
 */
export class ClusterRegistries {
  /** The kinds every cluster serves. */
  readonly builtins: ResourceRegistry;
  #dynamic = new Map<string, Map<string, ResourceDefinition[]>>();
  #views = new Map<string, ResourceRegistry>();
  #listeners = new Set<RegistryListener>();
  #across = new Map<string, ReadonlyMap<string, ResourceDefinition>>();

  constructor(builtins: readonly ResourceDefinition[] = BUILTIN_RESOURCES) {
    this.builtins = new ResourceRegistry(builtins);
  }

  /** The registry of `cluster` (built-ins when it has no dynamic kinds). */
  forCluster(cluster: string): ResourceRegistry {
    const dyn = this.#dynamic.get(cluster);
    if (!dyn || dyn.size === 0) return this.builtins;
    let view = this.#views.get(cluster);
    if (!view) {
      // A group's versions in priority order across its CRDs: the first
      // is the group's preferred version in discovery.
      const extra = [...dyn.keys()].sort().flatMap((owner) => dyn.get(owner)!)
        .sort((a, b) =>
          a.group < b.group
            ? -1
            : a.group > b.group
            ? 1
            : compareVersionPriority(a.version, b.version)
        );
      view = new ResourceRegistry([...this.builtins.all(), ...extra], true);
      this.#views.set(cluster, view);
    }
    return view;
  }

  /**
   * Replaces the kinds `owner` serves in `cluster` (an empty list removes
   * them). Definitions are expected in preferred-version order.
   */
  set(cluster: string, owner: string, defs: ResourceDefinition[]): void {
    let dyn = this.#dynamic.get(cluster);
    if (!dyn) {
      if (defs.length === 0) return;
      dyn = new Map();
      this.#dynamic.set(cluster, dyn);
    }
    if (defs.length === 0) {
      if (!dyn.delete(owner)) return;
      if (dyn.size === 0) this.#dynamic.delete(cluster);
    } else dyn.set(owner, defs);
    this.#views.delete(cluster);
    this.#across.clear();
    for (const l of this.#listeners) l(cluster);
  }

  /** The kinds `owner` serves in `cluster` (`[]` when none). */
  get(cluster: string, owner: string): readonly ResourceDefinition[] {
    return this.#dynamic.get(cluster)?.get(owner) ?? [];
  }

  /**
   * The clusters serving `group/version/plural` as a dynamic kind, each with
   * its definition there (the cross-cluster path of custom resources).
   */
  acrossClusters(
    group: string,
    version: string,
    plural: string,
  ): ReadonlyMap<string, ResourceDefinition> {
    const id = `${group}/${version}/${plural}`;
    let found = this.#across.get(id);
    if (!found) {
      const m = new Map<string, ResourceDefinition>();
      for (const [cluster, dyn] of this.#dynamic) {
        for (const defs of dyn.values()) {
          const d = defs.find((d) =>
            d.group === group && d.version === version && d.plural === plural
          );
          if (d) m.set(cluster, d);
        }
      }
      found = m;
      this.#across.set(id, found);
    }
    return found;
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: RegistryListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

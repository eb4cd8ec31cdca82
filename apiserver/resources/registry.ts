/**
 * The served kinds. Adding a kind is one file in this folder plus one line in
 * {@linkcode BUILTIN_RESOURCES}.
 *
 * @module
 */

import { clusterRoleBindings } from "./clusterrolebindings.ts";
import { clusterRoles } from "./clusterroles.ts";
import { configMaps } from "./configmaps.ts";
import { events } from "./events.ts";
import { eventsV1 } from "./events_k8s_io.ts";
import { leases } from "./leases.ts";
import { namespaces } from "./namespaces.ts";
import { roleBindings } from "./rolebindings.ts";
import { roles } from "./roles.ts";
import { secrets } from "./secrets.ts";
import { serviceAccounts } from "./serviceaccounts.ts";
import type { ResourceDefinition } from "./types.ts";

/** Every built-in kind, in discovery order. */
export const BUILTIN_RESOURCES: readonly ResourceDefinition[] = [
  namespaces,
  configMaps,
  secrets,
  serviceAccounts,
  events,
  eventsV1,
  leases,
  roles,
  roleBindings,
  clusterRoles,
  clusterRoleBindings,
];

/** One API group-version and the kinds it serves. */
export interface GroupVersion {
  group: string;
  version: string;
  resources: ResourceDefinition[];
}

/** Looks up resource definitions by group, version and plural name. */
export class ResourceRegistry {
  #byPath = new Map<string, ResourceDefinition>();
  #groupVersions: GroupVersion[] = [];

  constructor(defs: readonly ResourceDefinition[] = BUILTIN_RESOURCES) {
    for (const def of defs) {
      const key = `${def.group}/${def.version}/${def.plural}`;
      if (this.#byPath.has(key)) {
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

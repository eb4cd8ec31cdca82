/**
 * Discovery through the API: every resource of every group's preferred
 * version (`/api/v1`, `/apis`, `/apis/<group>/<version>`), without
 * subresources.
 *
 * @module
 */

import type { ApiClient } from "./api_client.ts";
import { type ApiResource, parseApiVersion } from "./resource.ts";

/** The result of discovery; `failed` names group-versions that could not be read. */
export interface DiscoveryResult {
  resources: ApiResource[];
  failed: string[];
}

function fromResourceList(
  group: string,
  version: string,
  doc: Record<string, unknown>,
): ApiResource[] {
  const out: ApiResource[] = [];
  for (const r of (doc.resources ?? []) as Record<string, unknown>[]) {
    const name = String(r.name ?? "");
    if (!name || name.includes("/")) continue;
    out.push({
      group,
      version,
      resource: name,
      kind: String(r.kind ?? ""),
      namespaced: r.namespaced === true,
      verbs: Array.isArray(r.verbs) ? r.verbs.map(String) : [],
    });
  }
  return out;
}

/** Discovers the resources served in `cluster`. */
export async function discoverResources(
  client: ApiClient,
  cluster: string,
): Promise<DiscoveryResult> {
  const failed: string[] = [];
  const resources: ApiResource[] = [];
  const versions: Array<{ group: string; version: string }> = [
    { group: "", version: "v1" },
  ];
  const groups = await client.getPath(cluster, "/apis");
  for (const g of (groups.groups ?? []) as Record<string, unknown>[]) {
    const preferred = (g.preferredVersion ?? {}) as Record<string, string>;
    const first = ((g.versions ?? []) as Record<string, string>[])[0];
    const version = preferred.version ?? first?.version;
    if (typeof g.name === "string" && version) {
      versions.push({ group: g.name, version });
    }
  }
  await Promise.all(versions.map(async ({ group, version }) => {
    const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
    try {
      const doc = await client.getPath(cluster, path);
      resources.push(...fromResourceList(group, version, doc));
    } catch {
      failed.push(group ? `${group}/${version}` : version);
    }
  }));
  resources.sort((a, b) =>
    `${a.group}/${a.resource}`.localeCompare(`${b.group}/${b.resource}`)
  );
  return { resources, failed };
}

/** Maps `apiVersion` + `kind` to a resource (a small REST mapper). */
export class KindMapper {
  #byKind = new Map<string, ApiResource>();
  #byGroupKind = new Map<string, ApiResource>();

  constructor(resources: readonly ApiResource[]) {
    for (const r of resources) {
      this.#byKind.set(`${r.group}/${r.version}/${r.kind}`, r);
      if (!this.#byGroupKind.has(`${r.group}/${r.kind}`)) {
        this.#byGroupKind.set(`${r.group}/${r.kind}`, r);
      }
    }
  }

  /** The resource of `apiVersion`/`kind` (any served version of the group as fallback). */
  lookup(apiVersion: string, kind: string): ApiResource | undefined {
    const { group, version } = parseApiVersion(apiVersion);
    return this.#byKind.get(`${group}/${version}/${kind}`) ??
      this.#byGroupKind.get(`${group}/${kind}`);
  }
}

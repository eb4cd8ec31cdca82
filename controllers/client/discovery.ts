/**
 * Discovery through the API: every resource of every group's preferred
 * version, without subresources. Aggregated discovery first (two requests,
 * `/api` and `/apis` with `Accept: application/json;g=apidiscovery.k8s.io;
 * v=v2;as=APIGroupDiscoveryList`, as client-go since 1.30); a server that
 * answers with the plain documents is walked the legacy way (`/api/v1`,
 * `/apis`, then one `/apis/<group>/<version>` per group).
 *
 * @module
 */

import type { ApiClient } from "./api_client.ts";
import { isApiCode } from "./api_error.ts";
import { type ApiResource, clusterPath, parseApiVersion } from "./resource.ts";

/** The result of discovery; `failed` names group-versions that could not be read. */
export interface DiscoveryResult {
  resources: ApiResource[];
  failed: string[];
}

/** The media types asked for: aggregated discovery v2, plain JSON after it. */
export const AGGREGATED_DISCOVERY_ACCEPT =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList," +
  "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList," +
  "application/json;q=0.9";

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

type Doc = Record<string, unknown>;

/**
 * The aggregated document at `path`, or `undefined` when the server
 * answers with the plain one (or refuses the media type).
 */
async function aggregatedDocument(
  client: ApiClient,
  cluster: string,
  path: string,
): Promise<Doc | undefined> {
  let res: Response;
  try {
    res = await client.request("GET", clusterPath(cluster) + path, undefined, {
      accept: AGGREGATED_DISCOVERY_ACCEPT,
    });
  } catch (e) {
    if (isApiCode(e, 406)) return undefined;
    throw e;
  }
  const type = res.headers.get("content-type") ?? "";
  if (!type.includes("as=APIGroupDiscoveryList")) {
    await res.body?.cancel();
    return undefined;
  }
  return await res.json() as Doc;
}

/**
 * The preferred version's resources of each group of an aggregated
 * document (`APIGroupDiscoveryList`: versions in preference order); a
 * version whose freshness is `Stale` counts as failed.
 */
function fromAggregated(doc: Doc, out: DiscoveryResult): void {
  for (const g of (doc.items ?? []) as Doc[]) {
    const group = String((g.metadata as Doc | undefined)?.name ?? "");
    const v = ((g.versions ?? []) as Doc[])[0];
    if (!v || typeof v.version !== "string") continue;
    if (v.freshness === "Stale") {
      out.failed.push(group ? `${group}/${v.version}` : v.version);
      continue;
    }
    for (const r of (v.resources ?? []) as Doc[]) {
      const name = String(r.resource ?? "");
      if (!name || name.includes("/")) continue;
      const kind = (r.responseKind ?? {}) as Doc;
      out.resources.push({
        group,
        version: v.version,
        resource: name,
        kind: String(kind.kind ?? ""),
        namespaced: r.scope === "Namespaced",
        verbs: Array.isArray(r.verbs) ? r.verbs.map(String) : [],
      });
    }
  }
}

/** The legacy walk: `/apis`, then one request per group's preferred version. */
async function discoverLegacy(
  client: ApiClient,
  cluster: string,
  out: DiscoveryResult,
): Promise<void> {
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
      out.resources.push(...fromResourceList(group, version, doc));
    } catch {
      out.failed.push(group ? `${group}/${version}` : version);
    }
  }));
}

/**
 * Discovers the resources served in `cluster`: two requests where the
 * server serves aggregated discovery, 2 + one per group otherwise.
 */
export async function discoverResources(
  client: ApiClient,
  cluster: string,
): Promise<DiscoveryResult> {
  const out: DiscoveryResult = { resources: [], failed: [] };
  const [core, named] = await Promise.all([
    aggregatedDocument(client, cluster, "/api"),
    aggregatedDocument(client, cluster, "/apis"),
  ]);
  if (core && named) {
    fromAggregated(core, out);
    fromAggregated(named, out);
  } else {
    await discoverLegacy(client, cluster, out);
  }
  out.resources.sort((a, b) =>
    `${a.group}/${a.resource}`.localeCompare(`${b.group}/${b.resource}`)
  );
  return out;
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

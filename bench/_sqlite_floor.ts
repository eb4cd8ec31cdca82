/**
 * The storage floor of creating virtual clusters: what writing a cluster's
 * objects costs the SQLite backend's revision log alone ({@linkcode
 * SqliteLog}: the server's schema, pragmas, statements and group commit; a
 * `kv` row and a history row per object), with no API, caches, watches or
 * controllers above it. {@linkcode clusterObjects} reads one cluster's
 * objects through the API as the server stored them (every listable kind
 * its discovery offers, `resourceVersion` dropped as the store drops it);
 * {@linkcode sqliteFloor} writes a copy of them per cluster, under each
 * cluster's keys, into a fresh database, one cluster's objects per event
 * loop turn (one transaction, as the server's bootstrap batches them).
 *
 * @module
 */

import process from "node:process";
import { SqliteLog } from "../backends/sqlite/mod.ts";
import { objectKey } from "../storage/mod.ts";
import type { TestServer } from "../tests/support/server.ts";

/** One stored object of a cluster: its key without the cluster, and its text. */
export interface ClusterObject {
  /** Builds the object's key in `cluster`. */
  keyIn(cluster: string): string;
  /** The stored JSON (no `resourceVersion`). */
  value: string;
}

interface ApiResourceList {
  groupVersion: string;
  resources: { name: string; namespaced: boolean; verbs: string[] }[];
}

async function getJson<T>(server: TestServer, path: string): Promise<T> {
  const res = await server.fetch(path);
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new Error(`GET ${path}: ${res.status}`);
  }
  return await res.json() as T;
}

/** Every object of `cluster`, read through the API (see the module doc). */
export async function clusterObjects(
  server: TestServer,
  cluster: string,
): Promise<ClusterObject[]> {
  const base = `/clusters/${cluster}`;
  const versions: string[] = ["v1"];
  const groups = await getJson<{
    groups: { preferredVersion: { groupVersion: string } }[];
  }>(server, `${base}/apis`);
  for (const g of groups.groups) versions.push(g.preferredVersion.groupVersion);
  const out: ClusterObject[] = [];
  for (const gv of versions) {
    const list = await getJson<ApiResourceList>(
      server,
      gv === "v1" ? `${base}/api/v1` : `${base}/apis/${gv}`,
    );
    const group = gv.includes("/") ? gv.slice(0, gv.indexOf("/")) : "";
    for (const r of list.resources) {
      if (r.name.includes("/") || !r.verbs.includes("list")) continue;
      const items = await getJson<{ items: Record<string, unknown>[] }>(
        server,
        `${base}/${gv === "v1" ? "api" : "apis"}/${gv}/${r.name}`,
      );
      for (const item of items.items) {
        const meta = item.metadata as Record<string, string>;
        delete meta.resourceVersion;
        const { name, namespace } = meta;
        out.push({
          keyIn: (c) =>
            objectKey({ group, resource: r.name, cluster: c, namespace, name }),
          value: JSON.stringify({
            apiVersion: gv,
            kind: item.kind,
            ...item,
          }),
        });
      }
    }
  }
  return out;
}

/**
 * Writes `objects` for each of `clusters` clusters into a fresh SQLite log
 * in `dir` and returns the CPU time (user + system) of this process per
 * cluster, in milliseconds.
 */
export async function sqliteFloor(
  objects: readonly ClusterObject[],
  clusters: number,
  dir: string,
): Promise<number> {
  const log = new SqliteLog({ path: `${dir}/floor.db` });
  try {
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < clusters; i++) {
      const cluster = `floor-${i}`;
      await Promise.all(
        objects.map((o) => log.create(o.keyIn(cluster), o.value)),
      );
    }
    const cpu = process.cpuUsage(cpu0);
    return (cpu.user + cpu.system) / 1000 / clusters;
  } finally {
    await log.close();
  }
}

/**
 * Test helpers for `storage/log`'s tests (the log-backed store). The stores
 * run over the in-memory reference log.
 *
 * @module
 */

import { MemoryLog } from "../../backends/memory/memory_log.ts";
import { objectKey, resourcePrefix } from "../../storage/keys.ts";
import type { KubeObject } from "../../storage/object.ts";
import type { Store, WatchEvent } from "../../storage/store.ts";
import {
  LogStoreFactory,
  type LogStoreFactoryOptions,
} from "../../storage/log/log_store_factory.ts";

/** A factory over a fresh memory log, with a `things` store. */
export interface TestEnv {
  log: MemoryLog;
  factory: LogStoreFactory;
  store: Store;
  /** The key of `name` in namespace `ns` (default `ns`) of cluster `root`. */
  key(name: string, ns?: string): string;
  /** The prefix of namespace `ns` (default `ns`). */
  nsPrefix(ns?: string): string;
  /** The resource prefix. */
  prefix: string;
  close(): Promise<void>;
}

/** Opens a {@linkcode TestEnv}; always `close()` it. */
export function openEnv(opts: LogStoreFactoryOptions = {}): TestEnv {
  const log = new MemoryLog();
  const factory = new LogStoreFactory(log, opts);
  const resource = { group: "example.com", resource: "things" };
  const store = factory.storeFor(resource);
  return {
    log,
    factory,
    store,
    key: (name, ns = "ns") =>
      objectKey({ ...resource, cluster: "root", namespace: ns, name }),
    nsPrefix: (ns = "ns") => `${resourcePrefix(resource)}clusters/root/${ns}/`,
    prefix: resourcePrefix(resource),
    close: () => factory.close(),
  };
}

/** A minimal object named `name`. */
export function obj(
  name: string,
  extra: { labels?: Record<string, string>; uid?: string; spec?: unknown } = {},
): KubeObject {
  const metadata: KubeObject["metadata"] = { name, uid: extra.uid ?? name };
  if (extra.labels) metadata.labels = extra.labels;
  return { kind: "Thing", metadata, spec: extra.spec ?? {} };
}

/** `type:name@rv` for compact assertions on watch events. */
export function describe(ev: WatchEvent): string {
  if (ev.type === "ERROR") return `ERROR:${ev.error.code}`;
  const m = ev.object.metadata;
  return `${ev.type}:${m.name ?? ""}@${m.resourceVersion}`;
}

/** Takes the next `n` events from an iterator (the watch must produce them). */
export async function take(
  it: AsyncIterator<WatchEvent>,
  n: number,
): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

/**
 * {@linkcode openEtcd}: connects to etcd and returns the `StoreFactory` whose
 * stores share one client, one watch registry and one compaction loop.
 * Opening fails with `Unavailable` within a bounded time when etcd cannot be
 * reached.
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";
import {
  resourcePrefix,
  type ResourceRef,
  type Store,
  type StoreFactory,
  unavailable,
} from "../../storage/mod.ts";
import { EtcdClient, mapError } from "./_client.ts";
import type { EtcdShared } from "./_read.ts";
import { Compactor } from "./compactor.ts";
import type { EtcdConfig } from "./config.ts";
import { progressInOrder } from "./progress_order.ts";
import { checkReady, compactTo, EtcdStore } from "./store.ts";
import { WatchRegistry } from "./watch.ts";

/** Options for {@linkcode openEtcd}. */
export interface OpenEtcdOptions {
  logger: Logger;
  /** How long to wait for etcd at startup. Default 10 s. */
  connectTimeoutMs?: number;
}

/** Connects to etcd, waiting until it answers (or failing with `Unavailable`). */
export async function openEtcd(
  config: EtcdConfig,
  opts: OpenEtcdOptions,
): Promise<StoreFactory> {
  const client = EtcdClient.create(config);
  const shared: EtcdShared = {
    client,
    compacted: { revision: 0 },
    progressInOrder: false,
  };
  const deadline = Date.now() + (opts.connectTimeoutMs ?? 10_000);
  let lastErr: unknown;
  for (;;) {
    try {
      await client.currentRevision();
      break;
    } catch (err) {
      lastErr = err;
      if (Date.now() >= deadline) {
        await client.close();
        throw unavailable(
          `cannot reach etcd at ${config.servers.join(",")}: ${
            mapError(lastErr, "connect").message
          }`,
          lastErr,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const version = await client.serverVersion().catch(() => "unknown");
  shared.progressInOrder = progressInOrder(version);
  opts.logger.info("connected to etcd", {
    servers: config.servers.join(","),
    prefix: config.prefix,
    version,
  });
  if (!shared.progressInOrder) {
    opts.logger.warn(
      "etcd's requested watch progress may overtake events (etcd#15220, fixed in 3.4.31 and 3.5.13): the watch cache does not trust its bookmarks, and consistent reads skip the cache",
      { version },
    );
  }
  return new EtcdStoreFactory(shared, config, opts.logger);
}

class EtcdStoreFactory implements StoreFactory {
  readonly #shared: EtcdShared;
  readonly #watches = new WatchRegistry();
  readonly #stores = new Map<string, Store>();
  readonly #compactor?: Compactor;
  #closed = false;

  constructor(shared: EtcdShared, config: EtcdConfig, logger: Logger) {
    this.#shared = shared;
    if (config.compactionIntervalMs > 0) {
      this.#compactor = new Compactor(
        shared,
        config.compactionIntervalMs,
        logger,
      );
    }
  }

  storeFor(resource: ResourceRef): Store {
    const prefix = resourcePrefix(resource);
    let store = this.#stores.get(prefix);
    if (!store) {
      store = new EtcdStore(this.#shared, resource, this.#watches);
      this.#stores.set(prefix, store);
    }
    return store;
  }

  readiness(): Promise<void> {
    if (this.#closed) {
      return Promise.reject(unavailable("etcd store factory is closed"));
    }
    return checkReady(this.#shared);
  }

  async currentRevision(): Promise<number> {
    try {
      return await this.#shared.client.currentRevision();
    } catch (err) {
      throw mapError(err, "currentRevision");
    }
  }

  compact(revision: number): Promise<void> {
    return compactTo(this.#shared, revision);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#compactor?.stop();
    this.#watches.stopAll();
    await this.#shared.client.close();
  }
}

/**
 * {@linkcode encryptedStoreFactory}: wraps a backend's `StoreFactory` so
 * every resource's store is an {@linkcode EncryptedStore}. Put it between
 * the backend and the watch cache, and {@linkcode guardedStoreFactory} above
 * the cache:
 *
 * ```ts
 * const storage = guardedStoreFactory(
 *   cachedStoreFactory(encryptedStoreFactory(backend, providers, logger)),
 * );
 * ```
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";
import type { ResourceRef } from "../keys.ts";
import type { Store, StoreFactory } from "../store.ts";
import { EncryptedStore } from "./encrypted_store.ts";
import type { EncryptionProviders } from "./providers_config.ts";

/** A factory whose stores encrypt values as `providers` say. */
export function encryptedStoreFactory(
  delegate: StoreFactory,
  providers: EncryptionProviders,
  logger: Logger,
): StoreFactory {
  const stores = new Map<string, Store>();
  return {
    storeFor(resource: ResourceRef): Store {
      const id = `${resource.group ?? ""}/${resource.resource}`;
      let store = stores.get(id);
      if (!store) {
        store = new EncryptedStore(
          delegate.storeFor(resource),
          () => providers.transformerFor(resource),
          logger,
        );
        stores.set(id, store);
      }
      return store;
    },
    readiness: () => delegate.readiness(),
    currentRevision: () => delegate.currentRevision(),
    compact: (revision) => delegate.compact(revision),
    close: () => delegate.close(),
  };
}

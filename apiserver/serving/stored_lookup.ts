/**
 * An {@linkcode ObjectLookup} over the server's storage for the service
 * account authenticator: objects are read from the watch cache
 * (`resourceVersion: "0"`, as upstream's authenticator reads informers) and
 * a miss is confirmed with a consistent read, so a service account created a
 * moment ago is found.
 *
 * @module
 */

import {
  isStorageError,
  objectKey,
  type StoreFactory,
} from "../../storage/mod.ts";
import type {
  ObjectLookup,
  ObjectRef,
} from "./service_account_authenticator.ts";

/** Looks objects up in `storage` (core group resources). */
export function storedObjectLookup(
  storage: StoreFactory,
): ObjectLookup {
  return async (ref: ObjectRef) => {
    const store = storage.storeFor({ resource: ref.resource });
    const key = objectKey({
      resource: ref.resource,
      cluster: ref.cluster,
      namespace: ref.namespace,
      name: ref.name,
    });
    const read = async (resourceVersion?: string) => {
      try {
        return await store.get(key, { resourceVersion });
      } catch (e) {
        if (isStorageError(e, "NotFound")) return undefined;
        throw e;
      }
    };
    return await read("0") ?? await read();
  };
}

/**
 * `storageVersionHash` of discovery's `APIResource`, as upstream's
 * `discovery.StorageVersionHash`: base64 of the first 8 bytes of the SHA-256
 * of `<group>/<version>/<kind>` of the version objects are stored in. Clients
 * (the storage version migrator, tests) compare it to notice that a
 * resource's storage changed.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { ResourceDefinition } from "../resources/types.ts";

/**
 * The hash of a storage group/version/kind.
 *
 * ```ts
 * storageVersionHash("", "v1", "ConfigMap"); // "qFsyl6wFWjQ="
 * ```
 */
export function storageVersionHash(
  group: string,
  version: string,
  kind: string,
): string {
  const digest = createHash("sha256").update(`${group}/${version}/${kind}`)
    .digest();
  return digest.subarray(0, 8).toString("base64");
}

/**
 * The hash of where `def`'s objects are stored: another resource's kind
 * (`storedAs`, events.k8s.io events are core events), the CRD's storage
 * version, or the definition's own group/version/kind.
 */
export function storageVersionHashOf(def: ResourceDefinition): string {
  if (def.storedAs) {
    return storageVersionHash(
      def.storedAs.group,
      def.storedAs.version,
      def.storedAs.kind,
    );
  }
  return storageVersionHash(
    def.group,
    def.storageVersion ?? def.version,
    def.kind,
  );
}

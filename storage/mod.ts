/**
 * The storage contract: the `Store` interface every backend implements, its
 * typed errors, the key layout with cluster identity, and continue tokens.
 * Backends import only from here (and `storage/log/`: revision-log
 * backends, and etcd for its `storedEvent`).
 *
 * @module
 */

export * from "./object.ts";
export * from "./errors.ts";
export * from "./keys.ts";
export * from "./store.ts";
export * from "./preconditions.ts";
export * from "./continue_token.ts";

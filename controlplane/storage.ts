/**
 * The storage a control plane serves from: the chosen backend (opened and
 * checked here, or handed in open), encryption at rest below the watch
 * cache, and the snapshots of a backend that can take them online. Each
 * part's shutdown is deferred onto the caller's stack.
 *
 * @module
 */

import { join } from "node:path";
import type { Logger } from "../log/mod.ts";
import { Backends, type FlagValues } from "../registry/mod.ts";
import type { StoreFactory } from "../storage/mod.ts";
import { registerBuiltinBackends } from "../backends/register.ts";
import { cachedStoreFactory } from "../storage/cacher/mod.ts";
import type { Encryption } from "../storage/encryption/mod.ts";
import {
  controlSocketPath,
  serveControlSocket,
  type SnapshotHeader,
  startSnapshotSchedule,
} from "../backends/sqlite/mod.ts";
import type {
  BackendChoice,
  ControlPlaneOptions,
  StorageFeatures,
} from "./options.ts";

/** A backend's configuration that cannot work (unknown name, bad flags). */
export class StorageConfigError extends Error {
  /** An error with `message`. */
  constructor(message: string) {
    super(message);
    this.name = "StorageConfigError";
  }
}

/** The storage the API serves from, and what it was built on. */
export interface ControlPlaneStorage {
  /** What the API reads and writes (cache and encryption included). */
  storage: StoreFactory;
  /** The backend below them. */
  backend: StoreFactory;
  /** Encryption at rest, when configured (its metrics). */
  encryption?: Encryption;
  /** The backend's name (`custom` for a store factory handed in). */
  backendName: string;
}

function isStoreFactory(s: unknown): s is StoreFactory {
  return typeof (s as StoreFactory).storeFor === "function";
}

/** `factory` with a `close()` that leaves it open. */
function leftOpen(factory: StoreFactory): StoreFactory {
  return {
    storeFor: (resource) => factory.storeFor(resource),
    readiness: () => factory.readiness(),
    currentRevision: () => factory.currentRevision(),
    compact: (revision) => factory.compact(revision),
    close: () => Promise.resolve(),
  };
}

/** The backend's flag values with the defaults of the flags left out. */
function withDefaults(
  backends: Backends,
  name: string,
  given: FlagValues,
): FlagValues {
  const values: FlagValues = {};
  for (const f of backends.get(name).flags) {
    values[f.name] = given[f.name] ?? f.default;
  }
  for (const key of Object.keys(given)) {
    if (!(key in values)) {
      throw new StorageConfigError(
        `storage backend "${name}" has no flag ${JSON.stringify(key)}`,
      );
    }
  }
  return values;
}

/** Opens the backend `choice` names and waits until it is ready. */
async function openBackend(
  choice: BackendChoice,
  ctx: { dataDir: string; logger: Logger },
): Promise<StoreFactory> {
  const backends = choice.backends ?? registerBuiltinBackends(new Backends());
  if (!backends.names().includes(choice.backend)) {
    throw new StorageConfigError(
      `unknown storage backend ${JSON.stringify(choice.backend)} (known: ${
        backends.names().join(", ")
      })`,
    );
  }
  const backend = backends.get(choice.backend);
  const values = withDefaults(backends, choice.backend, choice.flags ?? {});
  const problems = backend.validate(values, ctx);
  if (problems.length > 0) {
    throw new StorageConfigError(
      `invalid flags for storage backend "${choice.backend}": ${
        problems.join("; ")
      }`,
    );
  }
  const factory = await backend.open(values, ctx);
  try {
    await factory.readiness();
  } catch (err) {
    await factory.close().catch(() => {});
    throw err;
  }
  return factory;
}

/**
 * Opens the storage of `opts` (encryption config first, so a bad file
 * stops the start before the backend opens) and defers every close onto
 * `stack`.
 */
export async function openControlPlaneStorage(
  opts: ControlPlaneOptions,
  ctx: { dataDir: string; logger: Logger },
  stack: AsyncDisposableStack,
): Promise<ControlPlaneStorage> {
  const features = opts.storageFeatures ?? {};
  const encryption = features.encryption === undefined
    ? undefined
    // Loaded only when configured (12 modules; issue 21, start time).
    : await (await import("../storage/encryption/mod.ts")).openEncryption({
      configFile: features.encryption.configFile,
      automaticReload: features.encryption.automaticReload ?? false,
      logger: ctx.logger,
    });
  if (encryption) stack.defer(() => encryption.close());
  const given = opts.storage;
  let backend: StoreFactory;
  let backendName: string;
  if (given !== undefined && isStoreFactory(given)) {
    backend = given;
    backendName = "custom";
  } else {
    const choice = given ?? { backend: "memory" };
    backend = await openBackend(choice, ctx);
    backendName = choice.backend;
  }
  // Encryption sits below the watch cache: the cache holds plaintext, the
  // backend ciphertext; the guard above makes undecryptable objects 500s.
  // Closing the top closes every layer below; a factory handed in is
  // left open (it is the caller's).
  const below = backendName === "custom" ? leftOpen(backend) : backend;
  const encrypted = encryption?.wrap(below) ?? below;
  const cached = features.watchCache === false
    ? encrypted
    : cachedStoreFactory(encrypted, {
      logger: ctx.logger.with({ component: "cacher" }),
    });
  const storage = encryption?.guard(cached) ?? cached;
  stack.defer(() => storage.close());
  await startSnapshots(backend, features, ctx, stack);
  return { storage, backend, encryption, backendName };
}

/**
 * A backend that can snapshot itself online (sqlite) gets the control
 * socket `hyperplane snapshot save` talks to, and scheduled snapshots.
 */
async function startSnapshots(
  backend: object,
  features: StorageFeatures,
  ctx: { dataDir: string; logger: Logger },
  stack: AsyncDisposableStack,
): Promise<void> {
  const snapshot = (backend as {
    snapshot?: (file: string) => Promise<SnapshotHeader>;
  }).snapshot?.bind(backend);
  const intervalMs = features.snapshots?.intervalMs ?? 0;
  if (!snapshot) {
    if (intervalMs > 0) {
      ctx.logger.warn(
        "scheduled snapshots apply to the sqlite backend only (etcd: etcdctl snapshot save)",
      );
    }
    return;
  }
  const logger = ctx.logger.with({ component: "snapshots" });
  const socket = await serveControlSocket({
    path: controlSocketPath(ctx.dataDir),
    snapshot,
    logger,
  });
  if (socket) stack.defer(() => socket.close());
  if (intervalMs > 0) {
    const schedule = startSnapshotSchedule({
      dir: join(ctx.dataDir, "snapshots"),
      intervalMs,
      retention: features.snapshots?.retention ?? 5,
      snapshot,
      logger,
    });
    stack.defer(() => schedule.stop());
  }
}

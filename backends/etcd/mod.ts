/**
 * The `etcd` storage backend: hyperplane's stores directly on an etcd v3
 * cluster (shared by any number of hyperplane replicas). Selected with
 * `--storage-backend=etcd`; configured by the `--etcd-*` flags.
 *
 * @example
 * ```ts
 * const backend = etcdBackend();
 * const factory = await backend.open(
 *   { "etcd-servers": "http://127.0.0.1:2379" },
 *   { dataDir: "/tmp", logger: silentLogger },
 * );
 * ```
 *
 * @module
 */

import type { Backend } from "../../registry/mod.ts";
import { invalidArgument, type StoreFactory } from "../../storage/mod.ts";
import { ETCD_FLAGS, type EtcdConfig, parseEtcdConfig } from "./config.ts";
import type { OpenEtcdOptions } from "./factory.ts";

export { ETCD_FLAGS, type EtcdConfig, parseEtcdConfig } from "./config.ts";
export type { OpenEtcdOptions } from "./factory.ts";
export type { EtcdStore } from "./store.ts";

/**
 * Connects to etcd, waiting until it answers (or failing with
 * `Unavailable`). The etcd client (`etcd3`, gRPC) is loaded on first use, so
 * a server on another backend does not pay for loading it at start-up.
 */
export async function openEtcd(
  config: EtcdConfig,
  opts: OpenEtcdOptions,
): Promise<StoreFactory> {
  const { openEtcd } = await import("./factory.ts");
  return await openEtcd(config, opts);
}

/** The `etcd` backend. */
export function etcdBackend(): Backend {
  return {
    name: "etcd",
    description: "etcd v3 cluster, shared by any number of replicas",
    flags: ETCD_FLAGS,
    validate: (values) => parseEtcdConfig(values).problems,
    open: (values, ctx) => {
      const { config, problems } = parseEtcdConfig(values);
      if (!config) {
        return Promise.reject(invalidArgument(problems.join("; ")));
      }
      return openEtcd(config, { logger: ctx.logger.with({ backend: "etcd" }) });
    },
  };
}

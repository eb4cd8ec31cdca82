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
import { invalidArgument } from "../../storage/mod.ts";
import { ETCD_FLAGS, parseEtcdConfig } from "./config.ts";
import { openEtcd } from "./factory.ts";

export { ETCD_FLAGS, type EtcdConfig, parseEtcdConfig } from "./config.ts";
export { openEtcd, type OpenEtcdOptions } from "./factory.ts";
export { EtcdStore } from "./store.ts";

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

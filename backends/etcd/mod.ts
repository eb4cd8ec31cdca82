/**
 * The `etcd` storage backend (placeholder until its implementation lands).
 *
 * @module
 */

import type { Backend } from "../../registry/mod.ts";
import { unavailable } from "../../storage/mod.ts";

/** The `etcd` backend. */
export function etcdBackend(): Backend {
  return {
    name: "etcd",
    description: "etcd storage (not yet available)",
    flags: [
      {
        name: "etcd-servers",
        description: "comma-separated etcd client URLs (required)",
        placeholder: "URLS",
      },
      {
        name: "etcd-prefix",
        description: "key prefix in etcd",
        default: "/registry",
        placeholder: "PREFIX",
      },
      {
        name: "etcd-cafile",
        description: "CA bundle to verify etcd servers",
        placeholder: "FILE",
      },
      {
        name: "etcd-certfile",
        description: "client certificate for etcd",
        placeholder: "FILE",
      },
      {
        name: "etcd-keyfile",
        description: "client key for etcd",
        placeholder: "FILE",
      },
      {
        name: "etcd-compaction-interval",
        description: "how often to compact etcd history (0 disables)",
        default: "5m",
        placeholder: "DURATION",
      },
    ],
    validate: () => ['storage backend "etcd" is not yet available'],
    open: () =>
      Promise.reject(
        unavailable('storage backend "etcd" is not yet available'),
      ),
  };
}

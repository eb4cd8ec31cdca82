/**
 * Registers the built-in storage backends. Adding a backend is one folder
 * under `backends/` plus one line here.
 *
 * @module
 */

import { Backends } from "../registry/mod.ts";
import { memoryBackend } from "./memory/mod.ts";
import { sqliteBackend } from "./sqlite/mod.ts";
import { etcdBackend } from "./etcd/mod.ts";
import { spannerBackend } from "./spanner/mod.ts";
import { postgresBackend } from "./postgres/mod.ts";

/** Registers every built-in backend into `backends` and returns it. */
export function registerBuiltinBackends(
  backends: Backends = new Backends(),
): Backends {
  return backends
    .register(memoryBackend())
    .register(sqliteBackend())
    .register(etcdBackend())
    .register(spannerBackend())
    .register(postgresBackend());
}

/**
 * hyperplane as a library: build a Kubernetes-style generic control plane in
 * code (KEP-4080's "generic control plane" shape).
 *
 * @example
 * ```ts
 * import { Backends, registerBuiltinBackends, silentLogger } from "./mod.ts";
 *
 * const backends = registerBuiltinBackends(new Backends());
 * const storage = await backends.get("memory").open({}, { dataDir: "/tmp/hp", logger: silentLogger });
 * const configmaps = storage.storeFor({ resource: "configmaps" });
 * ```
 *
 * @module
 */

export * from "./storage/mod.ts";
export * from "./registry/mod.ts";
export { registerBuiltinBackends } from "./backends/register.ts";
export { createLogger, type Logger, silentLogger } from "./log/mod.ts";
export * from "./version.ts";

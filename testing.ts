/**
 * The storage conformance suite for your own backend: one call runs every
 * case of the `Store` contract (modelled on Kubernetes' storage test
 * drivers) as `t.step`s against the store factories your `open()` returns.
 * See `storage/testing/README.md` for the cases and what they assume.
 *
 * @example
 * ```ts
 * import { runConformanceSuite } from "./testing.ts";
 * import { Backends, registerBuiltinBackends, silentLogger } from "./mod.ts";
 *
 * Deno.test("my backend conforms to the Store contract", async (t) => {
 *   const memory = registerBuiltinBackends(new Backends()).get("memory");
 *   await runConformanceSuite(t, {
 *     name: "memory",
 *     open: () => memory.open({}, { dataDir: "/tmp", logger: silentLogger }),
 *     // While developing: a few cases only.
 *     filter: (c) => c.name.startsWith("create"),
 *     // The corrupt-object cases also need `writeRaw` (a raw write below
 *     // the store; storage/testing/README.md, "Raw writes").
 *   });
 * });
 * ```
 *
 * @module
 */

export * from "./storage/testing/mod.ts";
// The storage contract the suite tests, and the revision-log contract of the
// raw writers over a log.
export type * from "./storage/mod.ts";
export type * from "./storage/log/log.ts";

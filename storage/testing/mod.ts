/**
 * hyperplane's backend conformance suite: every semantic of the `Store`
 * contract (`storage/store.ts`), modelled on Kubernetes' storage test
 * drivers (`k8s.io/apiserver/pkg/storage/testing`). Every backend runs all
 * of it; see this folder's README for the case list and the documented
 * deviations from upstream.
 *
 * @example
 * ```ts
 * import { runConformanceSuite } from "./storage/testing/mod.ts";
 *
 * Deno.test("the memory backend conforms to the Store contract", async (t) => {
 *   await runConformanceSuite(t, {
 *     name: "memory",
 *     open: () => memoryBackend().open({}, { dataDir, logger: silentLogger }),
 *   });
 * });
 * ```
 *
 * @module
 */

import type { StoreFactory } from "../mod.ts";
import { caseEnv, type ConformanceCase } from "./_case.ts";
import { backendCases } from "./backend_cases.ts";
import { compactionCases } from "./compaction_cases.ts";
import { corruptCases } from "./corrupt_cases.ts";
import { createGetCases } from "./create_get_cases.ts";
import { deleteCases } from "./delete_cases.ts";
import { deletePrefixCases } from "./delete_prefix_cases.ts";
import { keysCases } from "./keys_cases.ts";
import { listCases } from "./list_cases.ts";
import { updateCases } from "./update_cases.ts";
import { watchBookmarkCases } from "./watch_bookmark_cases.ts";
import { watchCases } from "./watch_cases.ts";
import { watchScopeCases } from "./watch_scope_cases.ts";
import type { RawWriter } from "./raw.ts";

export type { CaseEnv, ConformanceCase, Place } from "./_case.ts";
export {
  type LogRawWriter,
  type RawWriter,
  sharedLogRawWriter,
  writeRawToLog,
} from "./raw.ts";
export {
  EVENT_TIMEOUT_MS,
  type NextOptions,
  QUIET_PERIOD_MS,
  WatchCollector,
} from "./_helpers.ts";

/** Options for {@linkcode runConformanceSuite}. */
export interface ConformanceOptions {
  /**
   * Opens a store factory on the backend under test. Called once per case;
   * the case closes the factory when it ends. Backends that keep data
   * (etcd, Spanner) may hand out factories on the same database: cases use
   * resources no other case uses.
   */
  open: () => Promise<StoreFactory>;
  /** The backend's name, for messages. */
  name?: string;
  /**
   * Runs only the cases for which this returns true (e.g. while developing a
   * backend). Default: every case.
   */
  filter?: (c: ConformanceCase) => boolean;
  /**
   * Stores a raw value below the store on the backend of the factory a case
   * opened (`raw.ts`): how the corrupt-object cases put a value no store
   * call can write (not JSON, not an object). A revision-log backend writes
   * through its `Log` (`writeRawToLog`), etcd with a plain put. Without it
   * those cases fail saying so: every backend must provide it.
   */
  writeRaw?: RawWriter;
}

/** Every conformance case, in the order the suite runs them. */
export const conformanceCases: readonly ConformanceCase[] = [
  ...createGetCases,
  ...keysCases,
  ...listCases,
  ...updateCases,
  ...deleteCases,
  ...deletePrefixCases,
  ...watchCases,
  ...watchBookmarkCases,
  ...watchScopeCases,
  ...compactionCases,
  ...backendCases,
  ...corruptCases,
];

/**
 * Runs every conformance case as a `t.step` named by the case's sentence.
 * Each case gets a fresh factory from `opts.open()` and a resource of its own
 * (group `conformance.hyperplane.dev`, resource `c<n>x<random>`), and closes
 * the factory at its end.
 */
export async function runConformanceSuite(
  t: Deno.TestContext,
  opts: ConformanceOptions,
): Promise<void> {
  const prefix = opts.name ? `${opts.name}: ` : "";
  for (const [i, c] of conformanceCases.entries()) {
    if (opts.filter && !opts.filter(c)) continue;
    await t.step(`${prefix}${c.name}`, async () => {
      const factory = await opts.open();
      try {
        await c.run(caseEnv(factory, i + 1, opts.writeRaw));
      } finally {
        await factory.close();
      }
    });
  }
}

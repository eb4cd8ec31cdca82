import { silentLogger } from "../../log/mod.ts";
import {
  sqliteBackend,
  SqliteStoreFactory,
} from "../../backends/sqlite/mod.ts";
import type { StoreFactory } from "../store.ts";
import { writeRawToLog } from "../testing/mod.ts";
import { runCachedConformance } from "./_conformance.ts";

/** The raw writer of a sqlite factory: through its `SqliteLog`. */
function sqliteWriteRaw(factory: StoreFactory, key: string, text: string) {
  if (!(factory instanceof SqliteStoreFactory)) {
    throw new Error("not a sqlite factory");
  }
  return writeRawToLog(factory.log, key, text);
}

Deno.test("the watch cache over the sqlite backend conforms to the Store contract", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "hyperplane-cacher-sqlite-" });
  let n = 0;
  try {
    await runCachedConformance(
      t,
      "sqlite",
      () =>
        sqliteBackend().open({}, {
          dataDir: `${root}/${n++}`,
          logger: silentLogger,
        }),
      sqliteWriteRaw,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

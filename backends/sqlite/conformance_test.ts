import {
  runConformanceSuite,
  writeRawToLog,
} from "../../storage/testing/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import type { StoreFactory } from "../../storage/mod.ts";
import { sqliteBackend, SqliteStoreFactory } from "./mod.ts";

/** The raw writer of a sqlite factory: through its `SqliteLog`. */
function sqliteWriteRaw(factory: StoreFactory, key: string, text: string) {
  if (!(factory instanceof SqliteStoreFactory)) {
    throw new Error("not a sqlite factory");
  }
  return writeRawToLog(factory.log, key, text);
}

Deno.test("the sqlite backend conforms to the Store contract", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "hyperplane-sqlite-conf-" });
  let n = 0;
  try {
    await runConformanceSuite(t, {
      name: "sqlite",
      open: (): Promise<StoreFactory> => {
        const dataDir = `${root}/${n++}`;
        return sqliteBackend().open({}, { dataDir, logger: silentLogger });
      },
      writeRaw: sqliteWriteRaw,
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

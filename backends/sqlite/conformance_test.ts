import { runConformanceSuite } from "../../storage/testing/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import type { StoreFactory } from "../../storage/mod.ts";
import { sqliteBackend } from "./mod.ts";

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
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

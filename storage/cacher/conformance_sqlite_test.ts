import { silentLogger } from "../../log/mod.ts";
import { sqliteBackend } from "../../backends/sqlite/mod.ts";
import { runCachedConformance } from "./_conformance.ts";

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
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

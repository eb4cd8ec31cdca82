import { runConformanceSuite } from "../../storage/testing/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import type { StoreFactory } from "../../storage/mod.ts";
import { startPostgres } from "../../tests/support/postgres.ts";
import { postgresBackend } from "./mod.ts";

Deno.test("the postgres backend conforms to the Store contract", async (t) => {
  const pg = await startPostgres();
  if (!pg) return;
  try {
    // Every case opens its own factory on the same database, as replicas
    // would; cases use resources of their own.
    await runConformanceSuite(t, {
      name: "postgres",
      open: (): Promise<StoreFactory> =>
        postgresBackend().open({
          "postgres-url": pg.url,
          "postgres-password-file": pg.passwordFile,
          "postgres-sslmode": "disable",
          "postgres-pool-size": "4",
          "postgres-compaction-interval": "0",
        }, { dataDir: "/nonexistent", logger: silentLogger }),
    });
  } finally {
    await pg.stop();
  }
});

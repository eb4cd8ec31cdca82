import { silentLogger } from "../../log/mod.ts";
import { postgresBackend } from "../../backends/postgres/mod.ts";
import { startPostgres } from "../../tests/support/postgres.ts";
import { runCachedConformance } from "./_conformance.ts";

Deno.test("the watch cache over the postgres backend conforms to the Store contract on a real PostgreSQL", async (t) => {
  const pg = await startPostgres();
  if (!pg) return;
  try {
    await runCachedConformance(t, "postgres", () =>
      postgresBackend().open({
        "postgres-url": pg.url,
        "postgres-password-file": pg.passwordFile,
        "postgres-sslmode": "disable",
        "postgres-pool-size": "4",
        "postgres-compaction-interval": "0",
      }, { dataDir: "/nonexistent", logger: silentLogger }));
  } finally {
    await pg.stop();
  }
});

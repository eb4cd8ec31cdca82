import { startPostgres } from "../../tests/support/postgres.ts";
import { postgresTarget } from "../../tests/support/conformance_targets.ts";
import { runCachedConformance } from "./_conformance.ts";

Deno.test("the watch cache over the postgres backend conforms to the Store contract on a real PostgreSQL", async (t) => {
  const pg = await startPostgres();
  if (!pg) return;
  const target = postgresTarget(pg);
  try {
    await runCachedConformance(t, "postgres", target.open, target.writeRaw);
  } finally {
    await target.close();
    await pg.stop();
  }
});

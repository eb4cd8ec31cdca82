import { runConformanceSuite } from "../../storage/testing/mod.ts";
import { startPostgres } from "../../tests/support/postgres.ts";
import { postgresTarget } from "../../tests/support/conformance_targets.ts";

Deno.test("the postgres backend conforms to the Store contract", async (t) => {
  const pg = await startPostgres();
  if (!pg) return;
  const target = postgresTarget(pg);
  try {
    await runConformanceSuite(t, {
      name: "postgres",
      open: target.open,
      writeRaw: target.writeRaw,
    });
  } finally {
    await target.close();
    await pg.stop();
  }
});

import { silentLogger } from "../../log/mod.ts";
import {
  openPostgresLog,
  postgresBackend,
  postgresConfigFromFlags,
} from "../../backends/postgres/mod.ts";
import { startPostgres } from "../../tests/support/postgres.ts";
import { sharedLogRawWriter } from "../testing/mod.ts";
import { runCachedConformance } from "./_conformance.ts";

Deno.test("the watch cache over the postgres backend conforms to the Store contract on a real PostgreSQL", async (t) => {
  const pg = await startPostgres();
  if (!pg) return;
  const flags = {
    "postgres-url": pg.url,
    "postgres-password-file": pg.passwordFile,
    "postgres-sslmode": "disable",
    "postgres-pool-size": "4",
    "postgres-compaction-interval": "0",
  };
  // Raw writes (the corrupt-object cases) through a log of its own on the
  // same database, as another replica's.
  const raw = sharedLogRawWriter(() =>
    openPostgresLog(postgresConfigFromFlags(flags), { logger: silentLogger })
  );
  try {
    await runCachedConformance(
      t,
      "postgres",
      () =>
        postgresBackend().open(flags, {
          dataDir: "/nonexistent",
          logger: silentLogger,
        }),
      raw.write,
    );
  } finally {
    await raw.close();
    await pg.stop();
  }
});

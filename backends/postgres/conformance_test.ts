import {
  runConformanceSuite,
  sharedLogRawWriter,
} from "../../storage/testing/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import type { StoreFactory } from "../../storage/mod.ts";
import { startPostgres } from "../../tests/support/postgres.ts";
import {
  openPostgresLog,
  postgresBackend,
  postgresConfigFromFlags,
} from "./mod.ts";

Deno.test("the postgres backend conforms to the Store contract", async (t) => {
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
    // Every case opens its own factory on the same database, as replicas
    // would; cases use resources of their own.
    await runConformanceSuite(t, {
      name: "postgres",
      open: (): Promise<StoreFactory> =>
        postgresBackend().open(flags, {
          dataDir: "/nonexistent",
          logger: silentLogger,
        }),
      writeRaw: raw.write,
    });
  } finally {
    await raw.close();
    await pg.stop();
  }
});

import {
  runConformanceSuite,
  sharedLogRawWriter,
} from "../../storage/testing/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import type { StoreFactory } from "../../storage/mod.ts";
import { startSpannerEmulator } from "../../tests/support/spanner.ts";
import {
  openSpannerLog,
  spannerBackend,
  spannerConfigFromFlags,
} from "./mod.ts";

Deno.test("the spanner backend conforms to the Store contract on the emulator", async (t) => {
  const emu = await startSpannerEmulator();
  if (!emu) return;
  const flags = {
    "spanner-project": "test-project",
    "spanner-instance": "test-instance",
    "spanner-database": "conformance",
    "spanner-emulator-host": emu.host,
  };
  // Raw writes (the corrupt-object cases) through a log of its own on the
  // same database, as another replica's (no compaction of its own).
  const raw = sharedLogRawWriter(() =>
    openSpannerLog(spannerConfigFromFlags(flags), {
      logger: silentLogger,
      retentionMs: 0,
    })
  );
  try {
    // Every case opens its own factory on the same database, as replicas
    // would; cases use resources of their own.
    await runConformanceSuite(t, {
      name: "spanner",
      open: (): Promise<StoreFactory> =>
        spannerBackend().open(flags, {
          dataDir: "/nonexistent",
          logger: silentLogger,
        }),
      writeRaw: raw.write,
    });
  } finally {
    await raw.close();
    await emu.stop();
  }
});

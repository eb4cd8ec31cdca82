import { silentLogger } from "../../log/mod.ts";
import {
  openSpannerLog,
  spannerBackend,
  spannerConfigFromFlags,
} from "../../backends/spanner/mod.ts";
import { startSpannerEmulator } from "../../tests/support/spanner.ts";
import { sharedLogRawWriter } from "../testing/mod.ts";
import { runCachedConformance } from "./_conformance.ts";

Deno.test("the watch cache over the spanner backend conforms to the Store contract on the emulator", async (t) => {
  const emu = await startSpannerEmulator();
  if (!emu) return;
  const flags = {
    "spanner-project": "test-project",
    "spanner-instance": "test-instance",
    "spanner-database": "cacher-conformance",
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
    await runCachedConformance(
      t,
      "spanner",
      () =>
        spannerBackend().open(flags, {
          dataDir: "/nonexistent",
          logger: silentLogger,
        }),
      raw.write,
    );
  } finally {
    await raw.close();
    await emu.stop();
  }
});

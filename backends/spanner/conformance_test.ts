import { runConformanceSuite } from "../../storage/testing/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import type { StoreFactory } from "../../storage/mod.ts";
import { startSpannerEmulator } from "../../tests/support/spanner.ts";
import { spannerBackend } from "./mod.ts";

Deno.test("the spanner backend conforms to the Store contract on the emulator", async (t) => {
  const emu = await startSpannerEmulator();
  if (!emu) return;
  try {
    // Every case opens its own factory on the same database, as replicas
    // would; cases use resources of their own.
    await runConformanceSuite(t, {
      name: "spanner",
      open: (): Promise<StoreFactory> =>
        spannerBackend().open({
          "spanner-project": "test-project",
          "spanner-instance": "test-instance",
          "spanner-database": "conformance",
          "spanner-emulator-host": emu.host,
        }, { dataDir: "/nonexistent", logger: silentLogger }),
    });
  } finally {
    await emu.stop();
  }
});

import { silentLogger } from "../../log/mod.ts";
import { spannerBackend } from "../../backends/spanner/mod.ts";
import { startSpannerEmulator } from "../../tests/support/spanner.ts";
import { runCachedConformance } from "./_conformance.ts";

Deno.test("the watch cache over the spanner backend conforms to the Store contract on the emulator", async (t) => {
  const emu = await startSpannerEmulator();
  if (!emu) return;
  try {
    await runCachedConformance(t, "spanner", () =>
      spannerBackend().open({
        "spanner-project": "test-project",
        "spanner-instance": "test-instance",
        "spanner-database": "cacher-conformance",
        "spanner-emulator-host": emu.host,
      }, { dataDir: "/nonexistent", logger: silentLogger }));
  } finally {
    await emu.stop();
  }
});

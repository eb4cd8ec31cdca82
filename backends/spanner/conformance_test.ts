import { runConformanceSuite } from "../../storage/testing/mod.ts";
import { startSpannerEmulator } from "../../tests/support/spanner.ts";
import { spannerTarget } from "../../tests/support/conformance_targets.ts";

Deno.test("the spanner backend conforms to the Store contract on the emulator", async (t) => {
  const emu = await startSpannerEmulator();
  if (!emu) return;
  const target = spannerTarget(emu, "conformance");
  try {
    await runConformanceSuite(t, {
      name: "spanner",
      open: target.open,
      writeRaw: target.writeRaw,
    });
  } finally {
    await target.close();
    await emu.stop();
  }
});

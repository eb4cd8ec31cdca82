import { startSpannerEmulator } from "../../tests/support/spanner.ts";
import { spannerTarget } from "../../tests/support/conformance_targets.ts";
import { runCachedConformance } from "./_conformance.ts";

Deno.test("the watch cache over the spanner backend conforms to the Store contract on the emulator", async (t) => {
  const emu = await startSpannerEmulator();
  if (!emu) return;
  const target = spannerTarget(emu, "cacher-conformance");
  try {
    await runCachedConformance(t, "spanner", target.open, target.writeRaw);
  } finally {
    await target.close();
    await emu.stop();
  }
});

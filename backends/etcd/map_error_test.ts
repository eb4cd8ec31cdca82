import assert from "node:assert/strict";
import { mapError } from "./_client.ts";

Deno.test("a connection broken mid-call (a killed member) maps to Unavailable, not Internal", () => {
  for (
    const msg of [
      "13 INTERNAL: Received RST_STREAM with code 2 triggered by internal client error: This socket has been ended by the other party",
      "14 UNAVAILABLE: No connection established",
      "read ECONNRESET",
      "13 INTERNAL: Received RST_STREAM with code 0",
    ]
  ) {
    assert.equal(mapError(new Error(msg), "create").code, "Unavailable", msg);
  }
  assert.equal(
    mapError(new Error("etcdserver: request is too large"), "create").code,
    "Internal",
  );
});

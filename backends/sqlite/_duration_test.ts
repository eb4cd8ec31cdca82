import assert from "node:assert/strict";
import { parseDuration } from "./_duration.ts";

Deno.test("durations parse like Go's time.ParseDuration", () => {
  assert.equal(parseDuration("0"), 0);
  assert.equal(parseDuration("30s"), 30_000);
  assert.equal(parseDuration("5m"), 300_000);
  assert.equal(parseDuration("1h"), 3_600_000);
  assert.equal(parseDuration("1h30m"), 5_400_000);
  assert.equal(parseDuration("1.5s"), 1_500);
  assert.equal(parseDuration("250ms"), 250);
});

Deno.test("malformed durations are refused", () => {
  for (const bad of ["", "5", "-5m", "5 minutes", "m", "1d", "5m3", "0x10s"]) {
    assert.equal(parseDuration(bad), undefined, bad);
  }
});

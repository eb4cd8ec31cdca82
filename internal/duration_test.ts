import assert from "node:assert/strict";
import { parseDuration } from "./duration.ts";

Deno.test("durations parse like Go's time.ParseDuration, in milliseconds", () => {
  const cases: [string, number][] = [
    ["0", 0],
    ["+0", 0],
    ["0s", 0],
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["1h30m", 5_400_000],
    ["1m30s", 90_000],
    ["30s1m", 90_000], // any order, as in Go
    ["1.5s", 1_500],
    ["1.5h", 5_400_000],
    [".5s", 500],
    ["1.s", 1_000],
    ["250ms", 250],
    ["1500us", 2], // rounded to whole milliseconds
    ["1500µs", 2],
    ["2000000ns", 2],
    ["+5m", 300_000],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
});

Deno.test("what Go refuses, and negative durations, are refused", () => {
  for (
    const bad of [
      "",
      "5", // a bare number needs a unit (only 0 does not)
      "15.5",
      "-5m",
      "-0",
      "5 minutes",
      " 5m",
      "m",
      ".s",
      "1d",
      "5m3",
      "0x10s",
      "1e3s",
      "9999999999h", // beyond Go's int64 nanoseconds
    ]
  ) {
    assert.equal(parseDuration(bad), undefined, bad);
  }
});

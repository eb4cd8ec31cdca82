import assert from "node:assert/strict";
import { progressInOrder } from "./progress_order.ts";

Deno.test("requested watch progress is trusted from etcd 3.4.31, 3.5.13 and 3.6 on", () => {
  const cases: [string, boolean][] = [
    ["3.3.25", false],
    ["3.4.23", false],
    ["3.4.30", false],
    ["3.4.31", true],
    ["3.4.37", true],
    ["3.5.0", false],
    ["3.5.12", false],
    ["3.5.13", true],
    ["3.5.17", true],
    ["3.6.0", true],
    ["v3.6.4", true],
    ["4.0.0", true],
    ["2.3.8", false],
    ["", false],
    ["garbage", false],
  ];
  for (const [version, want] of cases) {
    assert.equal(progressInOrder(version), want, version);
  }
});

import assert from "node:assert/strict";
import { defaultMaxConnections, openFileLimit } from "./connection_limits.ts";

const LIMITS =
  `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            20000                40000                files
`;

Deno.test("the soft open-file limit is read from /proc/self/limits text", () => {
  assert.equal(openFileLimit(() => LIMITS), 20_000);
  assert.equal(
    openFileLimit(() => LIMITS.replace("20000 ", "unlimited ")),
    undefined,
  );
  assert.equal(
    openFileLimit(() => {
      throw new Deno.errors.NotFound("no /proc");
    }),
    undefined,
  );
});

Deno.test("the default cap leaves a reserve and counts three descriptors a connection", () => {
  assert.equal(defaultMaxConnections(20_000), 6_000);
  assert.equal(defaultMaxConnections(256), 64);
  assert.equal(defaultMaxConnections(10), 1);
});

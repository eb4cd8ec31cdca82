import assert from "node:assert/strict";
import {
  parseHostPort,
  spannerConfigFromFlags,
  validateSpannerFlags,
} from "./config.ts";

Deno.test("validation lists every missing required flag at once", () => {
  assert.deepEqual(validateSpannerFlags({}), [
    'storage backend "spanner" requires --spanner-project, --spanner-instance, --spanner-database',
  ]);
  assert.deepEqual(validateSpannerFlags({ "spanner-instance": "inst" }), [
    'storage backend "spanner" requires --spanner-project, --spanner-database',
  ]);
});

Deno.test("validation rejects malformed IDs and emulator hosts", () => {
  const problems = validateSpannerFlags({
    "spanner-project": "p",
    "spanner-instance": "Bad_Instance",
    "spanner-database": "1db",
    "spanner-emulator-host": "http://localhost:9010",
  });
  assert.equal(problems.length, 3);
  assert.match(problems[0], /--spanner-instance "Bad_Instance"/);
  assert.match(problems[1], /--spanner-database "1db"/);
  assert.match(problems[2], /--spanner-emulator-host .* HOST:PORT/);
});

Deno.test("a valid flag block becomes a typed config", () => {
  assert.deepEqual(
    spannerConfigFromFlags({
      "spanner-project": "my-project",
      "spanner-instance": "inst-1",
      "spanner-database": "hyperplane",
      "spanner-emulator-host": "127.0.0.1:9010",
    }),
    {
      project: "my-project",
      instance: "inst-1",
      database: "hyperplane",
      emulatorHost: "127.0.0.1:9010",
    },
  );
  assert.throws(() => spannerConfigFromFlags({}), /requires --spanner-project/);
});

Deno.test("host:port parsing accepts names, IPv4 and bracketed IPv6", () => {
  assert.deepEqual(parseHostPort("localhost:9010"), {
    host: "localhost",
    port: 9010,
  });
  assert.deepEqual(parseHostPort("[::1]:9010"), { host: "::1", port: 9010 });
  assert.equal(parseHostPort("localhost"), undefined);
  assert.equal(parseHostPort("localhost:0"), undefined);
  assert.equal(parseHostPort("localhost:99999"), undefined);
});

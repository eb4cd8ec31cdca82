import assert from "node:assert/strict";
import { CONFIG_MAP } from "./core_v1.ts";
import { CORE_EVENT } from "./events.ts";
import { LEASE } from "./coordination_v1.ts";
import {
  goFormatValue,
  goFromUnstructuredError,
} from "./go_from_unstructured.ts";

Deno.test("the converter's errors are upstream's FromUnstructured wording", () => {
  const cases: Array<[unknown, unknown, string | undefined]> = [
    [CONFIG_MAP, { data: { a: "b" } }, undefined],
    [CONFIG_MAP, { data: { a: true } }, "unrecognized type: string"],
    [CONFIG_MAP, { data: { a: 1.5 } }, "unrecognized type: string"],
    [CONFIG_MAP, { data: { a: 1 } }, "cannot convert int64 to string"],
    [CONFIG_MAP, { data: "x" }, "cannot restore map from string"],
    [CONFIG_MAP, { metadata: "x" }, "cannot restore struct from: string"],
    [
      CONFIG_MAP,
      { metadata: { finalizers: "x" } },
      "cannot restore slice from string",
    ],
    [CONFIG_MAP, { immutable: "yes" }, "unrecognized type: bool"],
    [CONFIG_MAP, { data: null, metadata: { labels: null } }, undefined],
    [
      LEASE,
      { spec: { leaseDurationSeconds: "5" } },
      "unrecognized type: int32",
    ],
    [
      LEASE,
      { spec: { leaseDurationSeconds: 1.5 } },
      "cannot convert float64 to int32",
    ],
    [LEASE, { spec: { leaseDurationSeconds: 7 } }, undefined],
    [
      CORE_EVENT,
      { lastTimestamp: 5 },
      "json: cannot unmarshal number into Go value of type string",
    ],
  ];
  for (const [schema, obj, want] of cases) {
    assert.equal(
      goFromUnstructuredError(obj, schema as typeof CONFIG_MAP),
      want,
      JSON.stringify(obj),
    );
  }
  assert.match(
    goFromUnstructuredError({ lastTimestamp: "bad" }, CORE_EVENT) ?? "",
    /parsing time "bad"/,
  );
});

Deno.test("values print as Go's %+v of a decoded JSON map", () => {
  assert.equal(
    goFormatValue({ metadata: { labels: { z: true, a: 1 } }, l: ["x", null] }),
    "map[l:[x <nil>] metadata:map[labels:map[a:1 z:true]]]",
  );
  assert.equal(goFormatValue(1.5), "1.5");
  assert.equal(goFormatValue(123456.5), "123456.5");
  assert.equal(goFormatValue(1234567.5), "1.2345675e+06");
  assert.equal(goFormatValue(1e6), "1000000"); // an int64
  assert.equal(goFormatValue(0.00001), "1e-05");
  assert.equal(goFormatValue(1e21), "1e+21");
  assert.equal(goFormatValue(-2.5e-7), "-2.5e-07");
});

import assert from "node:assert/strict";
import { decodeObject } from "../object.ts";
import { decodeStored } from "./_decode.ts";

Deno.test("decodeStored gives the same object as decodeObject", () => {
  const cases = [
    '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","uid":"u"},"data":{"k":"v"}}',
    '{"metadata":{"resourceVersion":"7","name":"b"}}',
    '{"metadata":{}}',
    '{"kind":"X"}',
    '{"metadata":null}',
  ];
  for (const data of cases) {
    const got = decodeStored(data, 42);
    const want = decodeObject(data, 42);
    assert.deepEqual(got, want);
    assert.deepEqual(JSON.stringify(got), JSON.stringify(want), data);
  }
});

Deno.test("decodeStored returns a new object on every call", () => {
  const data = '{"metadata":{"name":"a","labels":{"x":"y"}}}';
  const a = decodeStored(data, 1);
  const b = decodeStored(data, 2);
  assert(a !== b && a.metadata !== b.metadata);
  assert.deepEqual(a.metadata.resourceVersion, "1");
  assert.deepEqual(b.metadata.resourceVersion, "2");
});

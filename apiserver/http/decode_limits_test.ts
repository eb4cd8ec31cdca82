import assert from "node:assert/strict";
import { ApiError } from "../status/mod.ts";
import {
  checkJsonLimits,
  checkValueLimits,
  checkYamlFlowDepth,
  MAX_NESTING_DEPTH,
} from "./decode_limits.ts";

function nested(depth: number, open = "[", close = "]"): string {
  return open.repeat(depth) + close.repeat(depth);
}

function refusal(f: () => void): ApiError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    return e;
  }
  assert.fail("expected a refusal");
}

Deno.test("JSON nested up to the depth limit passes", () => {
  checkJsonLimits(nested(MAX_NESTING_DEPTH));
  checkJsonLimits(`{"a":${nested(MAX_NESTING_DEPTH - 1, '{"b":', "}")}}`);
});

Deno.test("JSON nested past the limit is a 400 in upstream's words", () => {
  const e = refusal(() => checkJsonLimits(nested(100_000)));
  assert.equal(e.code, 400);
  assert.equal(e.reason, "BadRequest");
  assert.match(e.message, /invalid character '\[' exceeded max depth$/);
  const o = refusal(() =>
    checkJsonLimits('{"a":'.repeat(MAX_NESTING_DEPTH + 1))
  );
  assert.match(o.message, /invalid character '\{' exceeded max depth$/);
});

Deno.test("brackets and colons inside strings are not counted", () => {
  const s = JSON.stringify({ a: nested(5000), "b:c": '\\"[[[', d: "\\" });
  checkJsonLimits(s, { maxDepth: 2, maxFields: 3 });
});

Deno.test("too many fields in a body is a 413", () => {
  const body = JSON.stringify({ data: { a: "1", b: "2", c: "3" } });
  checkJsonLimits(body, { maxDepth: 10, maxFields: 4 });
  const e = refusal(() =>
    checkJsonLimits(body, { maxDepth: 10, maxFields: 3 })
  );
  assert.equal(e.code, 413);
  assert.equal(e.reason, "RequestEntityTooLarge");
});

Deno.test("decoded values are held to the same limits without recursion", () => {
  checkValueLimits(JSON.parse(nested(MAX_NESTING_DEPTH)), "YAML");
  const e = refusal(() =>
    checkValueLimits(JSON.parse(nested(MAX_NESTING_DEPTH + 1)), "YAML")
  );
  assert.match(e.message, /decoded as YAML: .*exceeded max depth/);
  const f = refusal(() =>
    checkValueLimits({ a: { b: 1, c: 2 } }, "protobuf", {
      maxDepth: 10,
      maxFields: 2,
    })
  );
  assert.equal(f.code, 413);
});

Deno.test("YAML flow nesting is scanned before parsing", () => {
  checkYamlFlowDepth("a: [[1]]\nb: {c: [d]}\n", 2);
  const e = refusal(() => checkYamlFlowDepth(`a: ${nested(100_000)}`));
  assert.equal(e.code, 400);
  assert.match(e.message, /exceeded max depth of 1000/);
});

Deno.test("YAML brackets in text, quotes and comments are not nesting", () => {
  const text = [
    "a: b[[[[c",
    "d: don't [[[[",
    "e: '[[[['",
    'f: "[[\\"[["',
    "# [[[[",
    "g: x # [[[[",
  ].join("\n");
  checkYamlFlowDepth(text, 1);
});

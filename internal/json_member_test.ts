/** `memberText` finds one member of a JSON object's text. */

import assert from "node:assert/strict";
import { memberText } from "./json_member.ts";

const member = (text: string, name: string) => {
  const got = memberText(text, name);
  return got === undefined ? undefined : JSON.parse(got);
};

Deno.test("memberText gives each member's value as written, past strings and nesting", () => {
  const obj = {
    apiVersion: "v1",
    kind: "ConfigMap",
    data: { "a}": '"]{[', nested: [{ x: "\\" }, [1, 2], "}"] },
    metadata: { name: "n", labels: { 'k"}': 'v\\"' } },
    n: -1.5e3,
    t: true,
    z: null,
    e: {},
    s: "",
  };
  for (const text of [JSON.stringify(obj), JSON.stringify(obj, null, 2)]) {
    for (const [name, value] of Object.entries(obj)) {
      assert.deepEqual(member(text, name), value, `${name} in ${text}`);
    }
    assert.equal(memberText(text, "missing"), undefined);
  }
});

Deno.test("memberText compares escaped keys by their value, and takes the first of duplicates", () => {
  assert.deepEqual(member('{"a":1,"met\\u0061data":{"x":1}}', "metadata"), {
    x: 1,
  });
  assert.equal(member('{"metadata":1,"metadata":2}', "metadata"), 1);
  assert.equal(member('{"metadata\\\\":1}', "metadata"), undefined);
});

Deno.test("memberText answers undefined for texts that are no object or broken before the member", () => {
  for (
    const text of [
      "",
      "[]",
      '"metadata"',
      "{",
      '{"a":',
      '{"a":"unterminated',
      '{"a":{"b":1}',
      '{"a" 1,"metadata":{}}',
      '{"a":1 "metadata":{}}',
      '{"metadata":}',
    ]
  ) {
    assert.equal(memberText(text, "metadata"), undefined, text);
  }
  // What follows the member is not checked: the slice is the member's.
  assert.equal(
    memberText('{"metadata":{"n":1}, broken', "metadata"),
    '{"n":1}',
  );
});

import assert from "node:assert/strict";
import { goJsonSyntaxError, summarizeData } from "./go_json_errors.ts";

Deno.test("syntax errors are worded as Go's encoding/json words them", () => {
  const cases: Array<[string, string | undefined]> = [
    ['{"a": [1, {"b": null}], "c": "x\\n"}', undefined],
    ["  -1.5e+3  ", undefined],
    [
      "apiVersion: v1\nkind: Namespace\n",
      "invalid character 'a' looking for beginning of value",
    ],
    ["", "unexpected end of JSON input"],
    ["   ", "unexpected end of JSON input"],
    ['{"a":1', "unexpected end of JSON input"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', "invalid character '\"' after object key:value pair"],
    [
      "{a:1}",
      "invalid character 'a' looking for beginning of object key string",
    ],
    [
      '{"a":1,}',
      "invalid character '}' looking for beginning of object key string",
    ],
    ["[1 2]", "invalid character '2' after array element"],
    ["[1,]", "invalid character ']' looking for beginning of value"],
    ["{} x", "invalid character 'x' after top-level value"],
    ["01", "invalid character '1' after top-level value"],
    ["-", "invalid character ' ' in numeric literal"],
    ["1.x", "invalid character 'x' after decimal point in numeric literal"],
    ["1e", "invalid character ' ' in exponent of numeric literal"],
    ["tru", "invalid character ' ' in literal true (expecting 'e')"],
    ["nul!", "invalid character '!' in literal null (expecting 'l')"],
    ['"a\tb"', "invalid character '\\t' in string literal"],
    ['"\\x"', "invalid character 'x' in string escape code"],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    [
      "{'a':1}",
      "invalid character '\\'' looking for beginning of object key string",
    ],
    ["\n{", "unexpected end of JSON input"],
  ];
  for (const [text, want] of cases) {
    assert.equal(goJsonSyntaxError(text), want, JSON.stringify(text));
  }
});

Deno.test("summaries show JSON as text and anything else as hex", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  assert.equal(summarizeData(enc("")), "<empty>");
  assert.equal(summarizeData(enc('{"a":1}')), '{"a":1}');
  assert.equal(
    summarizeData(enc('{"apiVersion":"v1","kind":"Namespace"}')),
    '{"apiVersion":"v1","kind":"Nam ...',
  );
  assert.equal(summarizeData(enc("kind: x")), "6b696e643a2078");
  assert.equal(
    summarizeData(enc("apiVersion: v1\nkind: Namespace\n")),
    "61706956657273696f6e3a2076310a6b696e643a204e616d657370616365 ...",
  );
});

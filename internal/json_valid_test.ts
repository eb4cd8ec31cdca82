// The allocation-free JSON check agrees with JSON.parse: on valid values,
// on classic malformed ones, and on thousands of random mutations.
import assert from "node:assert/strict";
import { isValidJson } from "./json_valid.ts";

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

Deno.test("valid JSON values are valid", () => {
  for (
    const t of [
      "{}",
      "[]",
      " { } ",
      '{"a":1}',
      '{"a":[1,2,{"b":null}],"c":"d"}',
      '"x"',
      "0",
      "-0.5e+10",
      "1E-3",
      "true",
      "false",
      "null",
      '"\\u00e9\\n\\"\\\\\\/\\b\\f\\r\\t"',
      '"\u2028 \ud800"',
      "[".repeat(100) + "]".repeat(100), // deeper than the first stack
      JSON.stringify({ metadata: { name: "a", labels: { x: "y" } } }, null, 2),
    ]
  ) {
    assert.equal(isValidJson(t), true, t);
    assert.equal(parses(t), true, t);
  }
});

Deno.test("malformed values are not", () => {
  for (
    const t of [
      "",
      " ",
      "{",
      '{"a":1',
      '{"a":1,}',
      "[1,]",
      "[1 2]",
      '{"a" 1}',
      '{"a":}',
      "{,}",
      "{1:2}",
      '"x',
      '"\\q"',
      '"\\u12G4"',
      '"\\u\u0010\u0010\u0010\u0010"',
      '"a\nb"',
      "01",
      "1.",
      ".5",
      "-",
      "1e",
      "+1",
      "tru",
      "nul",
      "{}x",
      "{} {}",
      "[}",
      "{]",
      "NaN",
      "'a'",
    ]
  ) {
    assert.equal(isValidJson(t), false, JSON.stringify(t));
    assert.equal(parses(t), false, JSON.stringify(t));
  }
});

Deno.test("random mutations: the verdict is JSON.parse's", () => {
  const base = JSON.stringify({
    metadata: { name: "a", uid: "u-1", labels: { "k/x": "v" } },
    rules: [{ verbs: ["get", "list"], n: -1.5e3, ok: true, no: null }],
    s: 'q"\\\u00e9',
  });
  const alphabet = '{}[]",:0123456789-+.eEtrufalsn \\\n\tx';
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let round = 0; round < 20_000; round++) {
    let t = base;
    for (let m = 1 + rand(3); m > 0; m--) {
      const at = rand(t.length + 1);
      const op = rand(3);
      const ch = alphabet[rand(alphabet.length)];
      t = op === 0
        ? t.slice(0, at) + t.slice(at + 1) // delete
        : op === 1
        ? t.slice(0, at) + ch + t.slice(at) // insert
        : t.slice(0, at) + ch + t.slice(at + 1); // replace
    }
    assert.equal(isValidJson(t), parses(t), JSON.stringify(t));
  }
});

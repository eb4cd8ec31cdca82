import assert from "node:assert/strict";
import { parseLabelSelector, SelectorParseError } from "./label_selector.ts";

Deno.test("label selectors match like upstream", () => {
  const cases: Array<[string, Record<string, string>, boolean]> = [
    ["", {}, true],
    ["a=b", { a: "b" }, true],
    ["a==b", { a: "c" }, false],
    ["a!=b", {}, true],
    ["a!=b", { a: "b" }, false],
    ["a in (x, y)", { a: "y" }, true],
    ["a in (x,y)", {}, false],
    ["a notin (x)", {}, true],
    ["a notin (x)", { a: "x" }, false],
    ["a", { a: "" }, true],
    ["!a", { a: "" }, false],
    ["!a", {}, true],
    ["a,b=c", { a: "1", b: "c" }, true],
    ["n>3", { n: "4" }, true],
    ["n<3", { n: "4" }, false],
    ["a=", { a: "" }, true],
  ];
  // As upstream, `()` is the set of the empty value and stray commas add it.
  cases.push(
    ["a in ()", { a: "" }, true],
    ["a in ()", { a: "x" }, false],
    ["a in (x,)", { a: "" }, true],
    ["a in (,x)", { a: "x" }, true],
  );
  for (const [sel, labels, want] of cases) {
    assert.equal(
      parseLabelSelector(sel).matches(labels),
      want,
      `${sel} on ${JSON.stringify(labels)}`,
    );
  }
});

Deno.test("malformed label selectors fail with upstream-like messages", () => {
  const cases: Array<[string, RegExp]> = [
    ["a in", /^unable to parse requirement: found '' expected: '\('$/],
    [
      "a in (x",
      /^unable to parse requirement: found '', expected: ',' or '\)'$/,
    ],
    [
      "a b",
      /^unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt$/,
    ],
    ["=b", /^found '=', expected: !, identifier, or 'end of string'$/],
    ["a=b,", /^found '', expected: identifier after ','$/],
    ["a=b,=c", /^found '=', expected: identifier after ','$/],
    ["!a=b", /^found '=', expected: ',' or 'end of string'$/],
    ["a=b c", /^found 'c', expected: ',' or 'end of string'$/],
    ["! =b", /^unable to parse requirement: found '=', expected: identifier$/],
    [
      "a=-bad-",
      /^unable to parse requirement: values\[0\]\[a\]: Invalid value: "-bad-"/,
    ],
    [
      "-k=v",
      /^unable to parse requirement: <nil>: Invalid value: "-k": name part must/,
    ],
    // The key is checked before the operator, as upstream.
    [
      "app:web x",
      /^unable to parse requirement: <nil>: Invalid value: "app:web"/,
    ],
    ["n>x", /^unable to parse requirement: values\[0\]: .*must be an integer$/],
  ];
  for (const [sel, re] of cases) {
    assert.throws(() => parseLabelSelector(sel), (e: unknown) => {
      assert.ok(e instanceof SelectorParseError, sel);
      assert.match(e.message, re, sel);
      return true;
    });
  }
});

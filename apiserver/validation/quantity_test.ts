import assert from "node:assert/strict";
import {
  addQuantities,
  canonicalQuantity,
  compareQuantities,
  formatQuantity,
  isWholeQuantity,
  parseQuantity,
  QUANTITY_FORMAT_ERROR,
  QUANTITY_SUFFIX_ERROR,
  quantityOf,
} from "./quantity.ts";

Deno.test("quantities print in upstream's canonical form", () => {
  const cases: [string, string][] = [
    ["0", "0"],
    ["2", "2"],
    ["+2", "2"],
    ["-2", "-2"],
    ["1000m", "1"],
    ["1500m", "1500m"],
    ["0.5", "500m"],
    [".5", "500m"],
    ["5.", "5"],
    ["2000", "2k"],
    ["1500", "1500"],
    ["1k", "1k"],
    ["1M", "1M"],
    ["1E", "1E"],
    ["1024", "1024"],
    ["1Ki", "1Ki"],
    ["1024Ki", "1Mi"],
    ["1536Mi", "1536Mi"],
    ["1.5Gi", "1536Mi"],
    ["0.5Ki", "512"],
    ["100Mi", "100Mi"],
    ["1e3", "1e3"],
    ["1E3", "1e3"],
    ["1e0", "1"],
    ["12e2", "1200"],
    ["1e-3", "1e-3"],
    ["1n", "1n"],
    ["0.1n", "1n"],
    ["1.0000000001", "1000000001n"],
    ["1000E", "1000E"],
  ];
  for (const [input, want] of cases) {
    assert.equal(formatQuantity(parseQuantity(input)), want, input);
  }
});

Deno.test("bad quantities are refused with upstream's messages", () => {
  for (const bad of ["", "abc", "1 Gi", "Gi", "1.2.3x"]) {
    assert.throws(() => parseQuantity(bad), { message: QUANTITY_FORMAT_ERROR });
  }
  for (const bad of ["1kk", "1Ki2", "1iK"]) {
    assert.throws(() => parseQuantity(bad), { message: QUANTITY_SUFFIX_ERROR });
  }
  assert.throws(() => parseQuantity("1.2.3"));
  assert.throws(() => parseQuantity("."));
});

Deno.test("quantities compare and add exactly", () => {
  assert.equal(
    compareQuantities(parseQuantity("1k"), parseQuantity("1000")),
    0,
  );
  assert.equal(compareQuantities(parseQuantity("1Ki"), parseQuantity("1k")), 1);
  assert.equal(
    compareQuantities(parseQuantity("999m"), parseQuantity("1")),
    -1,
  );
  assert.equal(
    formatQuantity(addQuantities(parseQuantity("2"), quantityOf(1))),
    "3",
  );
  const big = parseQuantity("9223372036854775807");
  assert.equal(
    formatQuantity(addQuantities(big, quantityOf(1))),
    "9223372036854775808",
  );
});

Deno.test("whole quantities are integers in milli units", () => {
  assert.equal(isWholeQuantity(parseQuantity("2")), true);
  assert.equal(isWholeQuantity(parseQuantity("2k")), true);
  assert.equal(isWholeQuantity(parseQuantity("1500m")), false);
  assert.equal(isWholeQuantity(parseQuantity("1.0001")), false);
  assert.equal(canonicalQuantity("nope"), "nope");
});

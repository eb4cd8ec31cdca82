import assert from "node:assert/strict";
import { ControllerSelectionError, selectControllers } from "./selection.ts";

const KNOWN = ["garbagecollector", "namespace", "serviceaccount"];

Deno.test("--controllers follows upstream's *, name and -name rules", () => {
  assert.deepEqual(selectControllers("*", KNOWN), KNOWN);
  assert.deepEqual(selectControllers("*,-namespace", KNOWN), [
    "garbagecollector",
    "serviceaccount",
  ]);
  assert.deepEqual(selectControllers("namespace", KNOWN), ["namespace"]);
  assert.deepEqual(selectControllers("-*", KNOWN), []);
  assert.deepEqual(selectControllers("-*,namespace", KNOWN), ["namespace"]);
});

Deno.test("an unknown or empty --controllers list is a typed error", () => {
  assert.throws(
    () => selectControllers("bogus", KNOWN),
    ControllerSelectionError,
  );
  assert.throws(
    () => selectControllers(" , ", KNOWN),
    ControllerSelectionError,
  );
});

import assert from "node:assert/strict";
import { compareVersionPriority } from "./version_priority.ts";

Deno.test("versions sort GA first, then beta, then alpha, then others", () => {
  const vs = ["v1alpha1", "foo", "v1beta1", "v2", "v1", "v1beta2", "bar"];
  assert.deepEqual(vs.sort(compareVersionPriority), [
    "v2",
    "v1",
    "v1beta2",
    "v1beta1",
    "v1alpha1",
    "bar",
    "foo",
  ]);
});

import assert from "node:assert/strict";
import { isStorageError } from "./errors.ts";
import type { KubeObject } from "./object.ts";
import { checkPreconditions } from "./preconditions.ts";

const key = "/registry/configmaps/clusters/root/default/a";
const obj = {
  metadata: { name: "a", uid: "u1", resourceVersion: "7" },
} as KubeObject;

Deno.test("preconditions pass when they match or are absent", () => {
  checkPreconditions(key, obj, undefined);
  checkPreconditions(key, obj, {});
  checkPreconditions(key, obj, { uid: "u1", resourceVersion: "7" });
  // A missing object has an empty UID and resourceVersion, as upstream.
  checkPreconditions(key, null, { uid: "", resourceVersion: "" });
});

Deno.test("a mismatch is InvalidObject with upstream's message", () => {
  assert.throws(
    () => checkPreconditions(key, obj, { uid: "u2" }),
    (err) =>
      isStorageError(err, "InvalidObject") &&
      /Precondition failed: UID in precondition: u2, UID in object meta: u1/
        .test(err.message),
  );
  assert.throws(
    () => checkPreconditions(key, obj, { resourceVersion: "6" }),
    /Precondition failed: ResourceVersion in precondition: 6, ResourceVersion in object meta: 7/,
  );
  assert.throws(
    () => checkPreconditions(key, null, { uid: "u1" }),
    /UID in precondition: u1, UID in object meta: {2}\(key /,
  );
});

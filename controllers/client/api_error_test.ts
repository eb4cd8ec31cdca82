import assert from "node:assert/strict";
import { fromStatus, hasStatusCause } from "./api_error.ts";

Deno.test("hasStatusCause finds a cause by its reason, as upstream's HasStatusCause", () => {
  const terminating = fromStatus(403, {
    kind: "Status",
    status: "Failure",
    reason: "Forbidden",
    message: "unable to create new content in namespace x",
    details: {
      causes: [{ reason: "NamespaceTerminating", field: "metadata.namespace" }],
    },
    code: 403,
  });
  assert.equal(hasStatusCause(terminating, "NamespaceTerminating"), true);
  assert.equal(hasStatusCause(terminating, "FieldValueInvalid"), false);
  const rbac = fromStatus(403, {
    kind: "Status",
    reason: "Forbidden",
    message: "forbidden",
    details: { kind: "serviceaccounts" },
    code: 403,
  });
  assert.equal(hasStatusCause(rbac, "NamespaceTerminating"), false);
  assert.equal(hasStatusCause(new Error("x"), "NamespaceTerminating"), false);
  assert.equal(
    hasStatusCause(fromStatus(500, undefined, "text"), "NamespaceTerminating"),
    false,
  );
});

import assert from "node:assert/strict";
import {
  InvalidResponseError,
  reviewVersionFor,
  verifyAdmissionResponse,
} from "./review.ts";

Deno.test("the review speaks the first known version the webhook accepts", () => {
  assert.equal(reviewVersionFor(["v2", "v1beta1", "v1"]), "v1beta1");
  assert.equal(reviewVersionFor(["v1", "v1beta1"]), "v1");
  assert.equal(reviewVersionFor(["v2"]), undefined);
});

Deno.test("a v1 answer must be an AdmissionReview answering the uid", () => {
  const ok = verifyAdmissionResponse("v1", "u", true, {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    response: { uid: "u", allowed: true, warnings: ["w", 3] },
  });
  assert.deepEqual(ok, {
    allowed: true,
    status: undefined,
    patch: undefined,
    patchType: undefined,
    warnings: ["w"],
  });
  assert.throws(
    () =>
      verifyAdmissionResponse("v1", "u", true, {
        apiVersion: "admission.k8s.io/v1",
        kind: "AdmissionReview",
      }),
    new InvalidResponseError("webhook response was absent"),
  );
  assert.throws(
    () =>
      verifyAdmissionResponse("v1", "u", true, {
        apiVersion: "admission.k8s.io/v1beta1",
        kind: "AdmissionReview",
        response: { uid: "u", allowed: true },
      }),
    /expected webhook response of admission\.k8s\.io\/v1, Kind=AdmissionReview, got admission\.k8s\.io\/v1beta1, Kind=AdmissionReview/,
  );
  assert.throws(
    () => verifyAdmissionResponse("v1", "u", true, []),
    /got \/, Kind=$/,
  );
});

Deno.test("a v1beta1 answer is checked as upstream: no uid or kind check, patchType defaults to JSONPatch", () => {
  const r = verifyAdmissionResponse("v1beta1", "u", true, {
    response: { allowed: true, patch: "W10=" },
  });
  assert.equal(r.patchType, "JSONPatch");
  assert.equal(r.patch, "W10=");
  assert.throws(
    () =>
      verifyAdmissionResponse("v1beta1", "u", false, {
        response: { allowed: true, patch: "W10=" },
      }),
    /validating webhook may not return response\.patch/,
  );
});

import assert from "node:assert/strict";
import type { KubeObject } from "../../storage/mod.ts";
import {
  conditionSummary,
  humanDuration,
  mergeApproval,
  mergeStatus,
  signerNameErrors,
  validateCsr,
  validateCsrUpdate,
} from "./csr.ts";

function csr(spec: Record<string, unknown>, status?: unknown): KubeObject {
  return {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { name: "x" },
    spec: {
      request: btoa("-----BEGIN CERTIFICATE REQUEST-----"),
      signerName: "kubernetes.io/kube-apiserver-client",
      usages: ["client auth"],
      ...spec,
    },
    ...(status ? { status } : {}),
  } as KubeObject;
}

const fields = (errs: { field: string }[]) => errs.map((e) => e.field);

Deno.test("a well-formed request validates", () => {
  assert.deepEqual(validateCsr(csr({ expirationSeconds: 600 })), []);
});

Deno.test("request, signerName and usages are required; usages known and unique", () => {
  const errs = validateCsr(
    csr({ request: undefined, signerName: "", usages: [] }),
  );
  assert.deepEqual(fields(errs), [
    "spec.request",
    "spec.signerName",
    "spec.usages",
  ]);
  assert.deepEqual(
    validateCsr(csr({ usages: ["client auth", "flying", "client auth"] }))
      .map((e) => [e.field, e.type]),
    [
      ["spec.usages[1]", "FieldValueNotSupported"],
      ["spec.usages[2]", "FieldValueDuplicate"],
    ],
  );
  assert.deepEqual(fields(validateCsr(csr({ request: "%%%" }))), [
    "spec.request",
  ]);
});

Deno.test("signer names are <domain>/<path>", () => {
  assert.deepEqual(signerNameErrors("example.com/my-signer", "f"), []);
  for (
    const bad of [
      "kube-apiserver-client",
      "Example.com/x",
      "example.com/",
      "/x",
    ]
  ) {
    assert.ok(signerNameErrors(bad, "f").length > 0, bad);
  }
  assert.match(
    signerNameErrors("example.com/" + "a".repeat(64), "f")[0].detail!,
    /no more than 63/,
  );
});

Deno.test("expirationSeconds must be at least 600", () => {
  const [err] = validateCsr(csr({ expirationSeconds: 599 }));
  assert.equal(err.field, "spec.expirationSeconds");
  assert.match(err.detail!, /less than 600 seconds/);
});

Deno.test("conditions: Approved and Denied exclusive, only True, once each", () => {
  const both = csr({}, {
    conditions: [
      { type: "Approved", status: "True" },
      { type: "Denied", status: "True" },
    ],
  });
  assert.ok(
    validateCsr(both).some((e) => /mutually exclusive/.test(e.detail ?? "")),
  );
  const falsy = csr({}, {
    conditions: [{ type: "Approved", status: "False" }],
  });
  assert.deepEqual(fields(validateCsr(falsy)), ["status.conditions[0].status"]);
});

Deno.test("approval changes only Approved/Denied; status keeps them", () => {
  const old = csr({}, {
    conditions: [{ type: "Failed", status: "True", reason: "x" }],
  });
  const approved = mergeApproval(
    csr({ signerName: "evil.example/x" }, {
      certificate: "Zm9v",
      conditions: [{
        type: "Approved",
        status: "True",
        reason: "KubectlApprove",
      }],
    }),
    old,
  ) as KubeObject & {
    spec: { signerName: string };
    status: Record<string, unknown>;
  };
  assert.equal(approved.spec.signerName, "kubernetes.io/kube-apiserver-client");
  assert.equal(approved.status.certificate, undefined);
  const conds = approved.status.conditions as {
    type: string;
    lastUpdateTime?: string;
  }[];
  assert.deepEqual(conds.map((c) => c.type), ["Approved", "Failed"]);
  assert.ok(conds[0].lastUpdateTime);
  const signed = mergeStatus(
    csr({}, { certificate: "Zm9v", conditions: [] }),
    approved,
  ) as KubeObject & { status: Record<string, unknown> };
  assert.equal(signed.status.certificate, "Zm9v");
  assert.deepEqual(
    (signed.status.conditions as { type: string }[]).map((c) => c.type),
    ["Approved"],
  );
});

Deno.test("an approval cannot be withdrawn, nor a certificate replaced", () => {
  const old = csr({}, {
    certificate: "Zm9v",
    conditions: [{ type: "Approved", status: "True" }],
  });
  const errs = validateCsrUpdate(
    csr({}, { certificate: "YmFy", conditions: [] }),
    old,
  );
  assert.deepEqual(fields(errs), ["status.conditions", "status.certificate"]);
});

Deno.test("kubectl's CONDITION and REQUESTEDDURATION cells", () => {
  assert.equal(conditionSummary(csr({})), "Pending");
  assert.equal(
    conditionSummary(csr({}, {
      certificate: "Zm9v",
      conditions: [{ type: "Approved", status: "True" }],
    })),
    "Approved,Issued",
  );
  assert.equal(
    conditionSummary(csr({}, {
      conditions: [
        { type: "Approved", status: "True" },
        { type: "Failed", status: "True" },
      ],
    })),
    "Approved,Failed",
  );
  assert.equal(
    conditionSummary(
      csr({}, { conditions: [{ type: "Denied", status: "True" }] }),
    ),
    "Denied",
  );
  assert.equal(humanDuration(600), "10m");
  assert.equal(humanDuration(3600), "60m");
  assert.equal(humanDuration(86400), "24h");
  assert.equal(humanDuration(365 * 86400), "365d");
});

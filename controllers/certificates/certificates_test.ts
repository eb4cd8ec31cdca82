import assert from "node:assert/strict";
import type { KubeObject } from "../../storage/mod.ts";
import { cleanupReason, clientUsagesProblem, wantsSigning } from "./mod.ts";

const HOUR = 3600_000;

function csr(
  status: Record<string, unknown> = {},
  spec: Record<string, unknown> = {},
  created = new Date(),
): KubeObject {
  return {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { name: "x", creationTimestamp: created.toISOString() },
    spec: {
      signerName: "kubernetes.io/kube-apiserver-client",
      usages: ["client auth"],
      ...spec,
    },
    status,
  } as KubeObject;
}

const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
const approved = (msAgo = 0) => ({
  type: "Approved",
  status: "True",
  lastUpdateTime: at(msAgo),
});

Deno.test("the client signer accepts client auth with digital signature and key encipherment only", () => {
  assert.equal(clientUsagesProblem(["client auth"]), undefined);
  assert.equal(
    clientUsagesProblem([
      "digital signature",
      "key encipherment",
      "client auth",
    ]),
    undefined,
  );
  assert.equal(
    clientUsagesProblem(["client auth", "server auth"]),
    "invalid usage for client certificate: server auth",
  );
  assert.equal(
    clientUsagesProblem(["digital signature"]),
    "missing required usage for client certificate: client auth",
  );
});

Deno.test("only approved, pending kube-apiserver-client requests are signed", () => {
  assert.ok(wantsSigning(csr({ conditions: [approved()] })));
  assert.ok(!wantsSigning(csr({})));
  assert.ok(
    !wantsSigning(csr({ conditions: [approved()], certificate: "Zm9v" })),
  );
  assert.ok(
    !wantsSigning(csr({
      conditions: [approved(), { type: "Failed", status: "True" }],
    })),
  );
  assert.ok(
    !wantsSigning(
      csr({ conditions: [approved()] }, { signerName: "example.com/other" }),
    ),
  );
});

Deno.test("the cleaner's deadlines are upstream's", () => {
  const now = new Date();
  const never = () => undefined;
  const future = () => new Date(Date.now() + HOUR);
  const issued = { certificate: btoa("pem") };
  assert.equal(
    cleanupReason(csr({ conditions: [approved(10)], ...issued }), now, future),
    undefined,
  );
  assert.match(
    cleanupReason(
      csr({ conditions: [approved(2 * HOUR)], ...issued }),
      now,
      future,
    )!,
    /issued/,
  );
  assert.match(
    cleanupReason(
      csr({ conditions: [approved()], ...issued }),
      now,
      () => new Date(now.getTime() - 1000),
    )!,
    /expired/,
  );
  assert.match(
    cleanupReason(
      csr({
        conditions: [{
          type: "Denied",
          status: "True",
          lastUpdateTime: at(2 * HOUR),
        }],
      }),
      now,
      never,
    )!,
    /denied/,
  );
  assert.equal(
    cleanupReason(csr({}, {}, new Date(Date.now() - 23 * HOUR)), now, never),
    undefined,
  );
  assert.match(
    cleanupReason(csr({}, {}, new Date(Date.now() - 25 * HOUR)), now, never)!,
    /pending/,
  );
  // Approved but not issued yet: kept (the signer's to finish).
  assert.equal(
    cleanupReason(csr({ conditions: [approved(2 * HOUR)] }), now, never),
    undefined,
  );
});

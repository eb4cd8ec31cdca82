import assert from "node:assert/strict";
import { testCertificates } from "../../tests/support/webhook_server.ts";
import { checkApiService } from "./availability.ts";
import { ProxyClients } from "./clients.ts";
import { createServiceResolver } from "./resolver.ts";
import type { ApiServiceSpec } from "../resources/apiservices.ts";

function spec(service: string, caBundle: string): ApiServiceSpec {
  return {
    group: "wardle.example.com",
    version: "v1alpha1",
    service: { namespace: "wardle", name: service, port: 443 },
    caBundle,
    insecureSkipTLSVerify: false,
    groupPriorityMinimum: 1000,
    versionPriority: 15,
  };
}

Deno.test("availability: Passed with the discovery document, or upstream's failure reasons", async () => {
  const certs = await testCertificates();
  const other = await testCertificates();
  const seen: string[] = [];
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: certs.certPem,
    key: certs.keyPem,
    onListen: () => {},
  }, (req) => {
    seen.push(
      `${req.headers.get("x-remote-user")} ${
        req.headers.get("x-remote-group")
      }`,
    );
    const path = new URL(req.url).pathname;
    if (path === "/apis/wardle.example.com/v1alpha1") {
      return Response.json({
        kind: "APIResourceList",
        resources: [{ name: "flunders" }],
      });
    }
    return new Response("nope", { status: 500 });
  });
  const refused = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const refusedPort = (refused.addr as Deno.NetAddr).port;
  refused.close();
  const clients = new ProxyClients(await testCertificates());
  const resolver = createServiceResolver({
    sources: ["static"],
    staticMap: new Map([
      ["wardle/api:443", `https://127.0.0.1:${server.addr.port}`],
      ["wardle/refused:443", `https://127.0.0.1:${refusedPort}`],
    ]),
  });
  try {
    const ok = await checkApiService(spec("api", certs.caPem), {
      resolver,
      clients,
    });
    assert.equal(ok.condition.status, "True");
    assert.equal(ok.condition.reason, "Passed");
    assert.deepEqual(ok.resources?.resources, [{ name: "flunders" }]);
    assert.deepEqual(seen, ["system:kube-aggregator system:masters"]);

    const insecure = await checkApiService(
      { ...spec("api", ""), insecureSkipTLSVerify: true },
      { resolver, clients },
    );
    assert.equal(insecure.condition.reason, "Passed");
    const insecureDown = await checkApiService(
      { ...spec("refused", ""), insecureSkipTLSVerify: true },
      { resolver, clients },
    );
    assert.match(insecureDown.condition.message!, /connection refused$/);

    const wrongCa = await checkApiService(spec("api", other.caPem), {
      resolver,
      clients,
    });
    assert.equal(wrongCa.condition.reason, "FailedDiscoveryCheck");
    assert.match(wrongCa.condition.message!, /unknown authority/);

    const down = await checkApiService(spec("refused", certs.caPem), {
      resolver,
      clients,
    });
    assert.equal(down.condition.reason, "FailedDiscoveryCheck");
    assert.match(
      down.condition.message!,
      /^failing or missing response from https:\/\/127\.0\.0\.1:\d+\/apis\/wardle\.example\.com\/v1alpha1: Get ".*": connect: connection refused$/,
    );

    const badStatus = await checkApiService(
      { ...spec("api", certs.caPem), version: "v2" },
      { resolver, clients },
    );
    assert.match(badStatus.condition.message!, /bad status from .*: 500$/);

    const missing = await checkApiService(spec("missing", certs.caPem), {
      resolver,
      clients,
    });
    assert.equal(missing.condition.reason, "ServiceNotFound");
    assert.match(
      missing.condition.message!,
      /^service\/missing in "wardle" is not present/,
    );
  } finally {
    clients.close();
    await server.shutdown();
  }
});

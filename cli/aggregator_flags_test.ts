import assert from "node:assert/strict";
import { AGGREGATOR_FLAGS, aggregatorConfig } from "./aggregator_flags.ts";
import { parseFlags } from "./flags.ts";
import { UsageError } from "./usage_error.ts";

function config(args: string[]) {
  return aggregatorConfig(parseFlags(args, AGGREGATOR_FLAGS));
}

Deno.test("aggregation defaults: generated front proxy, static map then DNS", async () => {
  const c = await config([]);
  assert.equal(c.proxyClientCertFile, undefined);
  assert.deepEqual(c.allowedNames, ["front-proxy-client"]);
  assert.deepEqual(c.sources, ["static", "dns"]);
  assert.equal(c.staticMap.size, 0);
});

Deno.test("service map entries from flags and a file; the flag wins", async () => {
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(
      file,
      "# map\nwardle/api=https://10.0.0.1:443\nmetrics/server:8443=https://10.0.0.2\n",
    );
    const c = await config([
      "--aggregator-service-map-file",
      file,
      "--aggregator-service-map",
      "wardle/api=https://127.0.0.1:9443",
      "--aggregator-service-resolution",
      "static",
      "--requestheader-allowed-names",
      "a, b",
    ]);
    assert.equal(c.staticMap.get("wardle/api:443"), "https://127.0.0.1:9443");
    assert.equal(c.staticMap.get("metrics/server:8443"), "https://10.0.0.2");
    assert.deepEqual(c.sources, ["static"]);
    assert.deepEqual(c.allowedNames, ["a", "b"]);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("bad aggregation flags are one usage error naming each problem", async () => {
  await assert.rejects(
    () =>
      config([
        "--aggregator-service-map",
        "bogus",
        "--aggregator-service-resolution",
        "static,etcd",
        "--proxy-client-cert-file",
        "/x.crt",
      ]),
    (e: unknown) =>
      e instanceof UsageError &&
      /--proxy-client-cert-file and --proxy-client-key-file must be given together/
        .test(e.message) &&
      /--aggregator-service-map: service map entry "bogus": no '='/.test(
        e.message,
      ) &&
      /unknown source "etcd"/.test(e.message) && !e.message.includes("\n"),
  );
});

import assert from "node:assert/strict";
import { parseEtcdConfig } from "./config.ts";
import { etcdBackend } from "./mod.ts";
import { silentLogger } from "../../log/mod.ts";

Deno.test("defaults give the /registry prefix and a 5 minute compaction", () => {
  const { config, problems } = parseEtcdConfig({
    "etcd-servers": "http://127.0.0.1:2379, http://127.0.0.1:22379",
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(config?.servers, [
    "http://127.0.0.1:2379",
    "http://127.0.0.1:22379",
  ]);
  assert.equal(config?.prefix, "/registry");
  assert.equal(config?.compactionIntervalMs, 300_000);
  assert.equal(config?.tls, false);
});

Deno.test("validation lists every missing or malformed flag at once", () => {
  const problems = etcdBackend().validate({
    "etcd-prefix": "registry/",
    "etcd-certfile": "/nonexistent/cert.pem",
    "etcd-compaction-interval": "often",
  }, { dataDir: "/tmp", logger: silentLogger });
  assert.equal(problems.length, 5, problems.join("\n"));
  assert.match(problems.join("\n"), /--etcd-servers is required/);
  assert.match(problems.join("\n"), /--etcd-prefix/);
  assert.match(
    problems.join("\n"),
    /--etcd-certfile: \/nonexistent\/cert.pem cannot be read: /,
  );
  assert.match(problems.join("\n"), /--etcd-keyfile must be given together/);
  assert.match(problems.join("\n"), /--etcd-compaction-interval/);
});

Deno.test("malformed server URLs are each named", () => {
  const { problems } = parseEtcdConfig({
    "etcd-servers": "127.0.0.1:2379,ftp://x:1,http://ok:2379,http://noport",
  });
  assert.equal(problems.length, 3, problems.join("\n"));
});

Deno.test("open refuses invalid flags with every problem in the error", async () => {
  await assert.rejects(
    etcdBackend().open({ "etcd-compaction-interval": "x" }, {
      dataDir: "/tmp",
      logger: silentLogger,
    }),
    (e: Error) =>
      /etcd-servers/.test(e.message) &&
      /etcd-compaction-interval/.test(e.message),
  );
});

Deno.test("TLS files that are not PEM certificates or keys are named", async () => {
  const dir = await Deno.makeTempDir();
  try {
    Deno.writeTextFileSync(`${dir}/text`, "hello\n");
    const { problems } = parseEtcdConfig({
      "etcd-servers": "https://127.0.0.1:2379",
      "etcd-cafile": `${dir}/text`,
      "etcd-certfile": `${dir}/text`,
      "etcd-keyfile": `${dir}/text`,
    });
    assert.equal(problems.length, 3, problems.join("\n"));
    assert.equal(
      problems[0],
      `--etcd-cafile: ${dir}/text holds no PEM CERTIFICATE block`,
    );
    assert.equal(
      problems[1],
      `--etcd-certfile: ${dir}/text holds no PEM CERTIFICATE block`,
    );
    assert.match(
      problems[2],
      /^--etcd-keyfile: .*\/text holds no readable PEM private key \(.+\)$/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

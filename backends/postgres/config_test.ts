import assert from "node:assert/strict";
import { postgresConfigFromFlags, validatePostgresFlags } from "./config.ts";
import { tlsOption } from "./_client.ts";
import { postgresBackend } from "./mod.ts";
import { rangeStart } from "./_queries.ts";

Deno.test("the postgres flag block has the issue's flags, all prefixed", () => {
  const names = postgresBackend().flags.map((f) => f.name);
  for (
    const n of [
      "postgres-url",
      "postgres-password-file",
      "postgres-sslmode",
      "postgres-ca-file",
      "postgres-cert-file",
      "postgres-key-file",
      "postgres-pool-size",
      "postgres-schema",
    ]
  ) assert.ok(names.includes(n), n);
  assert.ok(names.every((n) => n.startsWith("postgres-")));
});

Deno.test("validation reports every problem at once", () => {
  const problems = validatePostgresFlags({
    "postgres-url": "mysql://u@h/db",
    "postgres-password-file": "/nonexistent/pw",
    "postgres-sslmode": "sometimes",
    "postgres-cert-file": "/nonexistent/cert.pem",
    "postgres-pool-size": "0",
    "postgres-schema": "Bad-Name",
    "postgres-compaction-interval": "soon",
  });
  const text = problems.join("\n");
  assert.match(text, /must start with postgres:\/\//);
  assert.match(
    text,
    /--postgres-password-file \/nonexistent\/pw cannot be read/,
  );
  assert.match(text, /--postgres-sslmode "sometimes" is not one of/);
  assert.match(
    text,
    /--postgres-cert-file \/nonexistent\/cert.pem cannot be read/,
  );
  assert.match(
    text,
    /--postgres-cert-file and --postgres-key-file must be given together/,
  );
  assert.match(text, /--postgres-pool-size "0" must be an integer/);
  assert.match(text, /--postgres-schema "Bad-Name"/);
  assert.match(text, /--postgres-compaction-interval "soon"/);
  assert.equal(problems.length, 8);
});

Deno.test("a missing URL and bad URL parts are named", () => {
  assert.deepEqual(validatePostgresFlags({}), [
    'storage backend "postgres" requires --postgres-url',
  ]);
  const p = validatePostgresFlags({
    "postgres-url": "postgres:///?sslmode=bogus&connect_timeout=3",
  });
  assert.ok(p.some((x) => /has no host/.test(x)), p.join("\n"));
  assert.ok(p.some((x) => /has no user/.test(x)));
  assert.ok(p.some((x) => /must name one database/.test(x)));
  assert.ok(p.some((x) => /sslmode=bogus/.test(x)));
  assert.ok(
    p.some((x) => /parameter connect_timeout is not supported/.test(x)),
  );
  assert.deepEqual(
    validatePostgresFlags({
      "postgres-url": "postgres://u:pw@h/db",
      "postgres-password-file": "/etc/hostname",
    }),
    [
      "give the password either in --postgres-url or in --postgres-password-file, not both",
    ],
  );
});

Deno.test("the config is built from the URL and the files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/pw`, "s3cret\nignored\n");
    const c = postgresConfigFromFlags({
      "postgres-url":
        "postgresql://app%40x@db.example:6432/hp%20db?sslmode=require",
      "postgres-password-file": `${dir}/pw`,
      "postgres-pool-size": "7",
      "postgres-schema": "tenant_a",
      "postgres-compaction-interval": "1m30s",
    });
    assert.equal(c.host, "db.example");
    assert.equal(c.port, 6432);
    assert.equal(c.user, "app@x");
    assert.equal(c.database, "hp db");
    assert.equal(c.password, "s3cret");
    assert.equal(c.sslMode, "require");
    assert.equal(c.poolSize, 7);
    assert.equal(c.schema, "tenant_a");
    assert.equal(c.compactionIntervalMs, 90_000);
    assert.equal(c.endpoint, "db.example:6432/hp db");
    // The flag overrides the URL's sslmode; the default is prefer.
    assert.equal(
      postgresConfigFromFlags({
        "postgres-url": "postgres://u@h/d?sslmode=require",
        "postgres-sslmode": "disable",
      }).sslMode,
      "disable",
    );
    assert.equal(
      postgresConfigFromFlags({ "postgres-url": "postgres://u@h/d" }).sslMode,
      "prefer",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sslmode maps to the driver's TLS options as libpq does", () => {
  const base = postgresConfigFromFlags({ "postgres-url": "postgres://u@h/d" });
  assert.equal(tlsOption({ ...base, sslMode: "disable" }), false);
  assert.equal(tlsOption({ ...base, sslMode: "prefer" }), "prefer");
  assert.deepEqual(tlsOption({ ...base, sslMode: "require" }), {
    rejectUnauthorized: false,
  });
  const verifyCa = tlsOption({
    ...base,
    sslMode: "verify-ca",
    ca: "CA",
  }) as Record<string, unknown>;
  assert.equal(verifyCa.rejectUnauthorized, true);
  assert.equal(verifyCa.ca, "CA");
  assert.equal(typeof verifyCa.checkServerIdentity, "function");
  const full = tlsOption({
    ...base,
    sslMode: "verify-full",
    ca: "CA",
    cert: "C",
    key: "K",
  }) as Record<string, unknown>;
  assert.equal(full.rejectUnauthorized, true);
  assert.deepEqual([full.ca, full.cert, full.key], ["CA", "C", "K"]);
  assert.equal(typeof full.checkServerIdentity, "function");
});

Deno.test("range starts", () => {
  // Continue tokens start at lastKey + NUL, which PostgreSQL text cannot hold.
  assert.equal(rangeStart("/a/b\u0000"), "/a/b\u0001");
  assert.equal(rangeStart("/a/b"), "/a/b");
});

Deno.test("opening with bad flags fails with every problem, before connecting", async () => {
  const err = await postgresBackend().open({
    "postgres-url": "http://x",
    "postgres-pool-size": "x",
  }, {
    dataDir: "/nonexistent",
    logger: (await import("../../log/mod.ts")).silentLogger,
  }).then(() => undefined, (e) => e);
  assert.match(
    String(err),
    /postgres: .*postgres:\/\/.*; --postgres-pool-size/,
  );
});

Deno.test("TLS files that are not PEM certificates or keys are named at validation", async () => {
  const dir = await Deno.makeTempDir();
  try {
    Deno.writeTextFileSync(`${dir}/text`, "hello\n");
    const problems = validatePostgresFlags({
      "postgres-url": "postgres://u@127.0.0.1:5432/db",
      "postgres-sslmode": "verify-full",
      "postgres-ca-file": `${dir}/text`,
      "postgres-cert-file": `${dir}/text`,
      "postgres-key-file": dir,
    });
    assert.deepEqual(problems, [
      `--postgres-ca-file ${dir}/text holds no PEM CERTIFICATE block`,
      `--postgres-cert-file ${dir}/text holds no PEM CERTIFICATE block`,
      `--postgres-key-file ${dir} is not a file`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

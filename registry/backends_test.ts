import assert from "node:assert/strict";
import { Backends, RegistryError } from "./backends.ts";
import type { Backend } from "./backend.ts";

function fakeBackend(name: string, flags: Backend["flags"] = []): Backend {
  return {
    name,
    description: `${name} backend`,
    flags,
    validate: () => [],
    open: () => Promise.reject(new Error("not used")),
  };
}

Deno.test("register then get returns the same backend", () => {
  const backends = new Backends();
  const b = fakeBackend("alpha");
  backends.register(b);
  assert.equal(backends.get("alpha"), b);
  assert.equal(backends.has("alpha"), true);
  assert.equal(backends.has("beta"), false);
});

Deno.test("registering a duplicate name throws the upstream message", () => {
  const backends = new Backends().register(fakeBackend("x"));
  assert.throws(
    () => backends.register(fakeBackend("x")),
    (err) =>
      err instanceof RegistryError &&
      err.message === 'storage backend "x" already registered',
  );
});

Deno.test("names are sorted", () => {
  const backends = new Backends()
    .register(fakeBackend("sqlite"))
    .register(fakeBackend("etcd"))
    .register(fakeBackend("memory"));
  assert.deepEqual(backends.names(), ["etcd", "memory", "sqlite"]);
});

Deno.test("an unknown name is one line naming the registered backends", () => {
  const backends = new Backends().register(fakeBackend("b")).register(
    fakeBackend("a"),
  );
  assert.throws(() => backends.get("zzz"), (err) => {
    assert.ok(err instanceof RegistryError);
    assert.equal(
      err.message,
      'unknown storage backend "zzz" (registered: a, b)',
    );
    assert.ok(!err.message.includes("\n"));
    return true;
  });
});

Deno.test("flags of every backend fan out in name order, tagged with their backend", () => {
  const backends = new Backends()
    .register(fakeBackend("zeta", [{ name: "zeta-path", description: "p" }]))
    .register(fakeBackend("alpha", [
      { name: "alpha-servers", description: "s" },
      { name: "alpha-prefix", description: "x", default: "/registry" },
    ]));
  assert.deepEqual(
    backends.flags().map((f) => `${f.backend}:${f.name}:${f.default ?? ""}`),
    ["alpha:alpha-servers:", "alpha:alpha-prefix:/registry", "zeta:zeta-path:"],
  );
});

Deno.test("a flag outside the backend's block is refused", () => {
  assert.throws(
    () =>
      new Backends().register(
        fakeBackend("etcd", [{ name: "servers", description: "" }]),
      ),
    /flag --servers must start with --etcd-/,
  );
});

Deno.test("registries are independent instances", () => {
  const a = new Backends().register(fakeBackend("one"));
  const b = new Backends();
  assert.deepEqual(a.names(), ["one"]);
  assert.deepEqual(b.names(), []);
  b.register(fakeBackend("one"));
});

Deno.test("a malformed backend name is refused", () => {
  assert.throws(
    () => new Backends().register(fakeBackend("Bad Name")),
    RegistryError,
  );
});

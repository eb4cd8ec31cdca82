import assert from "node:assert/strict";
import {
  conflict,
  expired,
  expiredContinue,
  internal,
  invalidArgument,
  invalidKey,
  invalidObject,
  keyExists,
  notFound,
  StorageError,
  type StorageErrorCode,
  tooLargeResourceVersion,
  unavailable,
} from "../../storage/mod.ts";
import { ApiError, badRequestError } from "./api_error.ts";
import { toApiError, withoutStorageKeys } from "./from_error.ts";

const CM = { gr: { group: "", resource: "configmaps" }, name: "x" };

const KEYS = [
  "/registry/configmaps/clusters/root/default/x",
  "/registry/rbac.authorization.k8s.io/roles/clusters/team-a/ns/r",
  "/registry/example.com/widgets/clusters/root/a/w",
  "/registry/namespaces/clusters/root/kube-system",
  "/registry/configmaps/clusters/root/default/",
  "/registry/configmaps/clusters/root/default/a b",
  "/registry/configmaps/clusters/root/default/(x)",
  '/registry/configmaps/clusters/root/default/"q"',
  "/registry/configmaps/clusters/root/default/..",
  "/registry/configmaps/clusters/root//x",
  "/registry/configmaps/clusters/root/default/a:b",
  "/registry/configmaps/clusters/root/default/line\nbreak",
  "/registry/",
];

/** Everything a client sees of an error. */
function wire(err: ApiError): string {
  return JSON.stringify(err.toStatus());
}

function assertNoKey(err: ApiError, what: string): void {
  assert.ok(err instanceof ApiError, what);
  assert.doesNotMatch(wire(err), /\/registry\//, `${what}: ${wire(err)}`);
}

Deno.test("no storage error carries its key into the Status", () => {
  for (const key of KEYS) {
    const errors: StorageError[] = [
      notFound(key, 7),
      keyExists(key, 7),
      conflict(key),
      conflict(key, "the object has been modified; please apply your changes"),
      invalidObject(key, "Precondition failed: UID in precondition: 1"),
      invalidKey(key, "empty segment"),
      internal(`write of ${key} failed`),
      internal(`boom (key ${key})`),
      internal(`cannot decode ${JSON.stringify(key)}`),
      invalidArgument(`bad continue for ${key}`),
      unavailable(`backend down while reading ${key}`),
      new StorageError("Internal", `${key}: disk full`, { key }),
      new StorageError("Internal", `failed: ${key}`, { key }),
      new StorageError("Unavailable", `${key}`, { key }),
    ];
    for (const e of errors) {
      assertNoKey(toApiError(e, CM), `${e.code} ${JSON.stringify(e.message)}`);
      assertNoKey(toApiError(e), `${e.code} (no subject)`);
    }
  }
});

Deno.test("storage error codes map to upstream's reasons and codes", () => {
  const key = KEYS[0];
  const cases: [StorageError, number, string][] = [
    [notFound(key), 404, "NotFound"],
    [keyExists(key), 409, "AlreadyExists"],
    [conflict(key), 409, "Conflict"],
    [invalidObject(key, "Precondition failed"), 409, "Conflict"],
    [expired(3, 9), 410, "Expired"],
    [expiredContinue(3), 410, "Expired"],
    [tooLargeResourceVersion(99, 9), 504, "Timeout"],
    [invalidKey(key, "dot segment"), 400, "BadRequest"],
    [invalidArgument("bad"), 400, "BadRequest"],
    [unavailable("down"), 503, "ServiceUnavailable"],
    [internal("boom"), 500, "InternalError"],
  ];
  for (const [e, code, reason] of cases) {
    const api = toApiError(e, CM);
    assert.equal(api.code, code, e.code);
    assert.equal(api.reason, reason, e.code);
  }
});

Deno.test("not found, exists and conflict name the object, not the key", () => {
  const key = KEYS[0];
  assert.equal(
    toApiError(notFound(key), CM).message,
    `configmaps "x" not found`,
  );
  assert.equal(
    toApiError(keyExists(key), CM).message,
    `configmaps "x" already exists`,
  );
  const gone = toApiError(conflict(key), {
    gr: { group: "rbac.authorization.k8s.io", resource: "roles" },
    name: "r",
  });
  assert.match(
    gone.message,
    /^Operation cannot be fulfilled on roles\.rbac\.authorization\.k8s\.io "r"/,
  );
  assert.doesNotMatch(gone.message, /registry/);
});

Deno.test("an invalid key becomes upstream's name message", () => {
  const e = toApiError(invalidKey(`${KEYS[0]}/..`, "dot segment"), {
    gr: CM.gr,
    name: "..",
  });
  assert.equal(e.code, 400);
  assert.equal(e.message, `Name parameter invalid: ".."`);
  assert.equal(
    toApiError(invalidKey(KEYS[0], "x")).message,
    "invalid object name",
  );
});

Deno.test("a precondition failure keeps its reason and loses its key", () => {
  const e = toApiError(
    invalidObject(
      KEYS[1],
      "Precondition failed: UID in precondition: a, UID in object meta: b",
    ),
    CM,
  );
  assert.equal(e.code, 409);
  assert.match(
    e.message,
    /Precondition failed: UID in precondition: a, UID in object meta: b/,
  );
  assertNoKey(e, "precondition");
});

Deno.test("anything else is a 500 without storage keys in message or causes", () => {
  for (const key of KEYS) {
    const e = toApiError(
      new Error(`sqlite: constraint failed on ${key} (key ${key})`),
    );
    assert.equal(e.code, 500);
    assert.equal(e.reason, "InternalError");
    assertNoKey(e, key);
    assertNoKey(toApiError(`thrown string ${key}`), `string ${key}`);
    assertNoKey(toApiError(new TypeError(key)), `TypeError ${key}`);
  }
});

Deno.test("API errors pass through untouched", () => {
  const e = badRequestError("keep me");
  assert.equal(toApiError(e, CM), e);
});

Deno.test("withoutStorageKeys keeps the rest of the message", () => {
  assert.equal(
    withoutStorageKeys(
      "the object has been modified: /registry/configmaps/clusters/root/a/b",
    ),
    "the object has been modified",
  );
  assert.equal(
    withoutStorageKeys(`Precondition failed (key /registry/x/clusters/root/y)`),
    "Precondition failed",
  );
  assert.equal(withoutStorageKeys("/registry/x"), "internal error");
  assert.equal(withoutStorageKeys("nothing to hide"), "nothing to hide");
  assert.equal(
    withoutStorageKeys(
      "write failed: /registry/a b (key /registry/a b)",
      "/registry/a b",
    ),
    "write failed",
  );
});

/** mulberry32: a small seeded PRNG. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("randomized keys and messages never leak /registry/ (seeded)", () => {
  const seed = 0x5eed;
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const ALPHABET = "abz09-._:;()[]{}\"' \t\n/%\\,=";
  const segment = () => {
    const n = 1 + Math.floor(rand() * 8);
    let s = "";
    for (let i = 0; i < n; i++) s += pick([...ALPHABET]);
    return s;
  };
  const CODES: StorageErrorCode[] = [
    "NotFound",
    "KeyExists",
    "Conflict",
    "InvalidObject",
    "Expired",
    "TooLargeResourceVersion",
    "InvalidKey",
    "InvalidArgument",
    "Unavailable",
    "Internal",
  ];
  for (let i = 0; i < 2000; i++) {
    const key = `/registry/${segment()}/clusters/${segment()}/${segment()}`;
    const shape = pick([
      (k: string) => `failed: ${k}`,
      (k: string) => `${k}`,
      (k: string) => `x (key ${k}) y`,
      (k: string) => `${JSON.stringify(k)} is bad`,
      (k: string) => `a ${k} b ${k}`,
      (k: string) => `[${k}]`,
    ]);
    const message = shape(key);
    const code = pick(CODES);
    const withKey = rand() < 0.5;
    const e = new StorageError(code, message, withKey ? { key } : {});
    const api = toApiError(e, rand() < 0.5 ? CM : undefined);
    assert.doesNotMatch(
      wire(api),
      /\/registry\//,
      `seed ${seed} case ${i}: ${code} ${JSON.stringify(message)} → ${
        wire(api)
      }`,
    );
    assertNoKey(
      toApiError(new Error(message)),
      `seed ${seed} case ${i} (Error)`,
    );
  }
});

Deno.test("a removal that joins text into a new storage key removes that too", () => {
  assert.doesNotMatch(
    withoutStorageKeys("/regis(key /registry/x)try/y"),
    /\/registry\//,
  );
});

Deno.test("a corrupt object's error keeps its key: it is what the operator must remove", async () => {
  const { corruptObject, CorruptObjectsError, MAX_CORRUPT_KEYS } = await import(
    "../../storage/mod.ts"
  );
  const one = toApiError(corruptObject(KEYS[0], 5, new Error("bad json")), CM);
  assert.equal(one.code, 500);
  assert.equal(one.reason, "InternalError");
  assert.equal(
    one.message,
    `Internal error occurred: StorageError: corrupt object, Code: 7, Key: ${
      KEYS[0]
    }, ResourceVersion: 0, AdditionalErrorMsg: object not decodable revision=5: bad json`,
  );
  const errs = [corruptObject(KEYS[0], 5, "x"), corruptObject(KEYS[2], 6, "y")];
  const list = toApiError(
    new CorruptObjectsError("/registry/configmaps/", errs, true),
    CM,
  ).toStatus();
  assert.equal(list.code, 500);
  assert.equal(list.reason, "StorageReadError");
  assert.equal(
    list.message,
    "failed to read one or more configmaps from the storage",
  );
  assert.deepEqual(list.details, {
    name: "list",
    kind: "configmaps",
    causes: [
      {
        reason: "UnexpectedServerResponse",
        message: errs[0].message,
        field: KEYS[0],
      },
      {
        reason: "UnexpectedServerResponse",
        message: errs[1].message,
        field: KEYS[2],
      },
      {
        reason: "FieldValueTooMany",
        message: "too many errors, the list is truncated",
      },
    ],
  });
  assert.equal(MAX_CORRUPT_KEYS, 100);
});

import assert from "node:assert/strict";
import { decodeKubeProtobuf } from "./decode.ts";
import {
  decodeKubeProtobuf as decodeLazily,
  isKubeProtobuf,
  ProtobufDecodeError,
  UnknownProtobufKindError,
} from "./mod.ts";
import { KUBECTL_BODIES } from "./testdata/kubectl_bodies.ts";
import { encodeMessage, fromBase64, wrap } from "./testdata/envelope.ts";

const CORE = "k8s.io.api.core.v1";

function decodeError(fn: () => unknown): ProtobufDecodeError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ProtobufDecodeError, `got ${e}`);
    assert.equal(e.code, 400);
    assert.equal(e.reason, "BadRequest");
    return e;
  }
  assert.fail("expected a ProtobufDecodeError");
}

Deno.test("every body captured from kubectl decodes to kubectl's own JSON", async (t) => {
  for (const [name, fixture] of Object.entries(KUBECTL_BODIES)) {
    await t.step(name, () => {
      assert.deepEqual(
        decodeKubeProtobuf(fromBase64(fixture.body)),
        fixture.expected,
      );
    });
  }
});

Deno.test("isKubeProtobuf recognises the media type with or without parameters", () => {
  assert.equal(isKubeProtobuf("application/vnd.kubernetes.protobuf"), true);
  assert.equal(
    isKubeProtobuf("Application/VND.Kubernetes.Protobuf; charset=x"),
    true,
  );
  assert.equal(
    isKubeProtobuf("application/vnd.kubernetes.protobuf;stream=watch"),
    true,
  );
  assert.equal(isKubeProtobuf("application/json"), false);
  assert.equal(isKubeProtobuf(""), false);
  assert.equal(isKubeProtobuf(null), false);
});

Deno.test("a body without the k8s prefix is a 400 naming the expected prefix", () => {
  const e = decodeError(() =>
    decodeKubeProtobuf(new TextEncoder().encode('{"kind":"ConfigMap"}'))
  );
  assert.match(e.message, /expected prefix \[107 56 115 0\]/);
});

Deno.test("an empty body and a bare prefix are 400s", () => {
  assert.match(
    decodeError(() => decodeKubeProtobuf(new Uint8Array())).message,
    /empty data/,
  );
  assert.match(
    decodeError(() => decodeKubeProtobuf(new Uint8Array([0x6b, 0x38, 0x73, 0])))
      .message,
    /empty body/,
  );
});

Deno.test("a truncated message is a 400 that names what failed", () => {
  const full = fromBase64(KUBECTL_BODIES["configmap"].body);
  const e = decodeError(() => decodeKubeProtobuf(full.subarray(0, 30)));
  assert.match(e.message, /could not be decoded/);
  const inner = wrap("v1", "ConfigMap", new Uint8Array([0x0a, 0x7f, 0x01]));
  assert.match(
    decodeError(() => decodeKubeProtobuf(inner)).message,
    /the ConfigMap message could not be decoded/,
  );
});

Deno.test("an unknown kind is a 415 in upstream's words", () => {
  const bytes = wrap("example.com/v1", "Widget", new Uint8Array());
  try {
    decodeKubeProtobuf(bytes);
    assert.fail("expected an error");
  } catch (e) {
    assert.ok(e instanceof UnknownProtobufKindError);
    assert.equal(e.code, 415);
    assert.equal(e.reason, "UnsupportedMediaType");
    assert.match(
      e.message,
      /^the body of the request was in an unknown format "application\/vnd\.kubernetes\.protobuf" - accepted media types include: application\/json, application\/yaml/,
    );
    assert.match(e.message, /"Widget" in "example.com\/v1"/);
  }
});

Deno.test("an envelope without kind takes it from the endpoint, or is a 400", () => {
  const raw = encodeMessage(`${CORE}.ConfigMap`, { metadata: { name: "a" } });
  const bytes = wrap("", "", raw);
  assert.deepEqual(
    decodeKubeProtobuf(bytes, { apiVersion: "v1", kind: "ConfigMap" }),
    { kind: "ConfigMap", apiVersion: "v1", metadata: { name: "a" } },
  );
  assert.match(
    decodeError(() => decodeKubeProtobuf(bytes)).message,
    /'Kind' is missing/,
  );
  assert.match(
    decodeError(() => decodeKubeProtobuf(bytes, { kind: "ConfigMap" })).message,
    /'apiVersion' is missing/,
  );
});

Deno.test("a compressed envelope is a 400", () => {
  const bytes = wrap("v1", "ConfigMap", new Uint8Array(), {
    contentEncoding: "gzip",
  });
  assert.match(decodeError(() => decodeKubeProtobuf(bytes)).message, /gzip/);
});

Deno.test("unknown fields are ignored, as Go ignores them", () => {
  const raw = encodeMessage(`${CORE}.ConfigMap`, { metadata: { name: "a" } });
  // Field 99, length-delimited, 2 bytes.
  const extra = new Uint8Array([...raw, 0x9a, 0x06, 0x02, 0x68, 0x69]);
  assert.deepEqual(decodeKubeProtobuf(wrap("v1", "ConfigMap", extra)), {
    kind: "ConfigMap",
    apiVersion: "v1",
    metadata: { name: "a" },
  });
});

Deno.test("mod.ts's decoder loads the definitions on first use and decodes the same", async () => {
  for (const [name, fixture] of Object.entries(KUBECTL_BODIES)) {
    assert.deepEqual(
      await decodeLazily(fromBase64(fixture.body)),
      decodeKubeProtobuf(fromBase64(fixture.body)),
      name,
    );
  }
  await assert.rejects(
    () => decodeLazily(new Uint8Array([0x6b, 0x38, 0x73, 0])),
    ProtobufDecodeError,
  );
});

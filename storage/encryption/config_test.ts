import assert from "node:assert/strict";
import {
  EncryptionConfigError,
  matchesResource,
  parseEncryptionConfig,
} from "./config.ts";
import { EncryptionProviders } from "./providers_config.ts";

const HEAD = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
`;
const K32 = btoa("k".repeat(32));

function problems(text: string): string[] {
  try {
    parseEncryptionConfig(text);
  } catch (err) {
    assert.ok(err instanceof EncryptionConfigError);
    return err.problems;
  }
  return [];
}

Deno.test("upstream's documented example parses, keys decoded, providers in order", () => {
  const c = parseEncryptionConfig(
    HEAD + `resources:
  - resources: [secrets, configmaps, pandas.awesome.bears.example]
    providers:
      - aesgcm:
          keys:
            - {name: key1, secret: ${K32}}
            - {name: key2, secret: ${btoa("x".repeat(16))}}
      - aescbc: {keys: [{name: key1, secret: ${K32}}]}
      - secretbox: {keys: [{name: key1, secret: ${K32}}]}
      - identity: {}
  - resources: ["*.apps"]
    providers: [{identity: {}}]
  - resources: ["*.*"]
    providers: [{aesgcm: {keys: [{name: k, secret: ${K32}}]}}]
`,
  );
  assert.equal(c.rules.length, 3);
  assert.deepEqual(c.rules[0].providers.map((p) => p.kind), [
    "aesgcm",
    "aescbc",
    "secretbox",
    "identity",
  ]);
  const gcm = c.rules[0].providers[0];
  assert.ok(gcm.kind === "aesgcm" && gcm.keys[1].secret.length === 16);
});

Deno.test("every problem is reported at once with its field path", () => {
  const p = problems(`apiVersion: v1
kind: Nope
resources:
  - resources: [Secrets, secrets, secrets]
    providers:
      - aesgcm: {keys: [{name: "a:b", secret: "not base64!"}]}
      - aescbc: {keys: [{name: k, secret: ${btoa("short")}}]}
      - secretbox: {keys: [{name: k, secret: ${btoa("y".repeat(16))}}]}
      - {identity: {}, aesgcm: {keys: []}}
      - kms: {name: x}
      - {}
`);
  const text = p.join("\n");
  for (
    const want of [
      /kind: must be EncryptionConfiguration/,
      /apiVersion: must be apiserver.config.k8s.io\/v1/,
      /resources\[0\].resources\[0\]: Invalid value: "Secrets"/,
      /resources\[0\].resources\[2\]: Duplicate value: "secrets"/,
      /keys\[0\].name: Invalid value: "a:b"/,
      /keys\[0\].secret: Invalid value: "REDACTED": secrets must be base64 encoded/,
      /providers\[1\].aescbc.keys\[0\].secret: .*expected length, got 5/,
      /providers\[2\].secretbox.keys\[0\].secret: .*got 16, expected one of \[32\]/,
      /providers\[3\]: .*more than one provider specified in a single element/,
      /providers\[4\].kms: Unsupported value/,
      /providers\[5\]: Required value/,
    ]
  ) assert.match(text, want);
  assert.ok(!text.includes("not base64!"), "secrets are never echoed");
});

Deno.test("an entry masked by an earlier wildcard, or named twice, is refused", () => {
  const rule = (r: string) =>
    `  - resources: [${r}]\n    providers: [{identity: {}}]\n`;
  assert.match(
    problems(HEAD + "resources:\n" + rule('"*.*"') + rule("secrets")).join(),
    /resource "secrets" is masked by earlier rule "\*\.\*"/,
  );
  assert.match(
    problems(
      HEAD + "resources:\n" + rule('"*.apps"') + rule("deployments.apps"),
    )
      .join(),
    /masked by earlier rule "\*\.apps"/,
  );
  assert.match(
    problems(HEAD + "resources:\n" + rule("secrets") + rule("secrets")).join(),
    /appears in more than one rule/,
  );
  assert.deepEqual(
    problems(
      HEAD + "resources:\n" + rule("secrets") + rule('"*."') + rule('"*.*"'),
    ),
    [],
  );
});

Deno.test("wildcards match as upstream: *. the core group, *.group a group, *.* everything", () => {
  assert.ok(matchesResource("*.", "secrets", ""));
  assert.ok(!matchesResource("*.", "widgets", "example.com"));
  assert.ok(matchesResource("*.example.com", "widgets", "example.com"));
  assert.ok(matchesResource("*.*", "widgets", "example.com"));
  assert.ok(matchesResource("widgets.example.com", "widgets", "example.com"));
  assert.ok(!matchesResource("widgets", "widgets", "example.com"));
  const p = new EncryptionProviders(parseEncryptionConfig(
    HEAD + `resources:
  - resources: [widgets.example.com]
    providers: [{secretbox: {keys: [{name: k, secret: ${K32}}]}}]
  - resources: ["*."]
    providers: [{aescbc: {keys: [{name: k, secret: ${K32}}]}}]
`,
  ));
  assert.ok(
    p.transformerFor({ group: "example.com", resource: "widgets" }).encrypts,
  );
  assert.ok(p.transformerFor({ resource: "configmaps" }).encrypts);
  assert.ok(
    !p.transformerFor({ group: "apps", resource: "deployments" }).encrypts,
  );
});

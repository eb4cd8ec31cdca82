import assert from "node:assert/strict";
import {
  LIVE_LOOKUP_TTL_MS,
  NamespaceLifecycle,
} from "./namespace_lifecycle.ts";

Deno.test("a deleted namespace needs live lookups for the TTL only", () => {
  let now = 1_000;
  const l = new NamespaceLifecycle(() => now);
  assert.equal(l.needsLiveLookup("root", "a"), false);
  l.deleting("root", "a");
  assert.equal(l.needsLiveLookup("root", "a"), true);
  assert.equal(l.needsLiveLookup("other", "a"), false, "per cluster");
  now += LIVE_LOOKUP_TTL_MS;
  assert.equal(l.needsLiveLookup("root", "a"), true);
  now += 1;
  assert.equal(l.needsLiveLookup("root", "a"), false);
});

Deno.test("expired entries are dropped once many namespaces were deleted", () => {
  let now = 0;
  const l = new NamespaceLifecycle(() => now);
  for (let i = 0; i < 1100; i++) l.deleting("root", `ns-${i}`);
  now += LIVE_LOOKUP_TTL_MS + 1;
  l.deleting("root", "late");
  assert.equal(l.needsLiveLookup("root", "late"), true);
  assert.equal(l.needsLiveLookup("root", "ns-0"), false);
});

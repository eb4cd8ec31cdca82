import assert from "node:assert/strict";
import { canonicalIp, isDnsName } from "./_ip.ts";

Deno.test("IPv4 and IPv6 addresses get one canonical form", () => {
  assert.equal(canonicalIp("10.0.0.1"), "10.0.0.1");
  assert.equal(canonicalIp("::1"), "0:0:0:0:0:0:0:1");
  assert.equal(canonicalIp("[::1]"), "0:0:0:0:0:0:0:1");
  assert.equal(canonicalIp("0000:0:0::01"), "0:0:0:0:0:0:0:1");
  assert.equal(canonicalIp("FD00::A"), "fd00:0:0:0:0:0:0:a");
  assert.equal(canonicalIp("::ffff:10.1.2.3"), "0:0:0:0:0:ffff:a01:203");
  assert.equal(canonicalIp("::"), "0:0:0:0:0:0:0:0");
});

Deno.test("things that are not IP addresses are refused", () => {
  for (
    const s of [
      "",
      "256.0.0.1",
      "1.2.3",
      "1.2.3.4.5",
      "a::b::c",
      "12345::",
      "1:2:3:4:5:6:7:8:9",
      "example.com",
      "::g",
    ]
  ) assert.equal(canonicalIp(s), undefined, s);
});

Deno.test("DNS names are recognised, numeric look-alikes are not", () => {
  for (const s of ["localhost", "a.b-c.example", "*.apps.local", "x1"]) {
    assert.ok(isDnsName(s), s);
  }
  for (const s of ["", "-a", "a-", "a..b", "a b", "1.2.3.4", "*.*.x", "a_b"]) {
    assert.ok(!isDnsName(s), s);
  }
});

import assert from "node:assert/strict";
import {
  ensureAdminToken,
  formatTokenRecord,
  parseTokenFile,
  TOKEN_FILE,
} from "./tokens.ts";
import { TokenFileError } from "./errors.ts";

Deno.test("token files parse kube-apiserver's token,user,uid,groups records", () => {
  const tokens = parseTokenFile(
    [
      "# comment",
      "",
      'abc,alice,u1,"dev, ops"',
      "def,bob,u2",
      'ghi,"carol ""c""",u3,viewers',
    ].join("\n"),
    "f",
  );
  assert.deepEqual(tokens.get("abc"), {
    username: "alice",
    uid: "u1",
    groups: ["dev", "ops"],
  });
  assert.deepEqual(tokens.get("def"), {
    username: "bob",
    uid: "u2",
    groups: [],
  });
  assert.equal(tokens.get("ghi")?.username, 'carol "c"');
});

Deno.test("malformed token files are rejected with the line number", () => {
  const bad = (text: string, line: number) =>
    assert.throws(
      () => parseTokenFile(text, "tokens.csv"),
      (err) => err instanceof TokenFileError && err.line === line,
    );
  bad("abc,alice", 1);
  bad("\nabc,alice,u1\nabc,bob,u2", 3);
  bad(",alice,u1", 1);
  bad('abc,"alice,u1', 1);
  bad('abc,al"ice,u1', 1);
  bad("abc,,u1", 1);
});

Deno.test("a formatted record parses back to the same user", () => {
  const user = { username: "x y", uid: "1", groups: ["a", "b,c"] };
  const parsed = parseTokenFile(formatTokenRecord("t0k", user), "f");
  assert.deepEqual(parsed.get("t0k"), {
    username: "x y",
    uid: "1",
    groups: ["a", "b", "c"],
  });
});

Deno.test("the admin token is generated once, kept private and reused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await ensureAdminToken({ dataDir: dir });
    assert.equal(first.file, `${dir}/${TOKEN_FILE}`);
    assert.match(first.token, /^[0-9a-f]{64}$/);
    assert.deepEqual(first.tokens.get(first.token)?.groups, ["system:masters"]);
    assert.equal((await Deno.stat(first.file)).mode! & 0o777, 0o600);
    const second = await ensureAdminToken({ dataDir: dir });
    assert.equal(second.token, first.token);

    // Hand-added tokens are kept next to the admin's.
    await Deno.writeTextFile(first.file, "extra,bob,b\n", { append: true });
    const third = await ensureAdminToken({ dataDir: dir });
    assert.equal(third.token, first.token);
    assert.equal(third.tokens.get("extra")?.username, "bob");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a token file without an admin record gets one appended", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/auth`);
    await Deno.writeTextFile(`${dir}/${TOKEN_FILE}`, "extra,bob,b");
    const admin = await ensureAdminToken({ dataDir: dir });
    const text = await Deno.readTextFile(admin.file);
    assert.ok(text.startsWith("extra,bob,b\n"));
    assert.equal(parseTokenFile(text, "f").size, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

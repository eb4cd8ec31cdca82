import assert from "node:assert/strict";
import {
  ANONYMOUS_USER,
  type Authenticator,
  bearerToken,
  bearerTokenAuthenticator,
  unionAuthenticator,
} from "./authentication.ts";
import { AuthenticationError } from "./errors.ts";

const req = (authorization?: string) =>
  new Request("https://x/api", {
    headers: authorization ? { authorization } : {},
  });

const tokens = new Map([
  ["good", { username: "admin", groups: ["system:masters"] }],
]);

Deno.test("bearer tokens are read from the Authorization header", () => {
  assert.equal(bearerToken(req("Bearer abc")), "abc");
  assert.equal(bearerToken(req("bearer  abc ")), "abc");
  assert.equal(bearerToken(req("Basic abc")), undefined);
  assert.equal(bearerToken(req("Bearer")), undefined);
  assert.equal(bearerToken(req()), undefined);
});

Deno.test("a known bearer token authenticates its user", async () => {
  const user = await bearerTokenAuthenticator(tokens).authenticate(
    req("Bearer good"),
  );
  assert.deepEqual(user, { username: "admin", groups: ["system:masters"] });
});

Deno.test("an unknown bearer token is an authentication error, no token is no opinion", async () => {
  const a = bearerTokenAuthenticator(tokens);
  assert.ok(
    (await a.authenticate(req("Bearer bad"))) instanceof AuthenticationError,
  );
  assert.equal(await a.authenticate(req()), undefined);
});

Deno.test("the union adds system:authenticated and the first user wins", async () => {
  const failing: Authenticator = {
    authenticate: () => Promise.resolve(new AuthenticationError("nope")),
  };
  const union = unionAuthenticator([failing, bearerTokenAuthenticator(tokens)]);
  assert.deepEqual(await union.authenticate(req("Bearer good")), {
    username: "admin",
    groups: ["system:masters", "system:authenticated"],
  });
  // The map's user is not mutated.
  assert.deepEqual(tokens.get("good")?.groups, ["system:masters"]);
});

Deno.test("the union reports errors when no authenticator succeeds, and throws become errors", async () => {
  const throwing: Authenticator = {
    authenticate: () => Promise.reject(new Error("backend down")),
  };
  const union = unionAuthenticator([
    throwing,
    bearerTokenAuthenticator(tokens),
  ]);
  const result = await union.authenticate(req("Bearer bad"));
  assert.ok(result instanceof AuthenticationError);
  assert.match(result.message, /backend down; invalid bearer token/);
  const none = unionAuthenticator([bearerTokenAuthenticator(tokens)]);
  assert.equal(await none.authenticate(req()), undefined);
});

Deno.test("the anonymous user is frozen and unauthenticated", () => {
  assert.equal(ANONYMOUS_USER.username, "system:anonymous");
  assert.deepEqual(ANONYMOUS_USER.groups, ["system:unauthenticated"]);
  assert.ok(Object.isFrozen(ANONYMOUS_USER));
});

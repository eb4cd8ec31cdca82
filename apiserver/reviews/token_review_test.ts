import assert from "node:assert/strict";
import { ApiError } from "../status/mod.ts";
import { reviewToken, type TokenReviewer } from "./token_review.ts";

const reviewer: TokenReviewer = {
  authenticateToken(token, ctx) {
    if (token === "good") {
      return Promise.resolve({
        user: {
          username: `u@${ctx.cluster}`,
          uid: "1",
          groups: ["g", "system:authenticated"],
        },
        audiences: ctx.audiences?.length ? ctx.audiences : ["api"],
      });
    }
    if (token === "expired") {
      return Promise.resolve(new Error("service account token has expired"));
    }
    return Promise.resolve(undefined);
  },
};

Deno.test("a known token is authenticated with its user and audiences", async () => {
  const out = await reviewToken(
    { spec: { token: "good", audiences: ["vault"] } },
    "team-a",
    reviewer,
  );
  assert.deepEqual(out, {
    spec: { token: "good", audiences: ["vault"] },
    status: {
      authenticated: true,
      user: {
        username: "u@team-a",
        uid: "1",
        groups: ["g", "system:authenticated"],
      },
      audiences: ["vault"],
    },
  });
});

Deno.test("an invalid token answers authenticated false with the error; an unknown one without", async () => {
  assert.deepEqual(
    (await reviewToken({ spec: { token: "expired" } }, "root", reviewer))
      .status,
    {
      user: {},
      error: "[invalid bearer token, service account token has expired]",
    },
  );
  assert.deepEqual(
    (await reviewToken({ spec: { token: "nope" } }, "root", reviewer)).status,
    { user: {} },
  );
  assert.deepEqual(
    (await reviewToken({ spec: { token: "good" } }, "root", undefined)).status,
    { user: {} },
  );
});

Deno.test("a review without a token is a 400", async () => {
  await assert.rejects(
    reviewToken({ spec: {} }, "root", reviewer),
    (e) => e instanceof ApiError && e.code === 400,
  );
  await assert.rejects(
    reviewToken({ spec: { token: "x", audiences: "a" } }, "root", reviewer),
    (e) => e instanceof ApiError && e.code === 400,
  );
});

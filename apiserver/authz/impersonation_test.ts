import assert from "node:assert/strict";
import type { UserInfo } from "../request_context.ts";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";
import { ApiError } from "../status/mod.ts";
import {
  type AuthorizationAttributes,
  type Authorizer,
  defaultAuthorizer,
} from "./authorizer.ts";
import {
  impersonatedUser,
  impersonationRequests,
  splitServiceAccountUsername,
} from "./impersonation.ts";

const WHOAMI = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
const REVIEW = {
  apiVersion: "authentication.k8s.io/v1",
  kind: "SelfSubjectReview",
};
const BOB: UserInfo = { username: "bob", groups: ["system:authenticated"] };

/** Records every attribute set it sees; allows what `allow` says. */
function recordingAuthorizer(
  allow: (a: AuthorizationAttributes) => boolean,
): Authorizer & { seen: AuthorizationAttributes[] } {
  const seen: AuthorizationAttributes[] = [];
  const fallback = defaultAuthorizer();
  return {
    seen,
    authorize(attrs) {
      seen.push(attrs);
      if (allow(attrs)) return Promise.resolve({ allowed: true });
      return fallback.authorize(attrs);
    },
  };
}

Deno.test("impersonation headers are parsed as upstream", async (t) => {
  await t.step(
    "service account usernames split into namespace and name",
    () => {
      assert.deepEqual(
        splitServiceAccountUsername("system:serviceaccount:default:bot"),
        { namespace: "default", name: "bot" },
      );
      assert.equal(
        splitServiceAccountUsername("system:serviceaccount:a"),
        undefined,
      );
      assert.equal(
        splitServiceAccountUsername("system:serviceaccount:a:b:c"),
        undefined,
      );
      assert.equal(
        splitServiceAccountUsername("system:serviceaccount:Bad_NS:bot"),
        undefined,
      );
      assert.equal(splitServiceAccountUsername("bob"), undefined);
    },
  );

  await t.step("no headers means no impersonation", () => {
    assert.deepEqual(impersonationRequests(new Headers()), []);
  });

  await t.step(
    "user, repeated groups, extras and uid are each requested",
    () => {
      const h = new Headers();
      h.set("Impersonate-User", "system:serviceaccount:ns1:bot");
      h.append("Impersonate-Group", "g1");
      h.append("Impersonate-Group", "g2");
      h.set("Impersonate-Extra-Scopes", "a");
      h.append("Impersonate-Extra-Scopes", "b");
      h.set("Impersonate-Extra-Example.com%2fkey", "v");
      h.set("Impersonate-Uid", "u-1");
      assert.deepEqual(impersonationRequests(h), [
        { kind: "ServiceAccount", namespace: "ns1", name: "bot" },
        { kind: "Group", name: "g1" },
        { kind: "Group", name: "g2" },
        { kind: "UserExtra", name: "v", extraKey: "example.com/key" },
        { kind: "UserExtra", name: "a", extraKey: "scopes" },
        { kind: "UserExtra", name: "b", extraKey: "scopes" },
        { kind: "UID", name: "u-1" },
      ]);
    },
  );

  await t.step("groups without a user are a bad request", () => {
    const h = new Headers({ "Impersonate-Group": "system:masters" });
    assert.throws(() => impersonationRequests(h), (e) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 400);
      assert.equal(e.reason, "BadRequest");
      assert.equal(
        e.message,
        "requested [{Group  system:masters    }] without impersonating a user",
      );
      return true;
    });
    const extra = new Headers({ "Impersonate-Extra-K": "v" });
    assert.throws(() => impersonationRequests(extra), (e) => {
      assert.ok(e instanceof ApiError);
      assert.equal(
        e.message,
        "requested [{UserExtra  v  authentication.k8s.io/v1  k}] without impersonating a user",
      );
      return true;
    });
    const uid = new Headers({ "Impersonate-Uid": "u" });
    assert.throws(
      () => impersonationRequests(uid),
      /without impersonating a user/,
    );
  });

  await t.step(
    "the impersonated user gets upstream's implicit groups",
    async () => {
      const admin: UserInfo = { username: "admin", groups: ["system:masters"] };
      const authz = defaultAuthorizer();
      const as = (init: [string, string][]) =>
        impersonatedUser(new Headers(init), admin, "root", authz);
      assert.deepEqual(await as([["Impersonate-User", "bob"]]), {
        username: "bob",
        groups: ["system:authenticated"],
      });
      assert.deepEqual(
        await as([["Impersonate-User", "system:serviceaccount:ns1:bot"]]),
        {
          username: "system:serviceaccount:ns1:bot",
          groups: [
            "system:serviceaccounts",
            "system:serviceaccounts:ns1",
            "system:authenticated",
          ],
        },
      );
      assert.deepEqual(
        await as([
          ["Impersonate-User", "system:serviceaccount:ns1:bot"],
          ["Impersonate-Group", "devs"],
        ]),
        {
          username: "system:serviceaccount:ns1:bot",
          groups: ["devs", "system:authenticated"],
        },
      );
      assert.deepEqual(
        await as([
          ["Impersonate-User", "bob"],
          ["Impersonate-Group", "system:unauthenticated"],
        ]),
        { username: "bob", groups: ["system:unauthenticated"] },
      );
      assert.deepEqual(await as([["Impersonate-User", "system:anonymous"]]), {
        username: "system:anonymous",
        groups: ["system:unauthenticated"],
      });
      assert.deepEqual(
        await as([
          ["Impersonate-User", "bob"],
          ["Impersonate-Uid", "u-9"],
          ["Impersonate-Extra-Scopes", "x"],
        ]),
        {
          username: "bob",
          uid: "u-9",
          groups: ["system:authenticated"],
          extra: { scopes: ["x"] },
        },
      );
      assert.equal(await as([]), admin);
    },
  );
});

Deno.test("requests run as the impersonated user", async (t) => {
  const authz = recordingAuthorizer((a) =>
    a.user.username === "carol" && a.verb === "impersonate" &&
    a.resource === "users"
  );
  const server = await startTestServer({ authorizer: authz });
  try {
    await t.step("whoami shows the impersonated user", async () => {
      const res = await server.request("POST", WHOAMI, {
        body: REVIEW,
        headers: {
          "Impersonate-User": "bob",
          "Impersonate-Extra-Scopes": "a",
          "Impersonate-Uid": "u-1",
        },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.deepEqual(res.body.status.userInfo, {
        username: "bob",
        uid: "u-1",
        groups: ["system:authenticated"],
        extra: { scopes: ["a"] },
      });
    });

    await t.step(
      "the request itself is authorized for the impersonated user",
      async () => {
        const res = await server.request(
          "GET",
          "/api/v1/namespaces/default/configmaps",
          { headers: { "Impersonate-User": "bob" } },
        );
        assert.equal(res.status, 403);
        assert.equal(res.body.reason, "Forbidden");
        assert.equal(
          res.body.message,
          'configmaps is forbidden: User "bob" cannot list resource "configmaps" in API group "" in the namespace "default"',
        );
      },
    );

    await t.step("impersonating system:masters grants its rights", async () => {
      const res = await server.request(
        "GET",
        "/api/v1/namespaces/default/configmaps",
        {
          headers: {
            "Impersonate-User": "bob",
            "Impersonate-Group": "system:masters",
          },
        },
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
    });

    await t.step("an unprivileged caller may not impersonate", async () => {
      const res = await server.request("POST", WHOAMI, {
        body: REVIEW,
        headers: { "Impersonate-User": "alice" },
        user: BOB,
      });
      assert.equal(res.status, 403);
      assert.equal(res.body.reason, "Forbidden");
      assert.equal(
        res.body.message,
        'users "alice" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope',
      );
      assert.deepEqual(res.body.details, { name: "alice", kind: "users" });
    });

    await t.step("a service account is checked in its namespace", async () => {
      const res = await server.request("POST", WHOAMI, {
        body: REVIEW,
        headers: { "Impersonate-User": "system:serviceaccount:ns1:bot" },
        user: BOB,
      });
      assert.equal(res.status, 403);
      assert.equal(
        res.body.message,
        'serviceaccounts "bot" is forbidden: User "bob" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "ns1"',
      );
    });

    await t.step("every requested part needs its own permission", async () => {
      const carol = { username: "carol", groups: ["system:authenticated"] };
      const asBob = await server.request("POST", WHOAMI, {
        body: REVIEW,
        headers: { "Impersonate-User": "bob" },
        user: carol,
      });
      assert.equal(asBob.status, 201, JSON.stringify(asBob.body));
      assert.equal(asBob.body.status.userInfo.username, "bob");
      const group = await server.request("POST", WHOAMI, {
        body: REVIEW,
        headers: {
          "Impersonate-User": "bob",
          "Impersonate-Group": "system:masters",
        },
        user: carol,
      });
      assert.equal(group.status, 403);
      assert.equal(
        group.body.message,
        'groups "system:masters" is forbidden: User "carol" cannot impersonate resource "groups" in API group "" at the cluster scope',
      );
      const extra = await server.request("POST", WHOAMI, {
        body: REVIEW,
        headers: {
          "Impersonate-User": "bob",
          "Impersonate-Extra-Scopes": "s",
        },
        user: carol,
      });
      assert.equal(
        extra.body.message,
        'userextras.authentication.k8s.io "s" is forbidden: User "carol" cannot impersonate resource "userextras/scopes" in API group "authentication.k8s.io" at the cluster scope',
      );
      const uid = await server.request("POST", WHOAMI, {
        body: REVIEW,
        headers: { "Impersonate-User": "bob", "Impersonate-Uid": "u-2" },
        user: carol,
      });
      assert.equal(
        uid.body.message,
        'uids.authentication.k8s.io "u-2" is forbidden: User "carol" cannot impersonate resource "uids" in API group "authentication.k8s.io" at the cluster scope',
      );
      const checked = authz.seen.filter((a) =>
        a.verb === "impersonate" && a.user.username === "carol"
      );
      assert.deepEqual(
        checked.map((a) => [a.apiGroup, a.resource, a.subresource, a.name]),
        [
          ["", "users", undefined, "bob"],
          ["", "users", undefined, "bob"],
          ["", "groups", undefined, "system:masters"],
          ["", "users", undefined, "bob"],
          ["authentication.k8s.io", "userextras", "scopes", "s"],
          ["", "users", undefined, "bob"],
          ["authentication.k8s.io", "uids", undefined, "u-2"],
        ],
      );
    });

    await t.step("groups without a user answer 400", async () => {
      const res = await server.request("GET", "/api/v1/namespaces", {
        headers: { "Impersonate-Group": "system:masters" },
        user: BOB,
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.reason, "BadRequest");
      assert.equal(
        res.body.message,
        "requested [{Group  system:masters    }] without impersonating a user",
      );
    });

    await t.step(
      "impersonation is checked in the request's cluster",
      async () => {
        const before = authz.seen.length;
        const res = await server.request(
          "GET",
          "/clusters/team-a/api/v1/namespaces",
          { headers: { "Impersonate-User": "bob" } },
        );
        assert.equal(res.status, 403);
        const imp = authz.seen.slice(before).find((a) =>
          a.verb === "impersonate"
        );
        assert.equal(imp?.cluster, "team-a");
      },
    );
  } finally {
    await server.close();
  }
});

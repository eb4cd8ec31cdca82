import assert from "node:assert/strict";
import { MemoryLog } from "../../backends/memory/mod.ts";
import { objectKey, type Store } from "../../storage/mod.ts";
import { LogStoreFactory } from "../../storage/log/mod.ts";
import { cachedStoreFactory } from "../../storage/cacher/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import type { UserInfo } from "../request_context.ts";
import type { AuthorizationAttributes } from "./authorizer.ts";
import { setupAuthorization } from "./rbac_setup.ts";
import { RBAC_GROUP, RBAC_RESOURCES, type RbacResource } from "./rbac/mod.ts";

const someone: UserInfo = {
  username: "someone",
  groups: ["system:authenticated"],
};

/** What `system:basic-user` (bound to every authenticated user) grants. */
function selfReview(cluster: string): AuthorizationAttributes {
  return {
    user: someone,
    cluster,
    verb: "create",
    isResourceRequest: true,
    apiGroup: "authorization.k8s.io",
    resource: "selfsubjectaccessreviews",
  };
}

/** `store`, whose watch events reach the watcher `delayMs` late. */
function lateWatches(store: Store, delayMs: number): Store {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === "watch") {
        return async (...args: Parameters<Store["watch"]>) => {
          const w = await target.watch(...args);
          return {
            stop: () => w.stop(),
            async *[Symbol.asyncIterator]() {
              for await (const ev of w) {
                await new Promise((r) => setTimeout(r, delayMs));
                yield ev;
              }
            },
          };
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** Authorization over memory-backed watch caches (their watches late). */
async function open() {
  const factory = cachedStoreFactory(new LogStoreFactory(new MemoryLog()));
  const stores = Object.fromEntries(
    RBAC_RESOURCES.map((r) => [
      r,
      lateWatches(factory.storeFor({ group: RBAC_GROUP, resource: r }), 50),
    ]),
  ) as Record<RbacResource, Store>;
  const authz = await setupAuthorization({
    mode: "RBAC",
    stores,
    prepare: (obj) => obj,
    logger: silentLogger,
  });
  return {
    stores,
    authz,
    close: async () => {
      await authz.close();
      await factory.close?.();
    },
  };
}

Deno.test("a bootstrapped cluster's first request is decided by its policy, indexed on that use", async () => {
  const { authz, close } = await open();
  try {
    await authz.bootstrap("fresh");
    assert.equal(
      (await authz.authorizer.authorize(selfReview("fresh"))).allowed,
      true,
    );
    // A cluster nobody bootstrapped holds no policy.
    assert.equal(
      (await authz.authorizer.authorize(selfReview("nobody"))).allowed,
      false,
    );
  } finally {
    await close();
  }
});

Deno.test("a bootstrap of a cluster already indexed waits until the index has what it wrote", async () => {
  const { authz, stores, close } = await open();
  try {
    await authz.bootstrap("used");
    assert.equal(
      (await authz.authorizer.authorize(selfReview("used"))).allowed,
      true,
    );
    // The binding that grants it goes away, and the index learns it.
    const key = objectKey({
      group: RBAC_GROUP,
      resource: "clusterrolebindings",
      cluster: "used",
      name: "system:basic-user",
    });
    await stores.clusterrolebindings.delete(key);
    for (let i = 0; i < 500; i++) {
      if (!(await authz.authorizer.authorize(selfReview("used"))).allowed) {
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(
      (await authz.authorizer.authorize(selfReview("used"))).allowed,
      false,
    );
    // Bootstrapped again (as after a system namespace's deletion): the
    // binding is written back, and the very next decision sees it.
    await authz.bootstrap("used");
    assert.equal(
      (await authz.authorizer.authorize(selfReview("used"))).allowed,
      true,
    );
  } finally {
    await close();
  }
});

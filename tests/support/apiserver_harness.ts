/**
 * Test harness: an API server over a fresh memory backend, and small helpers
 * to send requests as an admin (or any user) and read JSON answers.
 *
 * @module
 */

import { memoryBackend } from "../../backends/memory/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import type { StoreFactory } from "../../storage/mod.ts";
import type { UserInfo } from "../../apiserver/request_context.ts";
import {
  type ApiServer,
  type ApiServerOptions,
  createApiServer,
} from "../../apiserver/server.ts";

/** The user tests act as by default. */
export const ADMIN: UserInfo = {
  username: "admin",
  groups: ["system:masters", "system:authenticated"],
};

/** A decoded response. */
export interface TestResponse {
  status: number;
  headers: Headers;
  // deno-lint-ignore no-explicit-any
  body: any;
}

/** Options for one test request. */
export interface RequestOptions {
  body?: unknown;
  /** Raw body text (wins over `body`). */
  text?: string;
  headers?: Record<string, string>;
  user?: UserInfo;
}

/** A running test server. */
export interface TestServer {
  api: ApiServer;
  storage: StoreFactory;
  request(
    method: string,
    path: string,
    opts?: RequestOptions,
  ): Promise<TestResponse>;
  /** Sends a request and returns the raw response (for watches). */
  raw(method: string, path: string, opts?: RequestOptions): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Starts an API server over a fresh memory backend (or `opts.storage`,
 * which stays the caller's to close), with implicit virtual clusters
 * unless `opts.virtualClusters` says otherwise.
 */
export async function startTestServer(
  opts: Partial<ApiServerOptions> = {},
): Promise<TestServer> {
  // Only a backend of our own is ours to open and close.
  const own = opts.storage ? undefined : await memoryBackend().open({}, {
    dataDir: "/tmp",
    logger: silentLogger,
  });
  const storage = opts.storage ?? own!;
  // Implicit clusters by default: most tests are about something else than
  // declaring clusters and use `/clusters/<any>/…` freely; tests of cluster
  // admission pass `virtualClusters: "declared"`.
  const api = await createApiServer({
    storage,
    logger: silentLogger,
    virtualClusters: "implicit",
    ...opts,
  });
  const raw = (method: string, path: string, o: RequestOptions = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    let body: string | undefined = o.text;
    if (body === undefined && o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers["content-type"] ??= "application/json";
    }
    return api.handler(
      new Request(`http://hyperplane.test${path}`, { method, headers, body }),
      { user: o.user ?? ADMIN },
    );
  };
  return {
    api,
    storage,
    raw,
    async request(method, path, o = {}) {
      const res = await raw(method, path, o);
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, headers: res.headers, body };
    },
    async close() {
      await api.close();
      await own?.close();
    },
  };
}

/** A ConfigMap body. */
export function configMap(
  name: string,
  data: Record<string, string> = {},
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, ...(extra.metadata as object ?? {}) },
    data,
    ...Object.fromEntries(
      Object.entries(extra).filter(([k]) => k !== "metadata"),
    ),
  };
}

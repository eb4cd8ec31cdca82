/**
 * A real extension API server for the aggregation tests, serving
 * `wardle.example.com/v1alpha1` Flunders (namespaced; list, get, create,
 * watch, delete) from memory, configured the way k8s.io/apiserver-based
 * servers configure themselves:
 *
 * - its own TLS (a CA and a serving certificate for 127.0.0.1, made here);
 * - at start it reads `kube-system/extension-apiserver-authentication` from
 *   the main server and trusts only callers presenting a client certificate
 *   signed by `requestheader-client-ca-file` whose CN is in
 *   `requestheader-allowed-names`; the user comes from the published
 *   username/group/extra headers (anything else is 401);
 * - every request is authorized by a SubjectAccessReview back to the main
 *   server (403 with upstream's wording when denied).
 *
 * `node:https` because `Deno.serve` cannot ask for client certificates.
 * Lists and watch events are Tables when the client asks for them (kubectl).
 * `stop()` closes the listener and every connection; `start()` listens on
 * the same port again, keeping the flunders.
 */

import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import https from "node:https";
import { Buffer } from "node:buffer";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { testCertificates } from "./webhook_server.ts";

/** How the extension reaches the main server (for its ConfigMap and SARs). */
export interface MainServer {
  url: string;
  caCert?: string;
  token: string;
}

/** A running (or stopped) extension server. */
export interface ExtensionApiServer {
  readonly port: number;
  /** Base64 of the CA's PEM (the APIService's `caBundle`). */
  readonly caBundle: string;
  /** Every SubjectAccessReview answer: user, verb, resource, allowed. */
  readonly reviews: {
    user: string;
    verb: string;
    resource: string;
    allowed: boolean;
  }[];
  /** Requests refused for a missing or untrusted front-proxy certificate. */
  readonly rejectedCallers: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const GROUP = "wardle.example.com";
const VERSION = "v1alpha1";
const PREFIX = `/apis/${GROUP}/${VERSION}`;

interface Flunder {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    creationTimestamp: string;
  };
  spec?: unknown;
}

interface Event {
  type: "ADDED" | "DELETED";
  object: Flunder;
  rv: number;
}

interface Authn {
  caCerts: x509.X509Certificate[];
  allowedNames: string[];
  userHeaders: string[];
  groupHeaders: string[];
  extraPrefixes: string[];
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json" });
  res.end(text);
}

function statusBody(code: number, reason: string, message: string) {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
  };
}

const RESOURCE_LIST = {
  kind: "APIResourceList",
  apiVersion: "v1",
  groupVersion: `${GROUP}/${VERSION}`,
  resources: [{
    name: "flunders",
    singularName: "flunder",
    namespaced: true,
    kind: "Flunder",
    verbs: ["create", "delete", "get", "list", "watch"],
  }],
};

const OPENAPI_HASH = "5EC0F1A1D0C0FFEE";

const OPENAPI_DOC = {
  openapi: "3.0.0",
  info: { title: "wardle", version: VERSION },
  // kubectl explain finds a resource's schema through its GET operation.
  paths: {
    [`${PREFIX}/namespaces/{namespace}/flunders/{name}`]: {
      get: {
        operationId: "readWardleV1alpha1NamespacedFlunder",
        responses: {
          "200": {
            description: "OK",
            content: {
              "application/json": {
                schema: {
                  $ref:
                    "#/components/schemas/com.example.wardle.v1alpha1.Flunder",
                },
              },
            },
          },
        },
        "x-kubernetes-action": "get",
        "x-kubernetes-group-version-kind": {
          group: GROUP,
          version: VERSION,
          kind: "Flunder",
        },
      },
    },
  },
  components: {
    schemas: {
      "com.example.wardle.v1alpha1.Flunder": {
        type: "object",
        description: "A Flunder is an example resource of the wardle server.",
        properties: {
          apiVersion: { type: "string", description: "APIVersion." },
          kind: { type: "string", description: "Kind." },
          metadata: { type: "object", description: "Standard metadata." },
          spec: {
            type: "object",
            description: "What the flunder refers to.",
            properties: {
              reference: {
                type: "string",
                description: "The name of another flunder this one points at.",
              },
            },
          },
        },
        "x-kubernetes-group-version-kind": [{
          group: GROUP,
          kind: "Flunder",
          version: VERSION,
        }],
      },
    },
  },
};

const COLUMNS = [
  { name: "Name", type: "string", format: "name", description: "Name" },
  { name: "Age", type: "date", description: "Age" },
];

function wantsTable(req: IncomingMessage): boolean {
  return /as=Table/.test(String(req.headers.accept ?? ""));
}

function row(f: Flunder) {
  return {
    cells: [f.metadata.name, f.metadata.creationTimestamp],
    object: { kind: "PartialObjectMetadata", metadata: f.metadata },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The values of a header as sent (one entry per header line). */
function headerValues(req: IncomingMessage, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() === name.toLowerCase()) {
      out.push(req.rawHeaders[i + 1]);
    }
  }
  return out;
}

async function loadAuthn(main: MainServer): Promise<Authn> {
  const client = Deno.createHttpClient({
    caCerts: main.caCert ? [main.caCert] : [],
  });
  try {
    const res = await fetch(
      `${main.url}/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication`,
      { headers: { authorization: `Bearer ${main.token}` }, client },
    );
    const cm = await res.json();
    if (!res.ok) {
      throw new Error(`reading the authentication ConfigMap: ${res.status}`);
    }
    const data = cm.data as Record<string, string>;
    const pems = data["requestheader-client-ca-file"].match(
      /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g,
    ) ?? [];
    return {
      caCerts: pems.map((p) => new x509.X509Certificate(p)),
      allowedNames: JSON.parse(data["requestheader-allowed-names"] ?? "[]"),
      userHeaders: JSON.parse(data["requestheader-username-headers"]),
      groupHeaders: JSON.parse(data["requestheader-group-headers"]),
      extraPrefixes: JSON.parse(data["requestheader-extra-headers-prefix"]),
    };
  } finally {
    client.close();
  }
}

/** Starts an extension server that configures itself from `main`. */
export async function startExtensionApiServer(
  main: MainServer,
  opts: { port?: number } = {},
): Promise<ExtensionApiServer> {
  const certs = await testCertificates();
  const authn = await loadAuthn(main);
  const mainClient = Deno.createHttpClient({
    caCerts: main.caCert ? [main.caCert] : [],
  });
  const flunders = new Map<string, Flunder>();
  const events: Event[] = [];
  const watchers = new Set<(e: Event) => void>();
  let rv = 1;
  let rejected = 0;
  const reviews: ExtensionApiServer["reviews"] = [];
  const sockets = new Set<Socket>();

  async function caller(
    req: IncomingMessage,
  ): Promise<{ user: string; groups: string[] } | undefined> {
    const peer = (req.socket as TLSSocket).getPeerCertificate?.(true) as
      | { raw?: Uint8Array }
      | undefined;
    if (!peer?.raw || peer.raw.length === 0) return undefined;
    const cert = new x509.X509Certificate(new Uint8Array(peer.raw));
    let trusted = false;
    for (const ca of authn.caCerts) {
      if (await cert.verify({ publicKey: ca.publicKey, date: new Date() })) {
        trusted = true;
      }
    }
    const cn = cert.subjectName.getField("CN")[0];
    if (!trusted) return undefined;
    if (authn.allowedNames.length && !authn.allowedNames.includes(cn)) {
      return undefined;
    }
    const user = authn.userHeaders.flatMap((h) => headerValues(req, h))[0];
    if (!user) return undefined;
    const groups = authn.groupHeaders.flatMap((h) => headerValues(req, h));
    return { user, groups };
  }

  async function authorize(
    who: { user: string; groups: string[] },
    attrs: Record<string, unknown>,
    nonResource?: { path: string; verb: string },
  ): Promise<boolean> {
    const res = await fetch(
      `${main.url}/apis/authorization.k8s.io/v1/subjectaccessreviews`,
      {
        method: "POST",
        client: mainClient,
        headers: {
          authorization: `Bearer ${main.token}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({
          apiVersion: "authorization.k8s.io/v1",
          kind: "SubjectAccessReview",
          spec: {
            user: who.user,
            groups: who.groups,
            ...(nonResource
              ? { nonResourceAttributes: nonResource }
              : { resourceAttributes: attrs }),
          },
        }),
      },
    );
    const body = await res.json();
    const allowed = res.ok && body.status?.allowed === true;
    reviews.push({
      user: who.user,
      verb: String(nonResource?.verb ?? attrs.verb),
      resource: String(nonResource?.path ?? attrs.resource),
      allowed,
    });
    return allowed;
  }

  function emit(type: Event["type"], object: Flunder): void {
    const e = { type, object, rv: Number(object.metadata.resourceVersion) };
    events.push(e);
    for (const w of watchers) w(e);
  }

  function serveWatch(
    req: IncomingMessage,
    res: ServerResponse,
    namespace: string,
    from: number,
  ): void {
    res.writeHead(200, {
      "content-type": "application/json",
      "transfer-encoding": "chunked",
    });
    const table = wantsTable(req);
    const send = (e: Event) => {
      if (namespace && e.object.metadata.namespace !== namespace) return;
      const object = table
        ? {
          kind: "Table",
          apiVersion: "meta.k8s.io/v1",
          metadata: { resourceVersion: e.object.metadata.resourceVersion },
          columnDefinitions: COLUMNS,
          rows: [row(e.object)],
        }
        : e.object;
      res.write(JSON.stringify({ type: e.type, object }) + "\n");
    };
    if (from === 0) {
      for (const f of flunders.values()) send({ type: "ADDED", object: f, rv });
    } else {
      for (const e of events) if (e.rv > from) send(e);
    }
    watchers.add(send);
    const end = () => watchers.delete(send);
    req.on("close", end);
    res.on("close", end);
  }

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const url = new URL(req.url ?? "/", "https://x");
    const who = await caller(req);
    if (!who) {
      rejected++;
      return json(res, 401, statusBody(401, "Unauthorized", "Unauthorized"));
    }
    const path = url.pathname.replace(/\/+$/, "");
    if (path === "/openapi/v3") {
      return json(res, 200, {
        paths: {
          [`apis/${GROUP}/${VERSION}`]: {
            serverRelativeURL:
              `/openapi/v3/apis/${GROUP}/${VERSION}?hash=${OPENAPI_HASH}`,
          },
        },
      });
    }
    if (path === `/openapi/v3/apis/${GROUP}/${VERSION}`) {
      return json(res, 200, OPENAPI_DOC);
    }
    if (path === PREFIX) {
      if (!await authorize(who, {}, { path, verb: "get" })) {
        return json(
          res,
          403,
          statusBody(
            403,
            "Forbidden",
            `forbidden: User "${who.user}" cannot get path "${path}"`,
          ),
        );
      }
      return json(res, 200, RESOURCE_LIST);
    }
    const m = new RegExp(
      `^${PREFIX}(?:/namespaces/([^/]+))?/flunders(?:/([^/]+))?$`,
    ).exec(path);
    if (!m) {
      return json(
        res,
        404,
        statusBody(
          404,
          "NotFound",
          "the server could not find the requested resource",
        ),
      );
    }
    const namespace = m[1] ?? "";
    const name = m[2] ?? "";
    const watch = url.searchParams.get("watch") === "true" ||
      url.searchParams.get("watch") === "1";
    const verb = req.method === "POST"
      ? "create"
      : req.method === "DELETE"
      ? "delete"
      : watch
      ? "watch"
      : name
      ? "get"
      : "list";
    const attrs = {
      namespace,
      verb,
      group: GROUP,
      version: VERSION,
      resource: "flunders",
      name,
    };
    if (!await authorize(who, attrs)) {
      const scope = namespace
        ? ` in the namespace "${namespace}"`
        : " at the cluster scope";
      return json(
        res,
        403,
        statusBody(
          403,
          "Forbidden",
          `flunders.${GROUP}${
            name ? ` "${name}"` : ""
          } is forbidden: User "${who.user}" cannot ${verb} resource "flunders" in API group "${GROUP}"${scope}`,
        ),
      );
    }
    if (verb === "watch") {
      return serveWatch(
        req,
        res,
        namespace,
        Number(url.searchParams.get("resourceVersion") || 0),
      );
    }
    if (verb === "create") {
      let obj: Partial<Flunder>;
      try {
        obj = JSON.parse(await readBody(req));
      } catch {
        return json(res, 400, statusBody(400, "BadRequest", "invalid JSON"));
      }
      const n = obj.metadata?.name ?? "";
      if (!n || !namespace) {
        return json(
          res,
          422,
          statusBody(422, "Invalid", "metadata.name: Required value"),
        );
      }
      if (flunders.has(`${namespace}/${n}`)) {
        return json(
          res,
          409,
          statusBody(
            409,
            "AlreadyExists",
            `flunders.${GROUP} "${n}" already exists`,
          ),
        );
      }
      const f: Flunder = {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: "Flunder",
        metadata: {
          name: n,
          namespace,
          uid: crypto.randomUUID(),
          resourceVersion: String(++rv),
          creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        },
        spec: obj.spec,
      };
      flunders.set(`${namespace}/${n}`, f);
      emit("ADDED", f);
      return json(res, 201, f);
    }
    if (verb === "delete") {
      const f = flunders.get(`${namespace}/${name}`);
      if (!f) {
        return json(
          res,
          404,
          statusBody(404, "NotFound", `flunders.${GROUP} "${name}" not found`),
        );
      }
      flunders.delete(`${namespace}/${name}`);
      f.metadata.resourceVersion = String(++rv);
      emit("DELETED", f);
      return json(res, 200, f);
    }
    if (verb === "get") {
      const f = flunders.get(`${namespace}/${name}`);
      if (!f) {
        return json(
          res,
          404,
          statusBody(404, "NotFound", `flunders.${GROUP} "${name}" not found`),
        );
      }
      if (wantsTable(req)) {
        return json(res, 200, {
          kind: "Table",
          apiVersion: "meta.k8s.io/v1",
          metadata: { resourceVersion: f.metadata.resourceVersion },
          columnDefinitions: COLUMNS,
          rows: [row(f)],
        });
      }
      return json(res, 200, f);
    }
    const items = [...flunders.values()].filter((f) =>
      !namespace || f.metadata.namespace === namespace
    );
    if (wantsTable(req)) {
      return json(res, 200, {
        kind: "Table",
        apiVersion: "meta.k8s.io/v1",
        metadata: { resourceVersion: String(rv) },
        columnDefinitions: COLUMNS,
        rows: items.map(row),
      });
    }
    return json(res, 200, {
      kind: "FlunderList",
      apiVersion: `${GROUP}/${VERSION}`,
      metadata: { resourceVersion: String(rv) },
      items,
    });
  }

  const server = https.createServer({
    cert: certs.certPem,
    key: certs.keyPem,
    requestCert: true,
    rejectUnauthorized: false,
  }, (req, res) => {
    handle(req, res).catch((err) => {
      try {
        json(res, 500, statusBody(500, "InternalError", String(err)));
      } catch {
        // the connection is gone
      }
    });
  });
  server.on("secureConnection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  let port = opts.port ?? 0;
  let listening = false;
  const start = async () => {
    if (listening) return;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    port = (server.address() as { port: number }).port;
    listening = true;
  };
  const stop = async () => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) =>
      server.close(() => resolve())
    );
    for (const s of sockets) s.destroy();
    sockets.clear();
    watchers.clear();
    await closed;
  };
  await start();
  return {
    get port() {
      return port;
    },
    caBundle: btoa(certs.caPem),
    reviews,
    get rejectedCallers() {
      return rejected;
    },
    start,
    stop,
    [Symbol.asyncDispose]: async () => {
      await stop();
      mainClient.close();
    },
  };
}

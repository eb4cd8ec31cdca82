/**
 * A webhook's `clientConfig`, validated as upstream: exactly one of `url`
 * (https, a host, no user information, fragment or query) or `service`
 * (name, namespace, port, path segments), and a base64 `caBundle`.
 *
 * @module
 */

import {
  type FieldError,
  invalid,
  required,
} from "../validation/field_error.ts";
import { isDns1123Subdomain } from "../validation/names.ts";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** `webhook.ValidateWebhookURL` with `forceHttps`. */
export function validateWebhookUrl(url: string, path: string): FieldError[] {
  const form = "; desired format: https://host[/path]";
  let u: URL;
  try {
    u = new URL(url);
  } catch (e) {
    return [
      required(
        path,
        `url must be a valid URL: ${(e as Error).message}${form}`,
      ),
    ];
  }
  const errs: FieldError[] = [];
  const scheme = u.protocol.replace(/:$/, "");
  if (scheme !== "https") {
    errs.push(
      invalid(path, scheme, `'https' is the only allowed URL scheme${form}`),
    );
  }
  if (u.host === "") {
    errs.push(invalid(path, u.host, `host must be provided${form}`));
  }
  if (u.username !== "" || u.password !== "") {
    const user = u.password ? `${u.username}:xxxxx` : u.username;
    errs.push(
      invalid(path, user, "user information is not permitted in the URL"),
    );
  }
  if (u.hash !== "" || url.includes("#")) {
    errs.push(
      invalid(
        path,
        u.hash.replace(/^#/, ""),
        "fragments are not permitted in the URL",
      ),
    );
  }
  if (u.search !== "" || /\?[^#]/.test(url)) {
    errs.push(
      invalid(
        path,
        u.search.replace(/^\?/, ""),
        "query parameters are not permitted in the URL",
      ),
    );
  }
  return errs;
}

function validateService(svc: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (typeof svc.name !== "string" || svc.name === "") {
    errs.push(required(`${path}.name`, "service name is required"));
  }
  if (typeof svc.namespace !== "string" || svc.namespace === "") {
    errs.push(required(`${path}.namespace`, "service namespace is required"));
  }
  const port = svc.port;
  if (
    typeof port !== "number" || !Number.isInteger(port) || port < 1 ||
    port > 65535
  ) {
    errs.push(
      invalid(
        `${path}.port`,
        port,
        "port is not valid: must be between 1 and 65535, inclusive",
      ),
    );
  }
  const p = svc.path;
  if (typeof p !== "string" || p === "" || p === "/") return errs;
  if (p === "//") {
    errs.push(invalid(`${path}.path`, p, "segment[0] may not be empty"));
    return errs;
  }
  if (!p.startsWith("/")) {
    errs.push(invalid(`${path}.path`, p, "must start with a '/'"));
  }
  let rest = p.slice(1);
  if (rest.endsWith("/")) rest = rest.slice(0, -1);
  rest.split("/").forEach((step, i) => {
    if (step === "") {
      errs.push(invalid(`${path}.path`, p, `segment[${i}] may not be empty`));
      return;
    }
    for (const m of isDns1123Subdomain(step)) {
      errs.push(invalid(`${path}.path`, p, `segment[${i}]: ${m}`));
    }
  });
  return errs;
}

/** `clientConfig` of a webhook at `path`. */
export function validateClientConfig(cc: unknown, path: string): FieldError[] {
  const c = isObj(cc) ? cc : {};
  const hasUrl = c.url !== undefined && c.url !== null;
  const hasService = c.service !== undefined && c.service !== null;
  const errs: FieldError[] = [];
  if (hasUrl === hasService) {
    errs.push(required(path, "exactly one of url or service is required"));
  } else if (hasUrl) {
    errs.push(...validateWebhookUrl(String(c.url), `${path}.url`));
  } else {
    errs.push(
      ...validateService(isObj(c.service) ? c.service : {}, `${path}.service`),
    );
  }
  const ca = c.caBundle;
  if (ca !== undefined && ca !== null && ca !== "") {
    if (typeof ca !== "string" || !isBase64(ca)) {
      errs.push(invalid(`${path}.caBundle`, "<bytes>", "must be base64"));
    }
  }
  return errs;
}

function isBase64(s: string): boolean {
  try {
    atob(s);
    return true;
  } catch {
    return false;
  }
}

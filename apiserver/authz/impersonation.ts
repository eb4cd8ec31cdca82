/**
 * User impersonation (`kubectl --as`, `--as-group`, `--as-uid`), as
 * kube-apiserver's `WithImpersonation` filter: the `Impersonate-User`,
 * `Impersonate-Group`, `Impersonate-Uid` and `Impersonate-Extra-<key>`
 * headers name another identity; the caller must be authorized for verb
 * `impersonate` on each part of it, and the request then runs as that
 * identity.
 *
 * @module
 */

import type { UserInfo } from "../request_context.ts";
import {
  SERVICE_ACCOUNT_USER_PREFIX,
  serviceAccountGroups,
  serviceAccountUsername,
} from "../serviceaccount/user.ts";
import { isDns1123Label, isDns1123Subdomain } from "../validation/names.ts";
import {
  type AuthorizationAttributes,
  type Authorizer,
  denialMessage,
} from "./authorizer.ts";
import { badRequestError, forbiddenError } from "../status/mod.ts";

/** The header naming the user to act as. */
export const IMPERSONATE_USER_HEADER = "Impersonate-User";
/** The header (repeatable) naming a group to act as. */
export const IMPERSONATE_GROUP_HEADER = "Impersonate-Group";
/** The header naming the uid to act as. */
export const IMPERSONATE_UID_HEADER = "Impersonate-Uid";
/** The prefix of headers naming an `extra` entry (`Impersonate-Extra-<key>`). */
export const IMPERSONATE_EXTRA_PREFIX = "Impersonate-Extra-";

const AUTHENTICATED = "system:authenticated";
const UNAUTHENTICATED = "system:unauthenticated";
const ANONYMOUS = "system:anonymous";
const AUTHN_GROUP = "authentication.k8s.io";
const AUTHN_VERSION = "v1";

/**
 * One thing the caller asks to impersonate (upstream builds a
 * `v1.ObjectReference` per request; its `%v` form appears in errors).
 */
export interface ImpersonationRequest {
  kind: "ServiceAccount" | "User" | "Group" | "UserExtra" | "UID";
  name: string;
  namespace?: string;
  /** For `UserExtra`: the (lowercased, unescaped) extra key. */
  extraKey?: string;
}

/**
 * Splits `system:serviceaccount:<ns>:<name>` as upstream's
 * `serviceaccount.SplitUsername` (valid namespace and name required), or
 * returns `undefined`.
 */
export function splitServiceAccountUsername(
  username: string,
): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_USER_PREFIX)) return undefined;
  const parts = username.slice(SERVICE_ACCOUNT_USER_PREFIX.length).split(":");
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts;
  if (isDns1123Label(namespace).length || isDns1123Subdomain(name).length) {
    return undefined;
  }
  return { namespace, name };
}

/**
 * The values of a header sent on several lines. `Headers` joins repeated
 * lines with `", "`, so they are split there again.
 */
function headerValues(headers: Headers, name: string): string[] {
  const v = headers.get(name);
  if (v === null) return [];
  return v.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

function unescapeExtraKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded; // upstream records malformed keys as they are
  }
}

/** Go's `%v` of the `v1.ObjectReference` upstream builds for `r`. */
function formatRequest(r: ImpersonationRequest): string {
  const apiVersion = r.kind === "UserExtra" || r.kind === "UID"
    ? `${AUTHN_GROUP}/${AUTHN_VERSION}`
    : "";
  const fields = [
    r.kind,
    r.namespace ?? "",
    r.name,
    "",
    apiVersion,
    "",
    r.extraKey ?? "",
  ];
  return `{${fields.join(" ")}}`;
}

/**
 * The impersonation requests in `headers` (user, groups, extras by key,
 * uid), or an empty list when there are none. Groups, extras or a uid
 * without a user are a 400 BadRequest as upstream.
 */
export function impersonationRequests(
  headers: Headers,
): ImpersonationRequest[] {
  const requests: ImpersonationRequest[] = [];
  const user = headers.get(IMPERSONATE_USER_HEADER) ?? "";
  if (user !== "") {
    const sa = splitServiceAccountUsername(user);
    requests.push(
      sa
        ? { kind: "ServiceAccount", namespace: sa.namespace, name: sa.name }
        : { kind: "User", name: user },
    );
  }
  const groups = headerValues(headers, IMPERSONATE_GROUP_HEADER);
  for (const g of groups) requests.push({ kind: "Group", name: g });
  const prefix = IMPERSONATE_EXTRA_PREFIX.toLowerCase();
  const extraHeaders = [...headers.keys()]
    .filter((h) => h.toLowerCase().startsWith(prefix))
    .sort();
  for (const h of extraHeaders) {
    const key = unescapeExtraKey(h.toLowerCase().slice(prefix.length));
    for (const value of headerValues(headers, h)) {
      requests.push({ kind: "UserExtra", name: value, extraKey: key });
    }
  }
  const uid = headers.get(IMPERSONATE_UID_HEADER) ?? "";
  if (uid !== "") requests.push({ kind: "UID", name: uid });
  if (
    user === "" &&
    (groups.length > 0 || extraHeaders.length > 0 || uid !== "")
  ) {
    throw badRequestError(
      `requested [${
        requests.map(formatRequest).join(" ")
      }] without impersonating a user`,
    );
  }
  return requests;
}

/** The authorization attributes checked for one impersonation request. */
export function impersonationAttributes(
  requestor: UserInfo,
  cluster: string,
  r: ImpersonationRequest,
): AuthorizationAttributes {
  const attrs: AuthorizationAttributes = {
    user: requestor,
    cluster,
    verb: "impersonate",
    isResourceRequest: true,
    apiGroup: "",
    apiVersion: "v1",
    resource: "",
    namespace: r.namespace ?? "",
    name: r.name,
  };
  switch (r.kind) {
    case "ServiceAccount":
      attrs.resource = "serviceaccounts";
      break;
    case "User":
      attrs.resource = "users";
      break;
    case "Group":
      attrs.resource = "groups";
      break;
    case "UserExtra":
      attrs.apiGroup = AUTHN_GROUP;
      attrs.apiVersion = AUTHN_VERSION;
      attrs.resource = "userextras";
      attrs.subresource = r.extraKey;
      break;
    case "UID":
      attrs.apiGroup = AUTHN_GROUP;
      attrs.apiVersion = AUTHN_VERSION;
      attrs.resource = "uids";
      break;
  }
  return attrs;
}

/**
 * The user a request acts as: `requestor` when it carries no impersonation
 * headers; otherwise, after authorizing verb `impersonate` for every
 * requested user, service account, group, extra and uid (403 Forbidden with
 * upstream's message on the first denial), the impersonated user — with
 * `system:authenticated` added (`system:unauthenticated` for
 * `system:anonymous`) and a service account's groups when no group was
 * requested.
 */
export async function impersonatedUser(
  headers: Headers,
  requestor: UserInfo,
  cluster: string,
  authorizer: Authorizer,
): Promise<UserInfo> {
  const requests = impersonationRequests(headers);
  if (requests.length === 0) return requestor;
  const groupsSpecified = requests.some((r) => r.kind === "Group");
  let username = "";
  let uid = "";
  let groups: string[] = [];
  const extra: Record<string, string[]> = {};
  for (const r of requests) {
    const attrs = impersonationAttributes(requestor, cluster, r);
    const decision = await authorizer.authorize(attrs);
    if (!decision.allowed) {
      throw forbiddenError(
        { group: attrs.apiGroup ?? "", resource: attrs.resource ?? "" },
        r.name,
        decision.reason ?? denialMessage(attrs),
      );
    }
    switch (r.kind) {
      case "ServiceAccount":
        // always set for a ServiceAccount request (split from its user name)
        username = serviceAccountUsername(r.namespace!, r.name);
        if (!groupsSpecified) {
          groups = serviceAccountGroups(r.namespace!);
        }
        break;
      case "User":
        username = r.name;
        break;
      case "Group":
        groups.push(r.name);
        break;
      case "UserExtra":
        (extra[r.extraKey ?? ""] ??= []).push(r.name);
        break;
      case "UID":
        uid = r.name;
        break;
    }
  }
  if (username !== ANONYMOUS) {
    if (!groups.includes(AUTHENTICATED) && !groups.includes(UNAUTHENTICATED)) {
      groups.push(AUTHENTICATED);
    }
  } else if (!groups.includes(UNAUTHENTICATED)) {
    groups.push(UNAUTHENTICATED);
  }
  const user: UserInfo = { username, groups };
  if (uid !== "") user.uid = uid;
  if (Object.keys(extra).length > 0) user.extra = extra;
  return user;
}

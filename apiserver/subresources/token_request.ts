/**
 * The TokenRequest API: `POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token`
 * (`kubectl create token`) answers an `authentication.k8s.io/v1`
 * `TokenRequest` whose `status.token` is a signed JWT for the service
 * account, as upstream's `serviceaccount/token` REST storage: audiences
 * default to the API server's, `expirationSeconds` to 3600 (at least 600),
 * and the token may be bound to a Secret of the namespace, so it stops
 * working when that Secret is deleted. The answer's metadata carries the
 * account's uid (a different one in the request: 409, as upstream).
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { isStorageError, objectKey } from "../../storage/mod.ts";
import { readDecodedBody } from "../http/body.ts";
import { createdResponse, createOnlyConversion } from "../reviews/mod.ts";
import {
  badRequestError,
  conflictError,
  invalidError,
  notFoundError,
} from "../status/mod.ts";
import type { BoundObject } from "../serviceaccount/mod.ts";
import {
  type FieldError,
  invalid,
  notSupported,
  required,
} from "../validation/field_error.ts";
import type { ResourceContext } from "../handlers/context.ts";
import { keyOf } from "../handlers/context.ts";
import {
  expectedType,
  normalizeIncoming,
  parseDryRun,
} from "../handlers/incoming.ts";
import { rfc3339 } from "../handlers/strategy.ts";

const GROUP = "authentication.k8s.io";
const KIND = "TokenRequest";

/** Default and minimum token lifetime, as upstream. */
export const DEFAULT_EXPIRATION_SECONDS = 3600;
export const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

interface BoundRef {
  kind?: unknown;
  apiVersion?: unknown;
  name?: unknown;
  uid?: unknown;
}

/** A token request's spec after defaulting and validation. */
interface TokenSpec {
  audiences: string[];
  expirationSeconds: number;
  boundObjectRef?: BoundRef;
}

/**
 * Defaults and validates the request (422 with every problem), as upstream's
 * TokenRequest REST storage and validation.
 */
function tokenSpec(
  ctx: ResourceContext,
  body: KubeObject,
  apiAudiences: readonly string[],
): TokenSpec {
  const spec = (body.spec ?? {}) as Record<string, unknown>;
  const errs: FieldError[] = [];
  const name = body.metadata.name;
  if (name !== undefined && name !== "" && name !== ctx.name) {
    errs.push(
      invalid(
        "metadata.name",
        name,
        "must match the service account name if specified",
      ),
    );
  }
  let audiences = spec.audiences ?? [];
  if (
    !Array.isArray(audiences) || audiences.some((a) => typeof a !== "string")
  ) {
    errs.push(
      invalid("spec.audiences", audiences, "must be a list of strings"),
    );
  } else if (audiences.length === 0) {
    audiences = [...apiAudiences];
  }
  const exp = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  if (typeof exp !== "number" || !Number.isInteger(exp)) {
    errs.push(invalid("spec.expirationSeconds", exp, "must be an integer"));
  } else if (exp < MIN_EXPIRATION_SECONDS) {
    errs.push(
      invalid(
        "spec.expirationSeconds",
        exp,
        "may not specify a duration less than 10 minutes",
      ),
    );
  } else if (exp > MAX_EXPIRATION_SECONDS) {
    errs.push(
      invalid(
        "spec.expirationSeconds",
        exp,
        "may not specify a duration larger than 2^32 seconds",
      ),
    );
  }
  const ref = (spec.boundObjectRef ?? undefined) as BoundRef | undefined;
  if (ref !== undefined) {
    if (ref.kind !== "Secret") {
      errs.push(
        notSupported("spec.boundObjectRef.kind", ref.kind, ["Secret"]),
      );
    } else if (ref.apiVersion !== undefined && ref.apiVersion !== "v1") {
      errs.push(
        notSupported("spec.boundObjectRef.apiVersion", ref.apiVersion, ["v1"]),
      );
    }
    if (typeof ref.name !== "string" || ref.name === "") {
      errs.push(required("spec.boundObjectRef.name"));
    }
  }
  if (errs.length > 0) throw invalidError(GROUP, KIND, ctx.name, errs);
  return {
    audiences: audiences as string[],
    expirationSeconds: exp as number,
    boundObjectRef: ref,
  };
}

/** Handles `create` on `serviceaccounts/<name>/token`. */
export async function handleTokenRequest(
  ctx: ResourceContext,
): Promise<Response> {
  // As upstream's create handler, the response is negotiated first: a
  // refused Accept mints no token. The subresource's kind (TokenRequest)
  // and the URL's namespace are checked as for any write.
  const conv = await createOnlyConversion(ctx.req, KIND);
  const { object } = await readDecodedBody(ctx.req, expectedType(ctx));
  const body = normalizeIncoming(ctx, object);
  const dryRun = parseDryRun(ctx, "CreateOptions");
  const issuer = ctx.services.tokenIssuer;
  const { audiences, expirationSeconds, boundObjectRef: ref } = tokenSpec(
    ctx,
    body,
    issuer.apiAudiences,
  );

  let sa: KubeObject;
  try {
    sa = await ctx.store.get(keyOf(ctx));
  } catch (e) {
    if (isStorageError(e, "NotFound")) {
      throw notFoundError({ group: "", resource: "serviceaccounts" }, ctx.name);
    }
    throw e;
  }
  if (sa.metadata.deletionTimestamp) {
    throw badRequestError(
      `service account ${ctx.namespace}/${ctx.name} is being deleted`,
    );
  }
  // As upstream (TokenRequestServiceAccountUIDValidation, on by default
  // since 1.34): a uid in the request must be the account's; the answer
  // carries the account's uid.
  const uid = sa.metadata.uid!;
  const askedUid = body.metadata.uid;
  if (askedUid && askedUid !== uid) {
    throw conflictError(
      { group: GROUP, resource: KIND },
      ctx.name,
      `the UID in the token request (${askedUid}) does not match the UID of the service account (${uid})`,
    );
  }
  const boundObject = ref ? await boundSecret(ctx, ref) : undefined;
  const issued = dryRun ? undefined : await issuer.issue({
    cluster: ctx.cluster,
    namespace: ctx.namespace,
    serviceAccount: { name: ctx.name, uid },
    audiences,
    expirationSeconds,
    boundObject,
  });
  const now = ctx.services.now();
  return createdResponse({
    kind: KIND,
    apiVersion: `${GROUP}/v1`,
    metadata: {
      name: ctx.name,
      namespace: ctx.namespace,
      uid,
      creationTimestamp: rfc3339(now),
    },
    spec: {
      audiences,
      expirationSeconds,
      boundObjectRef: ref
        ? {
          kind: "Secret",
          apiVersion: "v1",
          name: ref.name,
          uid: boundObject!.uid,
        }
        : null,
    },
    status: {
      token: issued?.token ?? "",
      expirationTimestamp: rfc3339(
        issued?.expirationTimestamp ??
          new Date(now.getTime() + expirationSeconds * 1000),
      ),
    },
  }, conv);
}

async function boundSecret(
  ctx: ResourceContext,
  ref: BoundRef,
): Promise<BoundObject> {
  const name = ref.name as string;
  const secretsDef = { group: "", resource: "secrets" };
  let secret: KubeObject;
  try {
    const def = ctx.services.builtin("", "v1", "secrets");
    if (!def) throw notFoundError(secretsDef, name);
    secret = await ctx.services.storeFor(def).get(objectKey({
      resource: "secrets",
      cluster: ctx.cluster,
      namespace: ctx.namespace,
      name,
    }));
  } catch (e) {
    if (isStorageError(e, "NotFound")) throw notFoundError(secretsDef, name);
    throw e;
  }
  const uid = secret.metadata.uid!;
  if (typeof ref.uid === "string" && ref.uid !== "" && ref.uid !== uid) {
    throw conflictError(
      secretsDef,
      name,
      `the UID in the bound object reference (${ref.uid}) does not match the UID in record (${uid}). The object might have been deleted and then recreated`,
    );
  }
  return { kind: "Secret", name, uid };
}

/**
 * Authenticates service account tokens (from the TokenRequest API) as
 * upstream's service account authenticator does for bound tokens: the JWT
 * must verify (signature, issuer, audience, expiry), the service account
 * must still exist with the same UID and not be being deleted, and so must
 * the Secret the token is bound to. A token is valid only in the virtual
 * cluster of its service account.
 *
 * @module
 */

import type { UserInfo } from "../request_context.ts";
import {
  InvalidTokenError,
  serviceAccountGroups,
  type ServiceAccountTokenIssuer,
  serviceAccountUsername,
} from "../serviceaccount/mod.ts";
import {
  type Authenticator,
  bearerToken,
  type TokenAuthenticator,
  type TokenResult,
} from "./authentication.ts";
import { clusterOfPath } from "./_paths.ts";
import { AuthenticationError } from "./errors.ts";

/** Where an object the authenticator checks lives. */
export interface ObjectRef {
  cluster: string;
  /** `serviceaccounts` or `secrets` (core group). */
  resource: string;
  namespace: string;
  name: string;
}

/** The parts of a stored object the authenticator reads. */
export interface LookedUpObject {
  metadata: { uid?: string; deletionTimestamp?: string };
}

/** Reads an object; `undefined` when it does not exist. */
export type ObjectLookup = (
  ref: ObjectRef,
) => Promise<LookedUpObject | undefined>;

/** The user-info extra key carrying the token's ID, as upstream. */
export const CREDENTIAL_ID_EXTRA = "authentication.kubernetes.io/credential-id";

/** An authenticator of the issuer's service account tokens. */
export function serviceAccountAuthenticator(opts: {
  issuer: ServiceAccountTokenIssuer;
  lookup: ObjectLookup;
}): Authenticator & TokenAuthenticator {
  const check = async (
    token: string,
    cluster: string,
    audiences: readonly string[] | undefined,
  ): Promise<TokenResult> => {
    let claims;
    try {
      claims = await opts.issuer.verify(token, audiences);
    } catch (e) {
      if (e instanceof InvalidTokenError) {
        return new AuthenticationError(e.message);
      }
      throw e;
    }
    if (claims === undefined) return undefined;
    if (cluster !== claims.cluster) {
      return new AuthenticationError(
        "service account token is not valid in this cluster",
      );
    }
    const { namespace, name } = claims;
    const sa = await opts.lookup({
      cluster,
      resource: "serviceaccounts",
      namespace,
      name,
    });
    if (!sa) {
      return new AuthenticationError(
        `service account ${namespace}/${name} has been deleted`,
      );
    }
    if (sa.metadata.uid !== claims.uid) {
      return new AuthenticationError(
        `service account UID (${sa.metadata.uid}) does not match claim (${claims.uid})`,
      );
    }
    if (sa.metadata.deletionTimestamp) {
      return new AuthenticationError(
        `service account ${namespace}/${name} is being deleted`,
      );
    }
    const bound = claims.boundObject;
    if (bound) {
      if (bound.kind !== "Secret") {
        return new AuthenticationError(
          `service account token is bound to a ${bound.kind}, which this server does not serve`,
        );
      }
      const secret = await opts.lookup({
        cluster,
        resource: "secrets",
        namespace,
        name: bound.name,
      });
      if (
        !secret || secret.metadata.uid !== bound.uid ||
        secret.metadata.deletionTimestamp
      ) {
        return new AuthenticationError(
          `the secret ${namespace}/${bound.name} the token is bound to no longer exists`,
        );
      }
    }
    const user: UserInfo = {
      username: serviceAccountUsername(namespace, name),
      uid: claims.uid,
      groups: serviceAccountGroups(namespace),
      extra: { [CREDENTIAL_ID_EXTRA]: [`JTI=${claims.id}`] },
    };
    const wanted = audiences && audiences.length > 0
      ? audiences
      : opts.issuer.apiAudiences;
    return {
      user,
      audiences: claims.audiences.filter((a) => wanted.includes(a)),
    };
  };
  return {
    async authenticate(req) {
      const token = bearerToken(req);
      if (token === undefined) return undefined;
      const cluster = clusterOfPath(new URL(req.url).pathname);
      const result = await check(token, cluster, undefined);
      return result instanceof AuthenticationError || result === undefined
        ? result
        : result.user;
    },
    authenticateToken(token, ctx) {
      return check(token, ctx.cluster, ctx.audiences);
    },
  };
}

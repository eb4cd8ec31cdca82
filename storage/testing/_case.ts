/**
 * The shape of one conformance case and the environment it runs in: a fresh
 * store factory and a resource no other case uses.
 *
 * @module
 */

import {
  clusterPrefix,
  DEFAULT_CLUSTER,
  namespacePrefix,
  objectKey,
  resourcePrefix,
  type ResourceRef,
  type Store,
  type StoreFactory,
} from "../mod.ts";
import { CONFORMANCE_GROUP } from "./_helpers.ts";
import type { RawWriter } from "./raw.ts";

/** The namespace keys use unless a case says otherwise. */
export const DEFAULT_NAMESPACE = "ns";

/** Where an object key or prefix points. */
export interface Place {
  /** Default {@linkcode DEFAULT_CLUSTER}. */
  cluster?: string;
  /** Default {@linkcode DEFAULT_NAMESPACE}; `null` for a cluster-scoped key. */
  namespace?: string | null;
}

/** What a case gets: a fresh factory and a resource unique to the case. */
export interface CaseEnv {
  /** A fresh store factory of the backend under test (from `open()`). */
  factory: StoreFactory;
  /** The case's own resource (unique per case and per run). */
  resource: ResourceRef;
  /** `factory.storeFor(resource)`. */
  store: Store;
  /** An object key of the case's resource. */
  key(name: string, place?: Place): string;
  /**
   * A list/watch prefix: the namespace's (default), the cluster's
   * (`namespace: null`) or, with `{ all: true }`, the whole resource's.
   */
  prefix(place?: Place & { all?: boolean }): string;
  /** Another resource unique to the case (`suffix` tells several apart). */
  otherResource(suffix: string): ResourceRef;
  /**
   * Stores `text` as the raw value of `key` below the store (the backend
   * wiring's `writeRaw`, `ConformanceOptions`); fails saying so when the
   * wiring gives none.
   */
  writeRaw(key: string, text: string): Promise<void>;
}

/** One named conformance case. */
export interface ConformanceCase {
  /** A sentence saying what the case proves. */
  name: string;
  /** The upstream driver(s) in `k8s.io/apiserver/pkg/storage/testing` it corresponds to. */
  upstream: string;
  /** The area (file) it belongs to. */
  area: string;
  /** Runs the case; throws (an assertion error) on failure. */
  run(env: CaseEnv): Promise<void>;
}

/**
 * Builds the environment for case number `n` on `factory`, with `writeRaw`
 * (if given) writing below it.
 */
export function caseEnv(
  factory: StoreFactory,
  n: number,
  writeRaw?: RawWriter,
): CaseEnv {
  const tag = crypto.randomUUID().replaceAll("-", "").slice(0, 8);
  const base = `c${n}x${tag}`;
  const resource: ResourceRef = { group: CONFORMANCE_GROUP, resource: base };
  const key = (name: string, place: Place = {}, ref = resource) => {
    const cluster = place.cluster ?? DEFAULT_CLUSTER;
    const namespace = place.namespace === null
      ? undefined
      : place.namespace ?? DEFAULT_NAMESPACE;
    return objectKey({ ...ref, cluster, namespace, name });
  };
  return {
    factory,
    resource,
    store: factory.storeFor(resource),
    key: (name, place) => key(name, place),
    prefix(place = {}) {
      if (place.all) return resourcePrefix(resource);
      const cluster = place.cluster ?? DEFAULT_CLUSTER;
      if (place.namespace === null) {
        return clusterPrefix({ ...resource, cluster });
      }
      return namespacePrefix({
        ...resource,
        cluster,
        namespace: place.namespace ?? DEFAULT_NAMESPACE,
      });
    },
    otherResource: (suffix) => ({
      group: CONFORMANCE_GROUP,
      resource: `${base}${suffix}`,
    }),
    writeRaw(key, text) {
      if (!writeRaw) {
        return Promise.reject(
          new Error(
            "this backend's conformance wiring gives no writeRaw " +
              "(ConformanceOptions.writeRaw): every backend must be able to " +
              "store a corrupt value for the corrupt-object cases",
          ),
        );
      }
      return writeRaw(factory, key, text);
    },
  };
}

/** Declares cases of one area (fills in `area`). */
export function casesOf(
  area: string,
  cases: Array<Omit<ConformanceCase, "area">>,
): ConformanceCase[] {
  return cases.map((c) => ({ ...c, area }));
}

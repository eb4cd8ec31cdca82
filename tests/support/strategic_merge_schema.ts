/**
 * A small pod-like schema for the strategic merge patch tests: the classic
 * upstream cases (containers merged by name, ports by containerPort,
 * finalizers as a merging set, a retainKeys strategy).
 *
 * @module
 */

import type { Schema } from "../../apiserver/schema/types.ts";

const strMap: Schema = {
  type: "object",
  additionalProperties: { type: "string" },
};

/** ObjectMeta-like: finalizers merge as a set, ownerReferences by uid. */
export const META: Schema = {
  type: "object",
  properties: {
    name: { type: "string" },
    labels: strMap,
    annotations: strMap,
    finalizers: {
      type: "array",
      items: { type: "string" },
      "x-kubernetes-list-type": "set",
      "x-kubernetes-patch-strategy": "merge",
    },
    ownerReferences: {
      type: "array",
      items: {
        type: "object",
        properties: {
          uid: { type: "string" },
          name: { type: "string" },
          kind: { type: "string" },
        },
      },
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["uid"],
      "x-kubernetes-patch-strategy": "merge",
      "x-kubernetes-patch-merge-key": "uid",
    },
  },
};

const PORT: Schema = {
  type: "object",
  properties: {
    containerPort: { type: "integer" },
    protocol: { type: "string", default: "TCP" },
    name: { type: "string" },
  },
};

const CONTAINER: Schema = {
  type: "object",
  properties: {
    name: { type: "string" },
    image: { type: "string" },
    args: { type: "array", items: { type: "string" } },
    ports: {
      type: "array",
      items: PORT,
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["containerPort", "protocol"],
      "x-kubernetes-patch-strategy": "merge",
      "x-kubernetes-patch-merge-key": "containerPort",
    },
    resources: {
      type: "object",
      properties: { limits: strMap },
    },
  },
};

/** A pod-like kind. */
export const POD: Schema = {
  type: "object",
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: META,
    spec: {
      type: "object",
      properties: {
        containers: {
          type: "array",
          items: CONTAINER,
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["name"],
          "x-kubernetes-patch-strategy": "merge",
          "x-kubernetes-patch-merge-key": "name",
        },
        nodeSelector: {
          ...strMap,
          "x-kubernetes-patch-strategy": "replace",
        },
        strategy: {
          type: "object",
          "x-kubernetes-patch-strategy": "retainKeys",
          properties: {
            type: { type: "string" },
            rollingUpdate: {
              type: "object",
              properties: { maxSurge: { type: "string" } },
            },
          },
        },
        tolerations: {
          type: "array",
          items: { type: "object", properties: { key: { type: "string" } } },
        },
      },
    },
    status: {
      type: "object",
      properties: {
        conditions: {
          type: "array",
          items: {
            type: "object",
            properties: {
              type: { type: "string" },
              status: { type: "string" },
            },
          },
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["type"],
          "x-kubernetes-patch-strategy": "merge",
          "x-kubernetes-patch-merge-key": "type",
        },
      },
    },
  },
};

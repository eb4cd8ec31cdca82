/**
 * Small inline schemas for the apply tests: a ConfigMap-like kind and a
 * pod-like kind with the classic keyed lists.
 *
 * @module
 */

import type { Schema } from "../../apiserver/schema/types.ts";

const strMap: Schema = {
  type: "object",
  additionalProperties: { type: "string" },
};

/** ObjectMeta-like. */
export const META: Schema = {
  type: "object",
  properties: {
    name: { type: "string" },
    namespace: { type: "string" },
    uid: { type: "string" },
    resourceVersion: { type: "string" },
    generation: { type: "integer" },
    creationTimestamp: { type: "string" },
    labels: strMap,
    annotations: strMap,
    finalizers: {
      type: "array",
      items: { type: "string" },
      "x-kubernetes-list-type": "set",
    },
    ownerReferences: {
      type: "array",
      items: {
        type: "object",
        properties: { uid: { type: "string" }, name: { type: "string" } },
      },
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["uid"],
    },
    managedFields: {
      type: "array",
      items: { type: "object" },
      "x-kubernetes-list-type": "atomic",
    },
  },
};

/** A ConfigMap-like kind. */
export const CONFIG_MAP: Schema = {
  type: "object",
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: META,
    data: strMap,
    immutable: { type: "boolean" },
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
      items: {
        type: "object",
        properties: {
          containerPort: { type: "integer" },
          protocol: { type: "string", default: "TCP" },
          name: { type: "string" },
        },
      },
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["containerPort", "protocol"],
    },
  },
};

/** A pod-like kind with a status subresource. */
export const POD: Schema = {
  type: "object",
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: META,
    spec: {
      type: "object",
      properties: {
        replicas: { type: "integer" },
        containers: {
          type: "array",
          items: CONTAINER,
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["name"],
        },
        selector: {
          type: "object",
          "x-kubernetes-map-type": "atomic",
          properties: { matchLabels: strMap },
        },
      },
    },
    status: {
      type: "object",
      properties: {
        phase: { type: "string" },
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
        },
      },
    },
  },
};

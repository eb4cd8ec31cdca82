/**
 * Example CRDs for tests: the CronTab from the Kubernetes documentation
 * (pattern, bounds, defaults, printer columns, status and scale
 * subresources, two versions).
 *
 * @module
 */

import type { Schema } from "../../apiserver/schema/types.ts";
import type { CustomResourceDefinition } from "../../apiserver/crd/types.ts";

/** The CronTab version schema. */
export function cronTabSchema(): Schema {
  return {
    type: "object",
    properties: {
      spec: {
        type: "object",
        properties: {
          cronSpec: {
            type: "string",
            pattern: "^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$",
          },
          image: { type: "string" },
          replicas: { type: "integer", minimum: 1, maximum: 10, default: 1 },
          selector: { type: "string" },
          tags: {
            type: "array",
            items: { type: "string" },
            "x-kubernetes-list-type": "set",
          },
          ports: {
            type: "array",
            "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name"],
            items: {
              type: "object",
              required: ["name"],
              properties: {
                name: { type: "string" },
                port: { type: "integer", default: 80 },
                protocol: {
                  type: "string",
                  enum: ["TCP", "UDP"],
                  default: "TCP",
                },
              },
            },
          },
        },
      },
      status: {
        type: "object",
        properties: {
          replicas: { type: "integer" },
          labelSelector: { type: "string" },
          conditions: {
            type: "array",
            items: {
              type: "object",
              properties: {
                type: { type: "string" },
                status: { type: "string" },
              },
            },
          },
        },
      },
    },
  };
}

/** A fresh CronTab CRD (`crontabs.stable.example.com`), namespaced. */
export function cronTabCrd(): CustomResourceDefinition {
  const version = (name: string, storage: boolean) => ({
    name,
    served: true,
    storage,
    schema: { openAPIV3Schema: cronTabSchema() },
    subresources: {
      status: {},
      scale: {
        specReplicasPath: ".spec.replicas",
        statusReplicasPath: ".status.replicas",
        labelSelectorPath: ".status.labelSelector",
      },
    },
    additionalPrinterColumns: [
      { name: "Spec", type: "string", jsonPath: ".spec.cronSpec" },
      { name: "Replicas", type: "integer", jsonPath: ".spec.replicas" },
      {
        name: "Ready",
        type: "string",
        jsonPath: '.status.conditions[?(@.type=="Ready")].status',
      },
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
    ],
  });
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "crontabs.stable.example.com" },
    spec: {
      group: "stable.example.com",
      scope: "Namespaced",
      names: {
        plural: "crontabs",
        singular: "crontab",
        kind: "CronTab",
        listKind: "CronTabList",
        shortNames: ["ct"],
        categories: ["all"],
      },
      versions: [version("v1beta1", false), version("v1", true)],
      conversion: { strategy: "None" },
    },
  };
}

/**
 * A fresh `widgets.<group>` CRD (kind `Widget`, namespaced, `v1`; group
 * `example.com` unless given) whose schema keeps any field: the custom
 * resource tests that are about something else than validation (garbage
 * collection, quota, teardown, output encoding).
 */
export function widgetCrd(group = "example.com"): CustomResourceDefinition {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: "Namespaced",
      names: {
        plural: "widgets",
        singular: "widget",
        kind: "Widget",
        listKind: "WidgetList",
      },
      versions: [{
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            "x-kubernetes-preserve-unknown-fields": true,
          },
        },
      }],
    },
  };
}

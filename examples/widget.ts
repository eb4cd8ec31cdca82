/**
 * `Widget` (`example.com/v1`): a native kind written in code, shared by the
 * examples. One {@linkcode ResourceDefinition} carries everything the
 * server needs: names, scope, the structural schema (OpenAPI, field
 * validation, apply), validation, defaulting, table columns and the
 * `status` subresource.
 *
 * @module
 */

import {
  type FieldError,
  kindSchema,
  type KubeObject,
  type ResourceDefinition,
} from "../mod.ts";

function spec(obj: KubeObject): Record<string, unknown> {
  const s = (obj as { spec?: unknown }).spec;
  return s && typeof s === "object" ? s as Record<string, unknown> : {};
}

/** The `widgets` resource of `example.com/v1`. */
export const widgets: ResourceDefinition = {
  group: "example.com",
  version: "v1",
  kind: "Widget",
  plural: "widgets",
  singular: "widget",
  shortNames: ["wd"],
  namespaced: true,
  // Served as a native kind (strategic merge patch, unknown fields
  // dropped), not as a custom resource.
  customResource: false,
  hasGeneration: true,
  schema: kindSchema("com.example.v1.Widget", "A Widget has a size.", {
    spec: {
      type: "object",
      description: "What the widget should be.",
      properties: {
        size: { type: "integer", description: "How big (1-10)." },
        color: { type: "string", description: "Its color." },
      },
    },
    status: {
      type: "object",
      description: "What the widget is.",
      properties: {
        built: { type: "boolean", description: "Built by the controller." },
      },
    },
  }),
  prepareForCreate(obj) {
    // Defaulting: a widget without a color is grey.
    const s = spec(obj);
    s.color ??= "grey";
    (obj as { spec?: unknown }).spec = s;
  },
  validate(obj) {
    const size = spec(obj).size;
    const errs: FieldError[] = [];
    if (typeof size !== "number" || size < 1 || size > 10) {
      errs.push({
        type: "FieldValueInvalid",
        field: "spec.size",
        value: size,
        detail: "must be an integer from 1 to 10",
      });
    }
    return errs;
  },
  columns: [
    {
      name: "Name",
      type: "string",
      format: "name",
      description: "The widget's name.",
      cell: (obj) => obj.metadata.name ?? "",
    },
    {
      name: "Size",
      type: "integer",
      description: "How big.",
      cell: (obj) => spec(obj).size ?? "",
    },
    {
      name: "Color",
      type: "string",
      description: "Its color.",
      cell: (obj) => spec(obj).color ?? "",
    },
  ],
  subresources: {
    status: {
      verbs: ["get", "patch", "update"],
      merge: (next, old) =>
        ({
          ...old,
          status: (next as { status?: unknown }).status,
        }) as KubeObject,
    },
  },
};

/**
 * From served kinds to what both documents need: the named kind and list
 * schemas, the `x-kubernetes-group-version-kind` extensions by definition
 * name, and the operations, grouped by group version.
 *
 * @module
 */

import {
  definitionOf,
  DELETE_OPTIONS,
  listSchema,
  named,
  type Schema,
  STATUS,
} from "../schema/mod.ts";
import { builtinSchema } from "../resources/kind_tables.ts";
import { DefinitionSet, type Dialect, type Json } from "./_definitions.ts";
import { crdKindSchema } from "./_crd_schema.ts";
import { defaultDefinitionName, groupVersionPath } from "./_names.ts";
import {
  DELETE_OPTIONS_NAME,
  kindPaths,
  PATCH_NAME,
  type PathItem,
  STATUS_NAME,
} from "./_operations.ts";
import type { ServedKind } from "./types.ts";

/** The PATCH body: any object (its meaning depends on the content type). */
const PATCH: Schema = named(PATCH_NAME, {
  type: "object",
  description:
    "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.",
});

/** One group version's share of the model. */
export interface GroupVersionModel {
  group: string;
  version: string;
  /** `api/v1`, `apis/rbac.authorization.k8s.io/v1`. */
  path: string;
  /** The kind and list schemas served in it. */
  roots: Schema[];
  paths: PathItem[];
}

/** Everything the v2 and v3 documents are made from. */
export interface OpenApiModel {
  groupVersions: GroupVersionModel[];
  /** Extra keys (gvk extensions) by definition name. */
  extensions: Map<string, Json>;
}

function namedKindSchema(k: ServedKind, dialect: Dialect): Schema {
  if (definitionOf(k.schema)) return k.schema;
  return named(
    defaultDefinitionName(k.group, k.version, k.kind),
    crdKindSchema(k.schema, dialect),
  );
}

function namedListSchema(k: ServedKind, item: Schema): Schema {
  const builtin = builtinSchema(k.group, k.version, `${k.kind}List`);
  const builtinItem = builtinSchema(k.group, k.version, k.kind);
  if (builtin && builtinItem === k.schema) return builtin;
  return listSchema(
    `${definitionOf(item)!.name}List`,
    item,
    `List of ${k.plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#lists-and-simple-lists`,
  );
}

function addGvk(
  ext: Map<string, Json>,
  name: string,
  gvk: { group: string; kind: string; version: string },
) {
  const entry = ext.get(name) ?? { "x-kubernetes-group-version-kind": [] };
  const list = entry["x-kubernetes-group-version-kind"] as typeof gvk[];
  if (
    !list.some((g) =>
      g.group === gvk.group && g.kind === gvk.kind && g.version === gvk.version
    )
  ) {
    list.push(gvk);
  }
  ext.set(name, entry);
}

/**
 * Builds the model of a kind set for one dialect (sorted, so equal sets give
 * equal output); unnamed (custom resource) schemas are published the way
 * upstream's CRD builder does for that dialect.
 */
export function buildModel(
  kinds: readonly ServedKind[],
  dialect: Dialect,
): OpenApiModel {
  const byGv = new Map<string, GroupVersionModel>();
  const extensions = new Map<string, Json>();
  const sorted = [...kinds].sort((a, b) =>
    `${a.group}/${a.version}/${a.kind}`.localeCompare(
      `${b.group}/${b.version}/${b.kind}`,
    )
  );
  for (const k of sorted) {
    const path = groupVersionPath(k.group, k.version);
    let gv = byGv.get(path);
    if (!gv) {
      gv = { group: k.group, version: k.version, path, roots: [], paths: [] };
      byGv.set(path, gv);
      addGvk(extensions, DELETE_OPTIONS_NAME, {
        group: k.group,
        kind: "DeleteOptions",
        version: k.version,
      });
    }
    const item = namedKindSchema(k, dialect);
    const list = namedListSchema(k, item);
    const names = {
      kind: definitionOf(item)!.name,
      list: definitionOf(list)!.name,
    };
    addGvk(extensions, names.kind, {
      group: k.group,
      kind: k.kind,
      version: k.version,
    });
    addGvk(extensions, names.list, {
      group: k.group,
      kind: `${k.kind}List`,
      version: k.version,
    });
    gv.roots.push(item, list);
    gv.paths.push(...kindPaths(k, names));
  }
  addGvk(extensions, STATUS_NAME, { group: "", kind: "Status", version: "v1" });
  return { groupVersions: [...byGv.values()], extensions };
}

/** The definitions of the given roots plus Status, DeleteOptions and Patch. */
export function definitionsOf(
  dialect: Dialect,
  roots: readonly Schema[],
  extensions: Map<string, Json>,
): Map<string, Json> {
  const set = new DefinitionSet(dialect, extensions);
  for (const root of [...roots, STATUS, DELETE_OPTIONS, PATCH]) {
    set.schemaOf(root);
  }
  return new Map([...set.definitions].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * A set of field paths stored as a tree, as upstream `fieldpath.Set`: a node
 * has *members* (paths ending here) and *children* (paths continuing
 * below). Converts to and from the FieldsV1 JSON of `managedFields`.
 *
 * @module
 */

import {
  compareElements,
  decodeElement,
  encodeElement,
  type FieldPath,
  type PathElement,
  PathElementError,
} from "./path.ts";

interface Child {
  pe: PathElement;
  set: FieldSet;
}

/** A set of field paths. Operations return new sets; `insert` mutates. */
export class FieldSet {
  /** Paths that end at this node, by encoded element. */
  readonly members: Map<string, PathElement> = new Map();
  /** Sub-sets for paths that continue below this node, by encoded element. */
  readonly children: Map<string, Child> = new Map();

  /** A set holding `paths`. */
  static of(...paths: FieldPath[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Adds `path` (the empty path is ignored: the root is never owned). */
  insert(path: FieldPath): this {
    if (path.length === 0) return this;
    const node = path.slice(0, -1).reduce<FieldSet>(
      (n, pe) => n.childOrCreate(pe),
      this,
    );
    const last = path[path.length - 1];
    node.members.set(encodeElement(last), last);
    return this;
  }

  /** The child set under element `pe`, created when missing. */
  childOrCreate(pe: PathElement): FieldSet {
    const k = encodeElement(pe);
    let c = this.children.get(k);
    if (!c) {
      c = { pe, set: new FieldSet() };
      this.children.set(k, c);
    }
    return c.set;
  }

  /** The child set under `pe`, if any. */
  child(pe: PathElement): FieldSet | undefined {
    return this.children.get(encodeElement(pe))?.set;
  }

  /** True when `pe` is a member of this node. */
  hasMember(pe: PathElement): boolean {
    return this.members.has(encodeElement(pe));
  }

  /** True when `path` is in the set. */
  has(path: FieldPath): boolean {
    if (path.length === 0) return false;
    const node = path.slice(0, -1).reduce<FieldSet | undefined>(
      (n, pe) => n?.child(pe),
      this,
    );
    return node?.hasMember(path[path.length - 1]) ?? false;
  }

  /** True when the set holds no path. */
  isEmpty(): boolean {
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.set.isEmpty()) return false;
    return true;
  }

  /** A deep copy. */
  clone(): FieldSet {
    return this.union(new FieldSet());
  }

  /** Paths in either set. */
  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const s of [this, other]) {
      for (const [k, pe] of s.members) out.members.set(k, pe);
    }
    for (const s of [this, other]) {
      for (const [k, c] of s.children) {
        const prev = out.children.get(k);
        out.children.set(k, {
          pe: c.pe,
          set: prev ? prev.set.union(c.set) : c.set.clone(),
        });
      }
    }
    return out.pruned();
  }

  /** Paths in this set but not in `other`. */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) {
      if (!other.members.has(k)) out.members.set(k, pe);
    }
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      out.children.set(k, {
        pe: c.pe,
        set: o ? c.set.difference(o.set) : c.set.clone(),
      });
    }
    return out.pruned();
  }

  /** Paths in both sets. */
  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) {
      if (other.members.has(k)) out.members.set(k, pe);
    }
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (o) out.children.set(k, { pe: c.pe, set: c.set.intersection(o.set) });
    }
    return out.pruned();
  }

  /** This set without the given paths and everything below them. */
  withoutPrefixes(prefixes: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) {
      if (!prefixes.members.has(k)) out.members.set(k, pe);
    }
    for (const [k, c] of this.children) {
      if (prefixes.members.has(k)) continue;
      const p = prefixes.children.get(k);
      out.children.set(k, {
        pe: c.pe,
        set: p ? c.set.withoutPrefixes(p.set) : c.set.clone(),
      });
    }
    return out.pruned();
  }

  /** Every path in the set, in upstream order. */
  paths(prefix: FieldPath = []): FieldPath[] {
    const out: FieldPath[] = [];
    const keys = new Map<string, PathElement>();
    for (const [k, pe] of this.members) keys.set(k, pe);
    for (const [k, c] of this.children) keys.set(k, c.pe);
    const sorted = [...keys.values()].sort(compareElements);
    for (const pe of sorted) {
      const k = encodeElement(pe);
      if (this.members.has(k)) out.push([...prefix, pe]);
      const c = this.children.get(k);
      if (c) out.push(...c.set.paths([...prefix, pe]));
    }
    return out;
  }

  private pruned(): this {
    for (const [k, c] of this.children) {
      if (c.set.isEmpty()) this.children.delete(k);
    }
    return this;
  }
}

/** A FieldsV1 document that cannot be decoded. */
export class FieldsV1Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FieldsV1Error";
  }
}

/** Encodes a set as FieldsV1 JSON (`{"f:data":{".":{},"f:key":{}}}`). */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  return emit(set, false);
}

function emit(set: FieldSet, self: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (self) out["."] = {};
  const keys = new Map<string, PathElement>();
  for (const [k, pe] of set.members) keys.set(k, pe);
  for (const [k, c] of set.children) if (!c.set.isEmpty()) keys.set(k, c.pe);
  for (const pe of [...keys.values()].sort(compareElements)) {
    const k = encodeElement(pe);
    const c = set.children.get(k);
    out[k] = c && !c.set.isEmpty() ? emit(c.set, set.members.has(k)) : {};
  }
  return out;
}

/** Decodes FieldsV1 JSON; throws {@linkcode FieldsV1Error} when malformed. */
export function fromFieldsV1(doc: unknown): FieldSet {
  const set = new FieldSet();
  read(doc, set, "");
  return set;
}

function read(doc: unknown, into: FieldSet, at: string): void {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new FieldsV1Error(`expected an object at ${at || "the root"}`);
  }
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (k === ".") {
      if (!isEmptyObject(v)) {
        throw new FieldsV1Error(`expected {} for "." at ${at || "the root"}`);
      }
      continue;
    }
    let pe: PathElement;
    try {
      pe = decodeElement(k);
    } catch (e) {
      if (e instanceof PathElementError) throw new FieldsV1Error(e.message);
      throw e;
    }
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      throw new FieldsV1Error(`expected an object for ${at}${k}`);
    }
    const entries = Object.keys(v);
    if (entries.length === 0) {
      into.members.set(encodeElement(pe), pe);
      continue;
    }
    if (entries.includes(".")) into.members.set(encodeElement(pe), pe);
    read(v, into.childOrCreate(pe), `${at}${k}/`);
  }
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v) &&
    Object.keys(v).length === 0;
}

/**
 * The ownership graph of one garbage collector: a node per object (keyed by
 * cluster and uid) with its owner references and its dependents. Owners
 * referenced before they are observed are *virtual* nodes until the API
 * confirms or denies them. The graph holds no I/O; the collector mutates it
 * from informer events and reads it to decide.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import type { ApiResource } from "../client/mod.ts";
import { ClusterMap } from "../../internal/cluster_map.ts";

/** An `ownerReferences` entry. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** The finalizer of foreground deletion. */
export const FOREGROUND_FINALIZER = "foregroundDeletion";
/** The finalizer of orphaning deletion. */
export const ORPHAN_FINALIZER = "orphan";

const NO_DEPENDENTS: ReadonlySet<GraphNode> = new Set();
/** The owners of every node without any (most objects): one shared array. */
const NO_OWNERS: OwnerReference[] = Object.freeze([]) as unknown as [];

/** What a node names its object by: `apiVersion`, `kind`, `name`. */
export interface NodeRef {
  apiVersion: string;
  kind: string;
  name: string;
}

/**
 * What a node keeps beyond its object: the identity of a virtual node
 * (until observed) and its links. Most nodes need none of it — observed,
 * no owner, no dependent —, so it is one optional object rather than
 * fields every node pays for.
 */
interface NodeExtra {
  /** A virtual node's uid, namespace and reference (dropped once observed). */
  virtual?: { uid: string; namespace: string; ref: NodeRef };
  owners: OwnerReference[];
  dependents?: Set<GraphNode>;
}

/**
 * One object (or a virtual owner) in the graph. An observed node keeps its
 * object and derives its uid, namespace and {@linkcode GraphNode.ref} from
 * it; only a virtual node stores the reference it was named by, and only a
 * node with owners or dependents stores links (a graph holds a node per
 * object of every cluster: each field is paid tens of thousands of times).
 */
export class GraphNode {
  /** The last observed object (undefined for a virtual node). */
  obj?: KubeObject;
  /** Its resource (undefined for a virtual node). */
  resource?: ApiResource;
  #extra?: NodeExtra;

  constructor(
    readonly cluster: string,
    uid: string,
    /** `apiVersion`, `kind`, `name` (and `namespace` once known). */
    ref: NodeRef,
    namespace = "",
  ) {
    this.#extra = { virtual: { uid, namespace, ref }, owners: NO_OWNERS };
  }

  /** The object's uid. */
  get uid(): string {
    return this.obj?.metadata.uid ?? this.#extra!.virtual!.uid;
  }

  /** The object's namespace (`""`: cluster-scoped, or not known yet). */
  get namespace(): string {
    const obj = this.obj;
    return obj
      ? obj.metadata.namespace ?? ""
      : this.#extra?.virtual?.namespace ?? "";
  }

  /** Owners as referenced by the object. */
  get owners(): OwnerReference[] {
    return this.#extra?.owners ?? NO_OWNERS;
  }

  set owners(refs: OwnerReference[]) {
    const x = this.#extra;
    if (x) x.owners = refs;
    else if (refs.length > 0) this.#extra = { owners: refs };
    GraphNode.#compact(this);
  }

  /**
   * `apiVersion`, `kind` and `name` of the object: the observed object's
   * (type meta from its resource when it has none), else the reference
   * the node was created from.
   */
  get ref(): NodeRef {
    const obj = this.obj;
    if (!obj) return this.#extra!.virtual!.ref;
    const r = this.resource!;
    return {
      apiVersion: obj.apiVersion ??
        (r.group ? `${r.group}/${r.version}` : "v1"),
      kind: obj.kind ?? r.kind,
      name: obj.metadata.name ?? "",
    };
  }

  /**
   * Records `obj` (of `resource`) as this node's object: its uid is the
   * node's, and its namespace the node's from now on.
   */
  observed(obj: KubeObject, resource: ApiResource): void {
    this.obj = obj;
    this.resource = resource;
    if (this.#extra) {
      this.#extra.virtual = undefined;
      GraphNode.#compact(this);
    }
  }

  /**
   * Drops `node`'s extra object once it holds nothing (static: a private
   * instance method would give every node a brand field).
   */
  static #compact(node: GraphNode): void {
    const x = node.#extra;
    if (
      x && !x.virtual && x.owners.length === 0 && x.dependents === undefined
    ) node.#extra = undefined;
  }

  /** Objects that reference this one. */
  get dependents(): ReadonlySet<GraphNode> {
    return this.#extra?.dependents ?? NO_DEPENDENTS;
  }

  /** Records that `d` references this node. */
  addDependent(d: GraphNode): void {
    const x = this.#extra ??= { owners: NO_OWNERS };
    (x.dependents ??= new Set()).add(d);
  }

  /** Forgets that `d` references this node. */
  removeDependent(d: GraphNode): void {
    const x = this.#extra;
    if (!x?.dependents?.delete(d)) return;
    if (x.dependents.size === 0) {
      x.dependents = undefined;
      GraphNode.#compact(this);
    }
  }

  /** True until the object itself has been observed. */
  get virtual(): boolean {
    return this.obj === undefined;
  }

  /** True when the object has a deletionTimestamp. */
  get beingDeleted(): boolean {
    return !!this.obj?.metadata.deletionTimestamp;
  }

  /** True when the object waits for its dependents (foreground deletion). */
  get deletingDependents(): boolean {
    return this.beingDeleted &&
      (this.obj!.metadata.finalizers ?? []).includes(FOREGROUND_FINALIZER);
  }

  /** True when the object waits for its dependents to be orphaned. */
  get orphaningDependents(): boolean {
    return this.beingDeleted &&
      (this.obj!.metadata.finalizers ?? []).includes(ORPHAN_FINALIZER);
  }

  /** Dependents that block this owner's foreground deletion. */
  blockingDependents(): GraphNode[] {
    return [...this.dependents].filter((d) =>
      d.owners.some((r) => r.uid === this.uid && r.blockOwnerDeletion)
    );
  }
}

/** The owner references of `obj` that carry a uid. */
export function ownerReferencesOf(obj: KubeObject): OwnerReference[] {
  const refs = obj.metadata.ownerReferences;
  if (!refs?.length) return NO_OWNERS;
  return refs.filter((r) => typeof r.uid === "string" && r.uid !== "")
    .map((r) => r as unknown as OwnerReference);
}

/** The reference of a node created for an object being observed (replaced at once). */
const NO_REF: NodeRef = Object.freeze({ apiVersion: "", kind: "", name: "" });

/** The key of a plain entry's resource: its object's type. */
function plainKey(obj: KubeObject): string {
  return `${obj.apiVersion} ${obj.kind}`;
}

/** The graph key of an object. */
export function nodeKey(cluster: string, uid: string): string {
  return `${cluster}|${uid}`;
}

/** What changed in the graph that needs the collector's attention. */
export interface GraphChanges {
  /** Nodes to run attemptToDelete on. */
  attemptToDelete: GraphNode[];
  /** Nodes to run attemptToOrphan on. */
  attemptToOrphan: GraphNode[];
}

/**
 * A plain entry of the graph: an observed object without owners,
 * dependents or deletion (most objects), kept as the object alone — its
 * cluster is that of the map it is in, its resource the one the graph
 * keeps for its `apiVersion` and `kind`. Made a {@linkcode GraphNode} when
 * asked for or linked.
 */
type Entry = GraphNode | KubeObject;

function sameResource(a: ApiResource, b: ApiResource): boolean {
  return a === b || (
    a.group === b.group && a.version === b.version &&
    a.resource === b.resource && a.kind === b.kind &&
    a.namespaced === b.namespaced &&
    a.verbs.join(",") === b.verbs.join(",")
  );
}

/**
 * The ownership graph: nodes by cluster, then by uid — no `cluster|uid`
 * key string per node, and the few dozen entries of the cluster whose
 * objects arrive together stay in the cache, where one map of every
 * cluster's objects cost a few cache misses per event (with
 * hundreds of thousands of entries). An object without owners,
 * dependents or deletion is kept as itself (a plain entry, see
 * {@linkcode Entry}) until a node is asked for: tens of thousands of
 * objects, each a node of its own, only to be found when something names
 * it as its owner.
 */
export class OwnershipGraph {
  #entries = new ClusterMap<Entry>();
  /**
   * The resource of plain entries by `apiVersion` and `kind`: the first
   * seen; objects of another resource of that type (a CRD defined
   * otherwise in another cluster) are never plain entries.
   */
  #plainResources = new Map<string, ApiResource>();

  /** The node for `cluster`/`uid`. */
  get(cluster: string, uid: string): GraphNode | undefined {
    const e = this.#entries.get(cluster, uid);
    return e === undefined || e instanceof GraphNode
      ? e
      : this.#promote(cluster, uid, e);
  }

  /** The node of a plain entry, kept in its place from now on. */
  #promote(cluster: string, uid: string, obj: KubeObject): GraphNode {
    const node = new GraphNode(cluster, uid, NO_REF);
    node.observed(obj, this.#plainResources.get(plainKey(obj))!);
    this.#entries.set(cluster, uid, node);
    return node;
  }

  /**
   * True when `obj` (of `resource`) may be kept as a plain entry (its
   * owners are checked by the caller).
   */
  #plain(resource: ApiResource, obj: KubeObject): boolean {
    if (
      obj.metadata.deletionTimestamp || typeof obj.apiVersion !== "string" ||
      typeof obj.kind !== "string"
    ) return false;
    const key = plainKey(obj);
    const known = this.#plainResources.get(key);
    if (known === undefined) this.#plainResources.set(key, resource);
    return known === undefined || sameResource(known, resource);
  }

  /** The node for a key from {@linkcode nodeKey}. */
  byKey(key: string): GraphNode | undefined {
    const bar = key.indexOf("|");
    return bar < 0
      ? undefined
      : this.get(key.slice(0, bar), key.slice(bar + 1));
  }

  /** How many nodes (real and virtual) the graph holds. */
  get size(): number {
    return this.#entries.size;
  }

  /** Applies an observed add or update of `obj` (of `resource`). */
  observe(
    cluster: string,
    resource: ApiResource,
    obj: KubeObject,
  ): GraphChanges {
    const out: GraphChanges = { attemptToDelete: [], attemptToOrphan: [] };
    const uid = obj.metadata.uid;
    if (!uid) return out;
    const refs = ownerReferencesOf(obj);
    const e = this.#entries.get(cluster, uid);
    let node: GraphNode;
    if (e instanceof GraphNode) node = e;
    else if (refs.length === 0 && this.#plain(resource, obj)) {
      // Nothing links to it or from it: kept (or replaced) as itself.
      this.#entries.set(cluster, uid, obj);
      return out;
    } else if (e !== undefined) node = this.#promote(cluster, uid, e);
    else {
      node = new GraphNode(cluster, uid, NO_REF);
      this.#entries.set(cluster, uid, node);
    }
    const wasVirtual = node.virtual;
    const hadOwners = node.owners.length > 0;
    // From here on the node's uid and namespace are the object's.
    node.observed(obj, resource);
    if (wasVirtual) {
      // Referenced before observed (upstream's virtual node): dependents
      // in another namespace than the owner turned out to be in hold
      // invalid references, to be judged now.
      for (const d of node.dependents) {
        if (node.namespace !== "" && d.namespace !== node.namespace) {
          out.attemptToDelete.push(d);
        }
      }
    }
    // Most objects have no owner, before or after: nothing to link.
    if (hadOwners || refs.length > 0) {
      this.#link(cluster, node, refs, out);
    }
    node.owners = refs;
    if (node.orphaningDependents) out.attemptToOrphan.push(node);
    if (node.deletingDependents) {
      out.attemptToDelete.push(node, ...node.dependents);
    }
    return out;
  }

  /** Links `node` to the owners `refs` names and unlinks those it no longer does. */
  #link(
    cluster: string,
    node: GraphNode,
    refs: OwnerReference[],
    out: GraphChanges,
  ): void {
    const before = new Map(node.owners.map((r) => [r.uid, r]));
    const after = new Map(refs.map((r) => [r.uid, r]));
    for (const [ownerUid, ref] of after) {
      const old = before.get(ownerUid);
      let owner = this.get(cluster, ownerUid);
      if (!owner) {
        owner = new GraphNode(cluster, ownerUid, {
          apiVersion: ref.apiVersion,
          kind: ref.kind,
          name: ref.name,
        }, node.namespace);
        this.#entries.set(cluster, ownerUid, owner);
        out.attemptToDelete.push(owner);
      }
      owner.addDependent(node);
      // A namespaced owner seen in another namespace than its dependent
      // (or of a cluster-scoped dependent) is an invalid reference: the
      // collector looks at it (event or deletion, as upstream).
      const misplaced = !old && !owner.virtual && owner.namespace !== "" &&
        owner.namespace !== node.namespace;
      if (owner.deletingDependents || misplaced) out.attemptToDelete.push(node);
      if (old?.blockOwnerDeletion && !ref.blockOwnerDeletion) {
        if (owner.deletingDependents) out.attemptToDelete.push(owner);
      }
    }
    for (const [ownerUid, old] of before) {
      if (after.has(ownerUid)) continue;
      const owner = this.get(cluster, ownerUid);
      if (!owner) continue;
      owner.removeDependent(node);
      if (old.blockOwnerDeletion && owner.deletingDependents) {
        out.attemptToDelete.push(owner);
      }
    }
  }

  /** Applies an observed deletion (or a virtual node found absent). */
  remove(cluster: string, uid: string): GraphChanges {
    const out: GraphChanges = { attemptToDelete: [], attemptToOrphan: [] };
    const e = this.#entries.get(cluster, uid);
    if (e === undefined) return out;
    if (!(e instanceof GraphNode)) {
      this.#entries.delete(cluster, uid);
      return out;
    }
    const node = e;
    this.#entries.delete(cluster, uid);
    for (const ref of node.owners) {
      const owner = this.get(cluster, ref.uid);
      if (!owner) continue;
      owner.removeDependent(node);
      if (owner.deletingDependents) out.attemptToDelete.push(owner);
      if (owner.virtual && owner.dependents.size === 0) {
        this.#entries.delete(cluster, ref.uid);
      }
    }
    out.attemptToDelete.push(...node.dependents);
    return out;
  }
}

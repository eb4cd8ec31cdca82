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
 * One object (or a virtual owner) in the graph. An observed node keeps its
 * object and derives its {@linkcode GraphNode.ref} from it; only a virtual
 * node stores the reference it was named by (a graph holds a node per
 * object of every cluster: each field is paid tens of thousands of times).
 */
export class GraphNode {
  /** Owners as referenced by the object. */
  owners: OwnerReference[] = NO_OWNERS;
  /** Created with the first dependent: most objects have none. */
  #dependents?: Set<GraphNode>;
  /** The last observed object (undefined for a virtual node). */
  obj?: KubeObject;
  /** Its resource (undefined for a virtual node). */
  resource?: ApiResource;
  /** The reference of a virtual node (dropped once observed). */
  #ref?: NodeRef;

  constructor(
    readonly cluster: string,
    readonly uid: string,
    /** `apiVersion`, `kind`, `name` (and `namespace` once known). */
    ref: NodeRef,
    public namespace = "",
  ) {
    this.#ref = ref;
  }

  /**
   * `apiVersion`, `kind` and `name` of the object: the observed object's
   * (type meta from its resource when it has none), else the reference
   * the node was created from.
   */
  get ref(): NodeRef {
    const obj = this.obj;
    if (!obj) return this.#ref!;
    const r = this.resource!;
    return {
      apiVersion: obj.apiVersion ??
        (r.group ? `${r.group}/${r.version}` : "v1"),
      kind: obj.kind ?? r.kind,
      name: obj.metadata.name ?? "",
    };
  }

  /** Records `obj` (of `resource`) as this node's object. */
  observed(obj: KubeObject, resource: ApiResource): void {
    this.obj = obj;
    this.resource = resource;
    this.#ref = undefined;
  }

  /** Objects that reference this one. */
  get dependents(): ReadonlySet<GraphNode> {
    return this.#dependents ?? NO_DEPENDENTS;
  }

  /** Records that `d` references this node. */
  addDependent(d: GraphNode): void {
    (this.#dependents ??= new Set()).add(d);
  }

  /** Forgets that `d` references this node. */
  removeDependent(d: GraphNode): void {
    this.#dependents?.delete(d);
    if (this.#dependents?.size === 0) this.#dependents = undefined;
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
 * The ownership graph: nodes by cluster, then uid (one map per cluster
 * rather than a `cluster|uid` key string per node).
 */
export class OwnershipGraph {
  #clusters = new Map<string, Map<string, GraphNode>>();
  #size = 0;

  /** The node for `cluster`/`uid`. */
  get(cluster: string, uid: string): GraphNode | undefined {
    return this.#clusters.get(cluster)?.get(uid);
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
    return this.#size;
  }

  #set(node: GraphNode): void {
    let nodes = this.#clusters.get(node.cluster);
    if (!nodes) this.#clusters.set(node.cluster, nodes = new Map());
    if (!nodes.has(node.uid)) this.#size++;
    nodes.set(node.uid, node);
  }

  #delete(cluster: string, uid: string): void {
    const nodes = this.#clusters.get(cluster);
    if (!nodes?.delete(uid)) return;
    this.#size--;
    if (nodes.size === 0) this.#clusters.delete(cluster);
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
    let node = this.get(cluster, uid);
    const refs = ownerReferencesOf(obj);
    if (!node) {
      node = new GraphNode(cluster, uid, NO_REF);
      this.#set(node);
    }
    const wasVirtual = node.virtual;
    node.namespace = obj.metadata.namespace ?? "";
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
    if (node.owners.length > 0 || refs.length > 0) {
      this.#link(cluster, node, refs, out);
    }
    node.owners = refs;
    node.observed(obj, resource);
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
        this.#set(owner);
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
    const node = this.get(cluster, uid);
    if (!node) return out;
    this.#delete(cluster, uid);
    for (const ref of node.owners) {
      const owner = this.get(cluster, ref.uid);
      if (!owner) continue;
      owner.removeDependent(node);
      if (owner.deletingDependents) out.attemptToDelete.push(owner);
      if (owner.virtual && owner.dependents.size === 0) {
        this.#delete(cluster, ref.uid);
      }
    }
    out.attemptToDelete.push(...node.dependents);
    return out;
  }
}

/**
 * What a control plane built in code is made of: the options of
 * `createControlPlane`, one plain typed object whose every part has a
 * default, so that the smallest program names only what it changes.
 *
 * @module
 */

import type { Logger } from "../log/mod.ts";
import type { Backends, FlagValues } from "../registry/mod.ts";
import type { StoreFactory } from "../storage/mod.ts";
import type {
  ApiServerOptions,
  AuthorizationMode,
  Authorizer,
  ResourceDefinition,
  ValidatingAdmission,
  VersionInfo,
} from "../apiserver/mod.ts";
import type { MutatingAdmission } from "../apiserver/admission/admission.ts";
import type { ControllerDescriptor } from "../controllers/mod.ts";
import type { VirtualClustersMode } from "../apiserver/tenancy/mod.ts";
import type { ControlPlaneAggregation } from "./aggregation.ts";

/** A storage backend chosen by name, opened (and closed) by the control plane. */
export interface BackendChoice {
  /** The backend's name (`memory`, `sqlite`, `etcd`, `spanner`, `postgres`). */
  backend: string;
  /**
   * Its flag block's values, by flag name without dashes
   * (`{ "sqlite-synchronous": "FULL" }`); flags left out take their default.
   */
  flags?: FlagValues;
  /** Where the backend is looked up; default: the built-in backends. */
  backends?: Backends;
}

/** How requests are authenticated (tokens, client certificates, service accounts). */
export interface AuthenticationOptions {
  /**
   * Extra bearer tokens and the users they stand for, besides the admin
   * token of `<dataDir>/auth/tokens.csv` (created when missing).
   */
  tokens?: ReadonlyMap<string, { username: string; groups: string[] }>;
  /**
   * CA bundle (PEM file) whose client certificates authenticate; default:
   * the generated client CA of `<dataDir>/tls/`, which also signs
   * {@linkcode ControlPlaneKubeconfigUser} certificates.
   */
  clientCaFile?: string;
  /** `iss` of service account tokens (default the in-cluster issuer URL). */
  serviceAccountIssuer?: string;
  /**
   * ECDSA P-256 key (PKCS#8 PEM) signing service account tokens; default
   * `<dataDir>/pki/service-account.key`, created with the first token. A
   * file given here is read at start, so a bad one stops the start.
   */
  serviceAccountKeyFile?: string;
}

/** How requests are authorized. */
export interface AuthorizationOptions {
  /** `RBAC` (default) or `AlwaysAllow` (unsafe, logged). */
  mode?: AuthorizationMode;
  /** Decides every request instead of `mode`'s authorizer. */
  authorizer?: Authorizer;
}

/** Admission plugins of the embedding program, run after the built-in ones. */
export interface AdmissionOptions {
  /** Validating plugins (they may refuse a write). */
  validating?: readonly ValidatingAdmission[];
  /** Mutating plugins (they may change a write). */
  mutating?: readonly MutatingAdmission[];
}

/** Where and how `serve()` listens (HTTPS only). */
export interface ServingOptions {
  /** The address to bind; default `127.0.0.1`. */
  address?: string;
  /** The port; default `0` (a free port, see `ServedControlPlane.port`). */
  port?: number;
  /**
   * A serving certificate of your own (PEM files); default: a generated
   * CA and serving pair under `<dataDir>/tls/`, reused across restarts.
   */
  tls?: { certFile: string; keyFile: string };
  /** Extra subject alternative names of the generated serving certificate. */
  sans?: readonly string[];
  /** Writes the admin kubeconfig here once serving. */
  kubeconfigPath?: string;
  /** Open connections beyond which new ones are refused; default: from the file limit. */
  maxConnections?: number;
  /** On close, keep serving with `/readyz` failing this long (default 0). */
  shutdownDelayMs?: number;
  /** On close, how long in-flight requests may take (default 60 000). */
  shutdownGraceMs?: number;
  /** Timeout of one health check (default 2 000). */
  readycheckTimeoutMs?: number;
}

/** Storage features that sit between the API and the backend. */
export interface StorageFeatures {
  /** The watch cache in front of the backend; default true. */
  watchCache?: boolean;
  /** Encryption at rest: an `EncryptionConfiguration` file. */
  encryption?: { configFile: string; automaticReload?: boolean };
  /**
   * Scheduled snapshots into `<dataDir>/snapshots/` (backends that can
   * snapshot online: sqlite), and the control socket
   * `hyperplane snapshot save` talks to.
   */
  snapshots?: { intervalMs: number; retention?: number };
}

/**
 * The kinds to serve: a built-in kind by resource name (`configmaps`, or
 * `<plural>.<group>` such as `roles.rbac.authorization.k8s.io`), or a
 * whole definition (your own native kind).
 */
export type ResourceChoice = string | ResourceDefinition;

/**
 * Controllers to run in-process: built-in ones in `--controllers` syntax
 * (`*`, `name`, `-name`), or your own {@linkcode ControllerDescriptor}s.
 */
export type ControllerChoice = string | ControllerDescriptor;

/** Options of `createControlPlane`; every part has a default. */
export interface ControlPlaneOptions {
  /**
   * An open store factory (yours to close), or a backend to open by name.
   * Default: the memory backend (state dies with the process).
   */
  storage?: StoreFactory | BackendChoice;
  /** Watch cache, encryption at rest, snapshots. */
  storageFeatures?: StorageFeatures;
  /**
   * Directory for certificates, tokens and backend files (mode 0700).
   * Default: a new temporary directory, removed by `close()`.
   */
  dataDir?: string;
  /**
   * The kinds served. Default: every built-in kind. `namespaces` is always
   * served (the server needs it). Leaving out RBAC's kinds keeps RBAC
   * deciding with its bootstrap policy only.
   */
  resources?: readonly ResourceChoice[];
  /**
   * Default `"*"`: every built-in controller whose kinds are served. In a
   * list, the strings select built-ins (none when there is no string).
   */
  controllers?: string | readonly ControllerChoice[];
  /** Tokens, client certificates, service account tokens. */
  authentication?: AuthenticationOptions;
  /**
   * API aggregation: APIServices delegate group/versions to extension API
   * servers through a front proxy (certificates generated under
   * `<dataDir>/tls/` unless given). Default: off (APIServices are stored,
   * nothing is delegated).
   */
  aggregation?: ControlPlaneAggregation;
  /** RBAC, AlwaysAllow or your own authorizer. */
  authorization?: AuthorizationOptions;
  /** Your admission plugins. */
  admission?: AdmissionOptions;
  /** Flow control seats (defaults 400 read-only and 200 mutating; 0: off). */
  flowControl?: {
    maxRequestsInflight?: number;
    maxMutatingRequestsInflight?: number;
  };
  /**
   * How `serve()` listens. Given here, certificates are prepared at
   * creation, so controllers publish the CA (`kube-root-ca.crt`) and sign
   * CSRs; otherwise that happens with the first `serve()`. Given here, the
   * controllers start once `serve()` listens (so `/readyz` answers without
   * waiting behind their first lists); otherwise at creation.
   */
  serving?: ServingOptions;
  /** Served at `/version`. */
  version?: VersionInfo;
  /**
   * `declared` (default): a path naming a virtual cluster with no
   * `VirtualCluster` object is 404; `implicit`: the first request creates
   * the cluster.
   */
  virtualClusters?: VirtualClustersMode;
  /** Default: no logs. */
  logger?: Logger;
  /**
   * More options of the API server (`createApiServer`), passed as they
   * are: the advanced knobs this object does not name.
   *
   * @ignore
   */
  apiServer?: Partial<Omit<ApiServerOptions, "storage" | "logger">>;
}

/**
 * The flags of API aggregation (`server` and `apiserver`): the front
 * proxy's client certificate, what `extension-apiserver-authentication`
 * publishes, and how an APIService's `spec.service` is resolved (hyperplane
 * serves no Services). Builds the typed {@linkcode AggregatorConfig}.
 *
 * @module
 */

import type { CliFlag, ParsedFlags } from "./flags.ts";
import { UsageError } from "./usage_error.ts";
import {
  parseServiceMapEntry,
  parseServiceMapFile,
  type ResolutionSource,
} from "../apiserver/aggregator/mod.ts";

/** The aggregation flags. */
export const AGGREGATOR_FLAGS: readonly CliFlag[] = [
  {
    name: "proxy-client-cert-file",
    description:
      "client certificate (PEM) presented to extension API servers; default <data-dir>/tls/front-proxy-client.crt, generated with its own CA (front-proxy-ca.crt)",
    placeholder: "FILE",
  },
  {
    name: "proxy-client-key-file",
    description: "private key (PEM) for --proxy-client-cert-file",
    placeholder: "FILE",
  },
  {
    name: "requestheader-client-ca-file",
    description:
      "CA bundle (PEM) that signed --proxy-client-cert-file, published to extension servers in kube-system/extension-apiserver-authentication (default: the generated front-proxy CA)",
    placeholder: "FILE",
  },
  {
    name: "requestheader-allowed-names",
    description:
      "common names the front-proxy certificate may carry, published to extension servers (comma-separated; default front-proxy-client; empty: any)",
    placeholder: "LIST",
  },
  {
    name: "aggregator-service-map",
    description:
      "where an APIService's spec.service is served: namespace/name:port=https://host:port (repeatable)",
    multiple: true,
    placeholder: "ENTRY",
  },
  {
    name: "aggregator-service-map-file",
    description:
      "file of --aggregator-service-map entries, one a line (# comments)",
    placeholder: "FILE",
  },
  {
    name: "aggregator-service-resolution",
    description:
      "how spec.service is resolved, in order: static (the service map), dns (<name>.<namespace>.svc[.<domain>])",
    default: "static,dns",
    placeholder: "LIST",
  },
  {
    name: "aggregator-dns-domain",
    description:
      "cluster domain appended to <name>.<namespace>.svc for dns resolution (e.g. cluster.local)",
    placeholder: "DOMAIN",
  },
];

/** Aggregation settings from the flags. */
export interface AggregatorConfig {
  proxyClientCertFile?: string;
  proxyClientKeyFile?: string;
  requestHeaderClientCaFile?: string;
  allowedNames: string[];
  staticMap: Map<string, string>;
  sources: ResolutionSource[];
  dnsDomain?: string;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** Reads and checks the aggregation flags (throws a one-line {@linkcode UsageError}). */
export async function aggregatorConfig(
  parsed: ParsedFlags,
): Promise<AggregatorConfig> {
  const v = parsed.values;
  const problems: string[] = [];
  const certFile = str(v["proxy-client-cert-file"]);
  const keyFile = str(v["proxy-client-key-file"]);
  const caFile = str(v["requestheader-client-ca-file"]);
  if ((certFile === undefined) !== (keyFile === undefined)) {
    problems.push(
      "--proxy-client-cert-file and --proxy-client-key-file must be given together",
    );
  }
  if (certFile && !caFile) {
    problems.push(
      "--proxy-client-cert-file needs --requestheader-client-ca-file (the CA extension servers verify it with)",
    );
  }
  const names = v["requestheader-allowed-names"];
  const allowedNames = typeof names === "string"
    ? names.split(",").map((s) => s.trim()).filter((s) => s !== "")
    : ["front-proxy-client"];
  const staticMap = new Map<string, string>();
  const file = str(v["aggregator-service-map-file"]);
  if (file) {
    try {
      for (
        const [k, url] of parseServiceMapFile(
          await Deno.readTextFile(file),
          file,
        )
      ) staticMap.set(k, url);
    } catch (e) {
      problems.push(`--aggregator-service-map-file: ${(e as Error).message}`);
    }
  }
  const entries = v["aggregator-service-map"];
  for (const entry of Array.isArray(entries) ? entries : []) {
    try {
      const [k, url] = parseServiceMapEntry(entry);
      staticMap.set(k, url);
    } catch (e) {
      problems.push(`--aggregator-service-map: ${(e as Error).message}`);
    }
  }
  const sources: ResolutionSource[] = [];
  const spec = String(v["aggregator-service-resolution"] ?? "static,dns");
  for (const s of spec.split(",").map((x) => x.trim()).filter(Boolean)) {
    if (s !== "static" && s !== "dns") {
      problems.push(
        `--aggregator-service-resolution: unknown source ${
          JSON.stringify(s)
        } (want static, dns)`,
      );
    } else if (!sources.includes(s)) sources.push(s);
  }
  if (sources.length === 0) {
    problems.push("--aggregator-service-resolution must name a source");
  }
  if (problems.length) throw new UsageError(problems.join("; "));
  return {
    proxyClientCertFile: certFile,
    proxyClientKeyFile: keyFile,
    requestHeaderClientCaFile: caFile,
    allowedNames,
    staticMap,
    sources,
    dnsDomain: str(v["aggregator-dns-domain"]),
  };
}

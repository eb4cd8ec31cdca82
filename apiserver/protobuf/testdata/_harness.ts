/**
 * Shared by `generate.ts` and the live kubectl test: runs one case with
 * `--dry-run=server` to capture its protobuf body, or with
 * `--dry-run=client -o json` to get kubectl's own JSON for it.
 *
 * @module
 */

import { captureKubectl } from "../../../tests/support/kubectl_capture.ts";
import { BIN_FILE_BYTES, type KubectlCase, ROLE_MANIFEST } from "./cases.ts";

/** Scratch files a case may reference. */
export interface CaseFiles {
  /** A `$HOME` for kubectl (its cache goes there). */
  home: string;
  /** The `{bin}` file. */
  bin: string;
  /** The `{role}` manifest. */
  role: string;
}

/** Creates the scratch files, runs `fn`, removes them. */
export async function withCaseFiles<T>(
  fn: (files: CaseFiles) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "hyperplane-protobuf-" });
  try {
    const files = {
      home: `${dir}/home`,
      bin: `${dir}/blob.bin`,
      role: `${dir}/role.yaml`,
    };
    await Deno.mkdir(files.home);
    await Deno.writeFile(files.bin, BIN_FILE_BYTES);
    await Deno.writeTextFile(files.role, ROLE_MANIFEST);
    return await fn(files);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function argsFor(c: KubectlCase, files: CaseFiles): string[] {
  return c.args.map((a) =>
    a.replaceAll("{bin}", files.bin).replaceAll("{role}", files.role)
  );
}

/** Whether the case is a `create` kubectl can dry-run on the client. */
function isCreate(c: KubectlCase): boolean {
  return c.args[0] === "create" && c.args[1] !== "token";
}

/** The one protobuf body the case sends (fails if it sends another count). */
export async function captureCase(
  kubectl: string,
  c: KubectlCase,
  files: CaseFiles,
): Promise<Uint8Array> {
  const args = argsFor(c, files);
  if (isCreate(c)) args.push("--dry-run=server");
  const cap = await captureKubectl(kubectl, args, { home: files.home });
  const bodies = cap.bodies.filter((r) =>
    r.contentType === "application/vnd.kubernetes.protobuf"
  );
  if (bodies.length !== 1 || cap.bodies.length !== 1) {
    throw new Error(
      `${c.name}: expected one protobuf body, got ${
        cap.bodies.map((r) => `${r.method} ${r.url} (${r.contentType})`)
          .join(", ")
      }`,
    );
  }
  return bodies[0].body;
}

/** kubectl's own JSON for a `create` case (`--dry-run=client -o json`). */
export async function clientDryRunJson(
  kubectl: string,
  c: KubectlCase,
  files: CaseFiles,
): Promise<Record<string, unknown>> {
  if (!isCreate(c)) {
    throw new Error(`${c.name}: no client dry run; give expected`);
  }
  const cap = await captureKubectl(kubectl, [
    ...argsFor(c, files),
    "--dry-run=client",
    "-o",
    "json",
  ], { home: files.home });
  return JSON.parse(cap.result.stdout);
}

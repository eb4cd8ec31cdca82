/**
 * Static bearer tokens in kube-apiserver's `--token-auth-file` format, one
 * CSV record per line: `token,user,uid[,"group1,group2"]`. The admin token
 * lives in such a file under the data directory, so it survives restarts and
 * more tokens can be added by hand.
 *
 * @module
 */

import type { UserInfo } from "../request_context.ts";
import { readIfExists, writeFileAtomic } from "../../storage/files.ts";
import { TokenFileError } from "./errors.ts";
import { toHex } from "../../internal/hex.ts";

/** The admin user's name. */
export const ADMIN_USER = "admin";
/** The admin user's groups (cluster-admin through RBAC's bootstrap policy). */
export const ADMIN_GROUPS: readonly string[] = ["system:masters"];
/** Where {@linkcode ensureAdminToken} keeps tokens, relative to the data dir. */
export const TOKEN_FILE = "auth/tokens.csv";

/** Splits one CSV record (RFC 4180 quoting, no embedded newlines). */
function splitCsv(line: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  while (true) {
    while (line[i] === " ") i++; // leading space is trimmed, as Go's csv does
    let field = "";
    if (line[i] === '"') {
      i++;
      while (true) {
        if (i >= line.length) return undefined; // unterminated quote
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      if (i < line.length && line[i] !== ",") return undefined;
    } else {
      const end = line.indexOf(",", i);
      field = line.slice(i, end < 0 ? line.length : end);
      if (field.includes('"')) return undefined;
      i = end < 0 ? line.length : end;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

/**
 * Parses a static token file. Blank lines and lines starting with `#` are
 * skipped. Throws {@linkcode TokenFileError} (with the line number) for a
 * malformed record, an empty token or user, or a duplicate token.
 */
export function parseTokenFile(
  text: string,
  path: string,
): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const n = index + 1;
    const fields = splitCsv(line);
    if (!fields) throw new TokenFileError(path, n, "malformed CSV record");
    if (fields.length < 3) {
      throw new TokenFileError(
        path,
        n,
        `want token,user,uid[,"groups"], got ${fields.length} field(s)`,
      );
    }
    const [token, username, uid, groupList] = fields;
    if (token === "") throw new TokenFileError(path, n, "empty token");
    if (username === "") throw new TokenFileError(path, n, "empty user name");
    if (tokens.has(token)) throw new TokenFileError(path, n, "duplicate token");
    const groups = (groupList ?? "").split(",").map((g) => g.trim()).filter(
      (g) => g !== "",
    );
    tokens.set(token, { username, uid, groups });
  }
  return tokens;
}

/** Reads and parses a static token file (see {@linkcode parseTokenFile}). */
export async function loadTokenFile(
  path: string,
): Promise<Map<string, UserInfo>> {
  return parseTokenFile(await Deno.readTextFile(path), path);
}

function csvField(s: string): string {
  return /[",\s]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Formats one token-file record. */
export function formatTokenRecord(token: string, user: UserInfo): string {
  return [token, user.username, user.uid ?? "", user.groups.join(",")]
    .map(csvField).join(",");
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return toHex(bytes);
}

/** The admin token and the token file it came from. */
export interface AdminToken {
  /** The admin's bearer token. */
  token: string;
  /** The token file (`<dataDir>/auth/tokens.csv`). */
  file: string;
  /** Every token of the file, ready for a bearer token authenticator. */
  tokens: Map<string, UserInfo>;
}

/**
 * Returns the admin's bearer token from `<dataDir>/auth/tokens.csv`,
 * generating a random one (and the file, mode 0600) when there is none.
 * Other records of the file are kept.
 */
export async function ensureAdminToken(
  opts: { dataDir: string },
): Promise<AdminToken> {
  const file = `${opts.dataDir}/${TOKEN_FILE}`;
  const text = await readIfExists(file) ?? "";
  const tokens = parseTokenFile(text, file);
  for (const [token, user] of tokens) {
    if (user.username === ADMIN_USER) return { token, file, tokens };
  }
  const token = randomToken();
  const admin: UserInfo = {
    username: ADMIN_USER,
    uid: ADMIN_USER,
    groups: [...ADMIN_GROUPS],
  };
  const prefix = text === "" || text.endsWith("\n") ? text : `${text}\n`;
  await writeFileAtomic(
    file,
    `${prefix}${formatTokenRecord(token, admin)}\n`,
  );
  tokens.set(token, admin);
  return { token, file, tokens };
}

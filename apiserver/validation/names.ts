/**
 * Name rules from `k8s.io/apimachinery/pkg/util/validation`: each function
 * returns the list of problems (upstream's wording), empty when valid.
 *
 * @module
 */

const DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const QUALIFIED_NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_VALUE = `(${QUALIFIED_NAME})?`;

const labelRe = new RegExp(`^${DNS1123_LABEL}$`);
const subdomainRe = new RegExp(`^${DNS1123_SUBDOMAIN}$`);
const qualifiedRe = new RegExp(`^${QUALIFIED_NAME}$`);
const labelValueRe = new RegExp(`^${LABEL_VALUE}$`);

/** Longest DNS-1123 label. */
export const DNS1123_LABEL_MAX = 63;
/** Longest DNS-1123 subdomain. */
export const DNS1123_SUBDOMAIN_MAX = 253;

function maxLen(n: number): string {
  return `must be no more than ${n} characters`;
}

/** A lowercase RFC 1123 label (`my-name`). */
export function isDns1123Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > DNS1123_LABEL_MAX) errs.push(maxLen(DNS1123_LABEL_MAX));
  if (!labelRe.test(v)) {
    errs.push(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '" +
        DNS1123_LABEL + "')",
    );
  }
  return errs;
}

/** A lowercase RFC 1123 subdomain (`example.com`). */
export function isDns1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > DNS1123_SUBDOMAIN_MAX) {
    errs.push(maxLen(DNS1123_SUBDOMAIN_MAX));
  }
  if (!subdomainRe.test(v)) {
    errs.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '" +
        DNS1123_SUBDOMAIN + "')",
    );
  }
  return errs;
}

/** A name usable as one URL path segment (RBAC object names). */
export function isPathSegmentName(v: string): string[] {
  if (v === "." || v === "..") return [`may not be '${v}'`];
  const errs: string[] = [];
  for (const c of ["/", "%"]) {
    if (v.includes(c)) errs.push(`may not contain '${c}'`);
  }
  return errs;
}

/** A qualified name (`prefix/name`), as label and annotation keys. */
export function isQualifiedName(v: string): string[] {
  const parts = v.split("/");
  let name: string;
  const errs: string[] = [];
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const [prefix, n] = parts;
    name = n;
    if (prefix.length === 0) {
      errs.push("prefix part must be non-empty");
    } else {
      for (const m of isDns1123Subdomain(prefix)) {
        errs.push("prefix part " + m);
      }
    }
  } else {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '" +
      QUALIFIED_NAME +
      "') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) {
    errs.push("name part must be non-empty");
  } else if (name.length > 63) {
    errs.push("name part " + maxLen(63));
  }
  if (name.length > 0 && !qualifiedRe.test(name)) {
    errs.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '" +
        QUALIFIED_NAME + "')",
    );
  }
  return errs;
}

/** A label value: empty or a ≤63-character qualified name part. */
export function isValidLabelValue(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLen(63));
  if (!labelValueRe.test(v)) {
    errs.push(
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '" +
        LABEL_VALUE + "')",
    );
  }
  return errs;
}

/** A name validator: returns problems for a full name (or a generateName prefix). */
export type NameValidator = (name: string, prefix: boolean) => string[];

/** Names that must be DNS-1123 subdomains (most kinds). */
export const subdomainName: NameValidator = (name, prefix) =>
  isDns1123Subdomain(prefix ? generatedFrom(name) : name);

/** Names that must be DNS-1123 labels (namespaces). */
export const labelName: NameValidator = (name, prefix) =>
  isDns1123Label(prefix ? generatedFrom(name) : name);

/** Names that only need to be one path segment (RBAC). */
export const pathSegmentName: NameValidator = (name, prefix) =>
  isPathSegmentName(prefix ? generatedFrom(name) : name);

/** Random characters upstream's `SimpleNameGenerator` appends. */
const GENERATED_SUFFIX_LENGTH = 5;
/** Longest prefix upstream's `SimpleNameGenerator` keeps. */
const MAX_GENERATED_PREFIX = DNS1123_LABEL_MAX - GENERATED_SUFFIX_LENGTH;

/**
 * A name as upstream's `SimpleNameGenerator` would make from a
 * `generateName` prefix (truncated to 58 characters, 5 random alphanumerics
 * appended), with a fixed suffix: a prefix is valid when the names it
 * generates are, so `foo-` and `foo.` are fine and `Foo` is not.
 */
export function generatedFrom(prefix: string): string {
  return prefix.slice(0, MAX_GENERATED_PREFIX) +
    "x".repeat(GENERATED_SUFFIX_LENGTH);
}

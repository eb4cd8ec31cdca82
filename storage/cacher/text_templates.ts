/**
 * Shared templates for the watch cache's JSON texts. Objects made by the
 * same code differ only in a few per-object values — every virtual
 * cluster's copy of the bootstrap policy differs from the next one's in
 * its `uid`, `resourceVersion` and `creationTimestamp` — so the cache keeps
 * such a text as one shared template (the text with those values cut out)
 * and the object's own values, and builds the text again when it is read.
 *
 * The split is exact whatever the text holds: the template's chunks and
 * the values, interleaved, are the text, character for character. Which
 * values are cut out only decides how much is shared.
 *
 * Only texts that do share are kept so: a template is made when its text
 * is seen a second time (the pool remembers the hashes of a bounded number
 * of recent first sightings), so an object unlike any other — most objects
 * of a single cluster — is kept whole and costs neither memory nor a
 * rebuild on every read.
 *
 * @module
 */

/**
 * The string values cut out of a text: the ones every object has of its
 * own. A value is cut at each `"<name>":"` in the text (in JSON text that
 * sequence can only be a key with a string value), up to the next `"`.
 */
const CUT =
  /"(?:uid|resourceVersion|creationTimestamp|time|lastTransitionTime)":"/g;

/** Separates chunks in a template's key and values in a filled text's values. */
const SEP = "\0";

/**
 * Texts longer than this are kept whole: templates pay off for the many
 * small objects of many clusters, and a long text's scan and key cost more
 * than sharing is likely to save.
 */
const MAX_TEXT = 32 * 1024;

/**
 * First sightings remembered per pool (FIFO), as 30-bit hashes of their
 * keys (a few bytes each, however long the text): a hash that collides
 * only makes a template for a text seen once, which still reads back
 * exactly.
 */
const SEEN_MAX = 4096;

/** FNV-1a of `text`, cut to 30 bits (a small integer for V8). */
function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return h >>> 2;
}

/** A text with its per-object values cut out, shared by every equal text. */
export class TextTemplate {
  /** The chunks joined with `"\0"` (the pool's key). */
  readonly key: string;
  /** The text between the values: one more than the values. */
  readonly #chunks: readonly string[];
  /** Texts that hold this template (the pool forgets it at zero). */
  refs = 0;
  /** The hint this template was last found for (see {@linkcode TextTemplates.share}). */
  hint: string | undefined;

  /**
   * A template from its key (`chunks.join("\0")`). The chunks are split
   * from the key again, not taken from the text it was cut from: slices of
   * that text would keep the whole of it alive.
   */
  constructor(key: string) {
    this.key = key;
    this.#chunks = key.split(SEP);
  }

  /**
   * The values of `text` if it is this template's chunks with values
   * between them (each value up to the next `"`), each followed by
   * `"\0"` as {@linkcode fill} takes them; else undefined. Reading the
   * text once against the chunks finds what {@linkcode TextTemplates.share}
   * would cut out, without scanning for cut points or keying the pool.
   */
  match(text: string): string | undefined {
    const chunks = this.#chunks;
    const first = chunks[0];
    if (!text.startsWith(first)) return undefined;
    const values: string[] = [];
    let at = first.length;
    for (let i = 1; i < chunks.length; i++) {
      const end = text.indexOf('"', at);
      if (end < 0 || !text.startsWith(chunks[i], end)) return undefined;
      const value = text.slice(at, end);
      if (value.includes(SEP)) return undefined;
      values.push(value);
      at = end + chunks[i].length;
    }
    if (at !== text.length) return undefined;
    values.push(""); // each value followed by the separator
    // `join` builds a new string: the values keep no slice of the text.
    return values.join(SEP);
  }

  /**
   * The text: the chunks interleaved with `values` (each value followed by
   * `"\0"`, as {@linkcode TextTemplates.share} makes them).
   */
  fill(values: string): string {
    const chunks = this.#chunks;
    let text = chunks[0];
    let from = 0;
    for (let i = 1; i < chunks.length; i++) {
      const to = values.indexOf(SEP, from);
      text += values.slice(from, to) + chunks[i];
      from = to + 1;
    }
    return text;
  }
}

/** A text as a shared template and its own values; see the module doc. */
export interface SharedText {
  readonly template: TextTemplate;
  /** The values cut out, each followed by `"\0"`. */
  readonly values: string;
}

/**
 * The templates of one watch cache's texts, counted by use: a text that is
 * replaced or deleted gives its template back ({@linkcode release}), and a
 * template nobody holds is forgotten, so the pool holds no more than the
 * cache does.
 */
export class TextTemplates {
  #byKey = new Map<string, TextTemplate>();
  /** The template last made or found for each hint (see {@linkcode share}). */
  #byHint = new Map<string, TextTemplate>();
  /** Hashes of keys seen once and not yet again, oldest first. */
  #seen = new Set<number>();

  /**
   * `text` as a template (shared with equal texts) and its values, or
   * undefined when it is to be kept whole: nothing to cut out, too long, a
   * NUL in it (JSON text never has one), or the first of its kind (see the
   * module doc). Counts one use of the template.
   *
   * `hint` names what the text is likely to share a template with — the
   * watch cache gives an object's key without its cluster, the same for
   * every cluster's copy of a bootstrap object: a text that fits the
   * template last used for its hint takes it at once ({@linkcode
   * TextTemplate.match}), the same split the scan would make.
   */
  share(text: string, hint?: string): SharedText | undefined {
    if (text.length > MAX_TEXT) return undefined;
    const known = hint === undefined ? undefined : this.#byHint.get(hint);
    if (known !== undefined) {
      const values = known.match(text);
      if (values !== undefined) {
        known.refs++;
        return { template: known, values };
      }
    }
    const shared = this.#scan(text);
    if (shared && hint !== undefined) this.#hint(hint, shared.template);
    return shared;
  }

  #scan(text: string): SharedText | undefined {
    if (text.includes(SEP)) return undefined;
    const chunks: string[] = [];
    const values: string[] = [];
    let from = 0;
    CUT.lastIndex = 0;
    for (let m = CUT.exec(text); m !== null; m = CUT.exec(text)) {
      const start = CUT.lastIndex;
      const end = text.indexOf('"', start);
      if (end < 0) break;
      chunks.push(text.slice(from, start));
      values.push(text.slice(start, end));
      from = end;
      CUT.lastIndex = end;
    }
    if (values.length === 0) return undefined;
    chunks.push(text.slice(from));
    // Two or more parts: `join` builds new strings, so neither the key nor
    // the values keep the whole text alive (a slice of it would).
    const key = chunks.join(SEP);
    let template = this.#byKey.get(key);
    if (!template) {
      const hash = hashOf(key);
      if (!this.#seen.delete(hash)) {
        this.#remember(hash);
        return undefined;
      }
      template = new TextTemplate(key);
      this.#byKey.set(key, template);
    }
    template.refs++;
    values.push(""); // each value followed by the separator
    return { template, values: values.join(SEP) };
  }

  /** Gives back one use of `template`; forgotten when none is left. */
  release(template: TextTemplate): void {
    if (--template.refs !== 0) return;
    if (this.#byKey.get(template.key) === template) {
      this.#byKey.delete(template.key);
    }
    const hint = template.hint;
    if (hint !== undefined && this.#byHint.get(hint) === template) {
      this.#byHint.delete(hint);
    }
  }

  /** Forgets every template (the cache dropped all its texts). */
  clear(): void {
    this.#byKey = new Map();
    this.#byHint = new Map();
    this.#seen = new Set();
  }

  /** Remembers `template` for `hint` (replacing the one before). */
  #hint(hint: string, template: TextTemplate): void {
    const before = this.#byHint.get(hint);
    if (before === template) return;
    if (before !== undefined) before.hint = undefined;
    if (template.hint !== undefined) this.#byHint.delete(template.hint);
    template.hint = hint;
    this.#byHint.set(hint, template);
  }

  /** Remembers a first sighting, forgetting the oldest over the bound. */
  #remember(hash: number): void {
    this.#seen.add(hash);
    if (this.#seen.size > SEEN_MAX) {
      this.#seen.delete(this.#seen.values().next().value!);
    }
  }

  /** Templates held (tests). */
  get size(): number {
    return this.#byKey.size;
  }

  /** Hints remembered (tests). */
  get hints(): number {
    return this.#byHint.size;
  }
}

/**
 * Duplicate-field detection in a raw JSON body. `JSON.parse` silently keeps
 * the last of two equal keys, so the text is scanned with a small tokenizer
 * instead; keys are compared after unescaping (`"a"` and `"\u0061"` are the
 * same field, as for Go's decoder).
 *
 * @module
 */

interface ObjectFrame {
  array: false;
  path: string;
  seen: Set<string>;
  key: string;
  expectKey: boolean;
}

interface ArrayFrame {
  array: true;
  path: string;
  index: number;
}

type Frame = ObjectFrame | ArrayFrame;

/**
 * Paths of the repeated keys in the JSON text, in document order (each
 * repetition once per extra occurrence), e.g. `["data", "metadata.name",
 * "items[1].kind"]`. Meant for text `JSON.parse` has accepted; on malformed
 * input it returns what it found before the error.
 */
export function duplicateFields(jsonText: string): string[] {
  const out: string[] = [];
  const stack: Frame[] = [];
  const valuePath = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return "";
    if (top.array) return `${top.path}[${top.index}]`;
    return top.path === "" ? top.key : `${top.path}.${top.key}`;
  };
  const n = jsonText.length;
  let i = 0;
  while (i < n) {
    const c = jsonText.charCodeAt(i);
    switch (c) {
      case 0x7b: // {
        stack.push({
          array: false,
          path: valuePath(),
          seen: new Set(),
          key: "",
          expectKey: true,
        });
        i++;
        break;
      case 0x5b: // [
        stack.push({ array: true, path: valuePath(), index: 0 });
        i++;
        break;
      case 0x7d: // }
      case 0x5d: // ]
        stack.pop();
        i++;
        break;
      case 0x2c: { // ,
        const top = stack[stack.length - 1];
        if (top?.array) top.index++;
        else if (top) top.expectKey = true;
        i++;
        break;
      }
      case 0x22: { // "
        const end = stringEnd(jsonText, i);
        if (end < 0) return out;
        const top = stack[stack.length - 1];
        if (top && !top.array && top.expectKey) {
          // Most keys have no escapes: slicing is enough (and far cheaper
          // than parsing each of a body's many keys).
          let key = jsonText.slice(i + 1, end - 1);
          if (key.includes("\\")) {
            try {
              key = JSON.parse(jsonText.slice(i, end));
            } catch {
              return out;
            }
          }
          top.key = key;
          top.expectKey = false;
          if (top.seen.has(key)) out.push(valuePath());
          else top.seen.add(key);
        }
        i = end;
        break;
      }
      default:
        i++; // whitespace, ':', numbers, literals
    }
  }
  return out;
}

/** The index just past the closing quote of the string starting at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i += 2; // backslash escapes the next character
    else if (c === 0x22) return i + 1;
    else i++;
  }
  return -1;
}

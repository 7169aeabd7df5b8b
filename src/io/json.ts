/**
 * JSON text from untrusted files, with its nesting depth bounded before it is parsed: a
 * 5000-deep array parses fine but overflows the stack of every recursive walk after it (schema
 * validation, JSON.stringify of case.json at the end of a run). Case files and stage manifests
 * nest a few levels; 64 leaves room for any hand-written file.
 */
import { InputError } from "../errors.js";

/** Deepest nesting of objects and arrays accepted in an input JSON file. */
export const MAX_JSON_DEPTH = 64;

/** Nesting depth of JSON text (brackets outside strings); stops counting past `limit`. */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return max;
}

/**
 * Parse JSON text read from `file`: an InputError naming the file for invalid JSON or nesting
 * deeper than `maxDepth`.
 */
export function parseJsonText(text: string, file: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (jsonDepth(text, maxDepth) > maxDepth) {
    throw new InputError(file, `${file}: JSON nested deeper than ${maxDepth} levels (arrays/objects within each other); not a case file`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InputError(file, `${file}: not valid JSON (${(err as Error).message})`);
  }
}

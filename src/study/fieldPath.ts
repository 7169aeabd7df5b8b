/**
 * Case fields named by their dotted path, as a study varies them: `lungShuntFraction`,
 * `geometry.tumours[0].tnRatio`, `transport.embolic.capacitySpheres`. A path is parsed once; a
 * value is set on a copy of the case, never on the base case itself.
 */
import { InputError } from "../errors.js";

export type PathSegment = string | number;

const SEGMENT = /^([A-Za-z_$][\w$-]*)((?:\[\d+\])*)$/;

/** Parse `a.b[2].c` into ["a", "b", 2, "c"]; `field` names the study field in errors. */
export function parseFieldPath(path: string, field: string): PathSegment[] {
  if (typeof path !== "string" || path.length === 0) throw new InputError(field, `${field} must be a case field path such as "geometry.tumours[0].tnRatio", got ${JSON.stringify(path)}`);
  const out: PathSegment[] = [];
  for (const part of path.split(".")) {
    const m = SEGMENT.exec(part);
    if (!m) throw new InputError(field, `${field}: "${path}" is not a field path (dotted names with [index], e.g. "geometry.tumours[0].tnRatio")`);
    out.push(m[1]);
    for (const index of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(index[1]));
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * A deep copy of `doc` with `value` at `path`. Missing objects along the path are created (a case
 * may omit a section whose defaults apply); an array index must exist in the base case, since an
 * element created from nothing would have no other fields. Whether the field itself exists is
 * decided by the case schema afterwards (unknown keys are rejected there, naming the path).
 */
export function withFieldValue(doc: Record<string, unknown>, path: readonly PathSegment[], value: unknown, field: string): Record<string, unknown> {
  const copy = structuredClone(doc);
  let node: unknown = copy;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    const last = i === path.length - 1;
    const where = pathText(path.slice(0, i + 1));
    if (typeof key === "number") {
      if (!Array.isArray(node)) throw new InputError(field, `${field}: ${pathText(path.slice(0, i))} is not a list in the base case`);
      if (key >= node.length) throw new InputError(field, `${field}: ${where} does not exist (the base case's ${pathText(path.slice(0, i))} has ${node.length} element${node.length === 1 ? "" : "s"})`);
      if (last) node[key] = value;
      else node = node[key];
    } else {
      if (!isRecord(node)) throw new InputError(field, `${field}: ${pathText(path.slice(0, i)) || "the case"} is not an object in the base case`);
      if (last) node[key] = value;
      else {
        if (node[key] === undefined) node[key] = {};
        node = node[key];
      }
    }
  }
  return copy;
}

/** The value at `path` in `doc`, or undefined. */
export function fieldValue(doc: unknown, path: readonly PathSegment[]): unknown {
  let node = doc;
  for (const key of path) {
    if (typeof key === "number") node = Array.isArray(node) ? node[key] : undefined;
    else node = isRecord(node) ? node[key] : undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/** ["a", "b", 2] → "a.b[2]". */
export function pathText(path: readonly PathSegment[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

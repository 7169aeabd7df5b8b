/**
 * The identity of a resolved case: SHA-256 of its canonical JSON (object keys sorted at every
 * level, no whitespace, numbers as JavaScript prints them — the shortest text that reads back to
 * the same double). Two case documents that differ only in key order or layout hash the same; any
 * change of a value changes the hash. A study names each run by this hash (src/study), so a re-run
 * recognises the runs it already finished.
 */
import { createHash } from "node:crypto";

/** JSON with object keys sorted recursively; `undefined` members are dropped as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new RangeError(`canonicalJson: ${value} has no JSON form`);
    return JSON.stringify(value) ?? "null";
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(",")}}`;
}

/** SHA-256 (hex) of the canonical JSON of a case document. */
export function caseSha256(caseJson: unknown): string {
  return createHash("sha256").update(canonicalJson(caseJson)).digest("hex");
}

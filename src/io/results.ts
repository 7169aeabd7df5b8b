/**
 * Results as JSON: the DVH curves and a summary of all metrics with provenance (software version,
 * the physical constants used, the seed), so a result file says how it was made.
 *
 * JSON cannot hold NaN or ±Infinity (JSON.stringify silently writes null): a non-finite number
 * anywhere in a result is an internal error and is reported with its path, nothing is written.
 * Typed arrays are written as plain arrays. No timestamps unless asked for, so the same input and
 * seed give byte-identical files.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "./atomic.js";
import { checkDvhCurve, type DvhCurve } from "./csv.js";
import { provenanceOf, type Provenance } from "./provenance.js";

export type { Provenance };

let cachedVersion: string | undefined;

/** The version in sirtsim's package.json (found by walking up from this module), or "unknown". */
export function sirtsimVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "sirtsim" && pkg.version) return (cachedVersion = pkg.version);
    } catch {
      // not here: keep walking up
    }
    dir = dirname(dir);
  }
  return (cachedVersion = "unknown");
}

/** Provenance block for a result, with this package's version and the Node.js version. */
export function makeProvenance(options: { seed?: number; constants: Readonly<Record<string, unknown>>; createdAt?: Date }): Provenance {
  return provenanceOf({ ...options, version: sirtsimVersion(), runtime: process.version });
}

/**
 * Serialise a result as pretty JSON (2 spaces, trailing newline). Typed arrays become arrays;
 * throws an Error naming the path of the first non-finite number.
 */
export function stringifyResult(value: unknown): string {
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new Error(`result ${path} is ${v}: JSON cannot hold it`);
      return v;
    }
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>, (x, i) => walk(x, `${path}[${i}]`));
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`));
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = walk(x, `${path}.${k}`);
      return out;
    }
    return v;
  };
  return `${JSON.stringify(walk(value, "$"), null, 2)}\n`;
}

/** DVH curves as a JSON-ready object: `{ definition, curves: [{ name, volumeMl, doseGy, volumeFraction }] }`. */
export function dvhToJson(curves: readonly DvhCurve[]): { definition: string; curves: Array<{ name: string; volumeMl?: number; doseGy: number[]; volumeFraction: number[] }> } {
  return {
    definition: "cumulative: volumeFraction[i] = fraction (0..1) of the VOI volume receiving dose ≥ doseGy[i]",
    curves: curves.map((c) => {
      checkDvhCurve(c);
      return {
        name: c.name,
        ...(c.volumeMl === undefined ? {} : { volumeMl: c.volumeMl }),
        doseGy: Array.from(c.doseGy),
        volumeFraction: Array.from(c.volumeFraction),
      };
    }),
  };
}

/** A summary document: the caller's metrics plus `provenance`. */
export function summaryDocument<T extends Record<string, unknown>>(summary: T, provenance: Provenance): T & { provenance: Provenance } {
  return { ...summary, provenance };
}

/** Write any result object as JSON through writeFileAtomic (nothing written if it holds NaN/∞). */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, stringifyResult(value));
}

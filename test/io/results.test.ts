import { describe, expect, it } from "vitest";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dvhToCsv, writeDvhCsv, type DvhCurve } from "../../src/io/csv.js";
import { dvhToJson, makeProvenance, stringifyResult, summaryDocument, writeJson, sirtsimVersion } from "../../src/io/results.js";
import { InputError } from "../../src/errors.js";

const curves: DvhCurve[] = [
  { name: "normal liver", volumeMl: 1500, doseGy: [0, 10, 20, 30], volumeFraction: [1, 0.8, 0.25, 0] },
  { name: 'tumour "A", segment 8', doseGy: Float64Array.of(0, 100), volumeFraction: Float64Array.of(1, 0.5) },
];

/** A small RFC 4180 parser (quoted fields with doubled quotes), independent of the writer. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { row.push(field); field = ""; }
    else if (ch === "\n") { row.push(field); rows.push(row); row = []; field = ""; }
    else field += ch;
  }
  return rows;
}

describe("dvhToCsv", () => {
  it("dvhToCsv writes one row per point with the VOI name quoted when needed and volumeMl = fraction × volume", () => {
    const rows = parseCsv(dvhToCsv(curves));
    expect(rows[0]).toEqual(["voi", "doseGy", "volumeFraction", "volumeMl"]);
    expect(rows).toHaveLength(1 + 4 + 2);
    expect(rows[2]).toEqual(["normal liver", "10", "0.8", "1200"]);
    expect(rows[5]).toEqual(['tumour "A", segment 8', "0", "1", ""]);
  });

  it("dvhToCsv rejects curves whose arrays differ in length or hold fractions outside [0, 1]", () => {
    expect(() => dvhToCsv([{ name: "x", doseGy: [0, 1], volumeFraction: [1] }])).toThrow(InputError);
    expect(() => dvhToCsv([{ name: "x", doseGy: [0, 1], volumeFraction: [1, 1.5] }])).toThrow(/volumeFraction\[1\] = 1.5 must be in \[0, 1\]/);
    expect(() => dvhToCsv([{ name: "x", doseGy: [1, 0], volumeFraction: [1, 1] }])).toThrow(/non-decreasing/);
  });

  it("writeDvhCsv writes the file atomically", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sirtsim-csv-"));
    await writeDvhCsv(join(dir, "dvh.csv"), curves);
    expect(await readFile(join(dir, "dvh.csv"), "utf8")).toBe(dvhToCsv(curves));
  });
});

describe("results JSON", () => {
  it("summaryDocument carries provenance: version from package.json, constants and seed", async () => {
    const pkg = JSON.parse(await readFile(join(import.meta.dirname, "../../package.json"), "utf8"));
    expect(sirtsimVersion()).toBe(pkg.version);
    const doc = summaryDocument({ activityGBq: 1.67, dvh: dvhToJson(curves) }, makeProvenance({ seed: 42, constants: { doseCoefficientGyKgPerGBq: 49.67 } }));
    const back = JSON.parse(stringifyResult(doc));
    expect(back.provenance).toMatchObject({ software: "sirtsim", version: pkg.version, seed: 42, constants: { doseCoefficientGyKgPerGBq: 49.67 } });
    expect(back.provenance.createdAt).toBeUndefined();
    expect(back.dvh.curves[1].doseGy).toEqual([0, 100]);
  });

  it("stringifyResult is byte-identical for the same input", () => {
    const make = () => summaryDocument({ a: Float32Array.of(1.5) }, makeProvenance({ seed: 1, constants: {} }));
    expect(stringifyResult(make())).toBe(stringifyResult(make()));
  });

  it("writeJson refuses NaN with the path of the value and writes nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sirtsim-json-"));
    await expect(writeJson(join(dir, "s.json"), { compartments: { tumour: { meanDoseGy: NaN } } })).rejects.toThrow(/\$\.compartments\.tumour\.meanDoseGy is NaN/);
    expect(await readdir(dir)).toEqual([]);
  });
});

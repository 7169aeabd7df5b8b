/**
 * The checks behind the CLI's input errors, in process (fast): tumours that do or do not fit the
 * liver, the JSON depth bound, quantity options, memory sizes, grid comparison, the nuclide lookup
 * and the DVH bin bound. Unit tests of the checks' rules (true by construction where noted).
 */
import { describe, expect, it } from "vitest";
import { loadSimulationCase } from "../../src/pipeline/caseInput.js";
import { jsonDepth, parseJsonText } from "../../src/io/json.js";
import { parseQuantityOption } from "../../src/io/quantity.js";
import { parseMemorySize, checkMemory, estimateSimulationMemory } from "../../src/pipeline/memory.js";
import { axisAlignedGeometry, geometryMismatch, checkSameGeometry } from "../../src/geometry/grid.js";
import { derivedDoseCoefficient } from "../../src/physics/doseCoefficient.js";
import { boundedDvhBinWidthGy, MAX_DVH_POINTS } from "../../src/dose/dvh.js";
import type { NuclideId } from "../../src/physics/index.js";
import { smallCase } from "../pipeline/smallCase.js";

const tumours = (c: Record<string, unknown>) => (c.geometry as { tumours: Array<Record<string, unknown>> }).tumours;

describe("loadSimulationCase: tumours and the liver", () => {
  it("loadSimulationCase clips a tumour partly outside the liver (≥ half inside) and keeps its inside volume", () => {
    const c = smallCase();
    tumours(c)[0].centerMm = [0, 0, 0];
    tumours(c)[0].radiusMm = 10;
    const inside = loadSimulationCase(c, "a.json").integral.compartments[1].volumeMl;
    // The default liver's right lobe reaches x = 95 mm on its axis (DEFAULT_LIVER_ELLIPSOIDS: centre
    // 32, semi-axis 63): a 20 mm sphere centred 10 mm inside that edge is partly outside.
    const edge = smallCase();
    tumours(edge)[0].centerMm = [85, 0, 0];
    tumours(edge)[0].radiusMm = 20;
    const clipped = loadSimulationCase(edge, "b.json").integral.compartments[1].volumeMl;
    const whole = (4 / 3) * Math.PI * 8; // 20 mm radius, mL
    expect(inside).toBeCloseTo((4 / 3) * Math.PI, 1);
    expect(clipped).toBeGreaterThan(0.5 * whole);
    expect(clipped).toBeLessThan(0.99 * whole);
  });

  it("loadSimulationCase refuses a tumour bigger than the liver, naming it and the file", () => {
    const c = smallCase();
    tumours(c).splice(1, 1);
    tumours(c)[0].centerMm = [0, 0, 0];
    tumours(c)[0].radiusMm = 400;
    expect(() => loadSimulationCase(c, "huge.json")).toThrow(/geometry\.tumours\[0\] \(right\) is bigger than the liver \(268082\.6 mL, the liver 1\d{3}\.\d mL\).*\(in huge\.json\)/);
  });
});

describe("input parsing bounds", () => {
  it("jsonDepth counts brackets outside strings only", () => {
    expect(jsonDepth('{"a":[1,{"b":"[[[["}]}')).toBe(3);
    expect(jsonDepth('"\\"[["')).toBe(0);
    expect(() => parseJsonText(`${"[".repeat(65)}${"]".repeat(65)}`, "d.json")).toThrow(/d\.json: JSON nested deeper than 64 levels/);
    expect(parseJsonText(`${"[".repeat(64)}${"]".repeat(64)}`, "d.json")).toBeInstanceOf(Array);
  });

  it("parseQuantityOption reads unit strings as case files do and names the option when out of range", () => {
    expect(parseQuantityOption("--lsf", "3 %", "fraction", 0, 0.999999)).toBeCloseTo(0.03, 12);
    expect(parseQuantityOption("--administered-gbq", "1.5 GBq", "activity", 1e-9, 100)).toBe(1.5);
    expect(parseQuantityOption("--administered-gbq", "1500 MBq", "activity", 1e-9, 100)).toBe(1.5);
    expect(() => parseQuantityOption("--administered-gbq", "200 GBq", "activity", 1e-9, 100)).toThrow(/--administered-gbq must be an activity in \[1e-9, 100\] GBq, got "200 GBq" = 200 GBq/);
    expect(() => parseQuantityOption("--lsf", "3 kg", "fraction", 0, 1)).toThrow(/^--lsf must be a fraction/);
  });

  it("parseMemorySize accepts unit strings and bare GiB, and refuses the rest", () => {
    expect(parseMemorySize("--max-memory", "8 GiB")).toBe(8 * 1024 ** 3);
    expect(parseMemorySize("--max-memory", "500 MB")).toBe(5e8);
    expect(parseMemorySize("--max-memory", "12")).toBe(12 * 1024 ** 3);
    for (const bad of ["lots", "8 parsecs", "-1 GiB", "1 KiB", ""]) expect(() => parseMemorySize("--max-memory", bad)).toThrow(/--max-memory must be a memory size/);
  });

  it("checkMemory refuses an estimate above the limit with the estimate, its largest part and the option to raise", () => {
    const estimate = estimateSimulationMemory({ terminals: 5e7, doseGrid: axisAlignedGeometry([10, 10, 10], [4, 4, 4]), nuclide: "Y-90", vois: 3 });
    expect(() => checkMemory(estimate, 8 * 1024 ** 3, "tree.terminals")).toThrow(/needs an estimated 98\.0 GiB .*tree and transport \(50,000,000 terminals\): 97\.8 GiB.*above the limit of 8\.0 GiB.*Reduce tree\.terminals, or raise --max-memory \(e\.g\. --max-memory "108 GiB"\)/);
    expect(() => checkMemory(estimate, 112 * 1024 ** 3, "x")).not.toThrow();
    // The parts named and the rest add up to the estimate; the base is named in the rest.
    expect(() => checkMemory(estimate, 8 * 1024 ** 3, "x")).toThrow(/; the rest \d+ MiB, of which Node, the modules and the worker pool 224 MiB\)/);
  });

  it("derivedDoseCoefficient refuses an unknown nuclide instead of giving it Ho-166's data", () => {
    expect(derivedDoseCoefficient("Ho-166").valueGyKgPerGBq).toBeCloseTo(15.87, 1);
    expect(() => derivedDoseCoefficient("I-131" as NuclideId)).toThrow(/nuclide must be one of Y-90, Ho-166, got "I-131"/);
    expect(() => derivedDoseCoefficient("toString" as NuclideId)).toThrow(/got "toString"/);
  });

  it("boundedDvhBinWidthGy keeps the requested width when the curve is small and widens it 1-2-5 otherwise", () => {
    expect(boundedDvhBinWidthGy(500, 1)).toBe(1);
    const w = boundedDvhBinWidthGy(1e6, 1e-6);
    expect(Math.floor(1e6 / w) + 2).toBeLessThanOrEqual(MAX_DVH_POINTS);
    expect(w).toBe(200);
  });
});

describe("geometryMismatch / checkSameGeometry", () => {
  const a = axisAlignedGeometry([16, 16, 16], [4, 4, 4], [-30, -30, -30]);
  it("geometryMismatch accepts the same grid, also written in the other frame", () => {
    expect(geometryMismatch(a, { ...a }, 0.4)).toBeNull();
    const lps = { ...a, originMm: [30, 30, -30] as [number, number, number], direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1] as typeof a.direction, frame: "LPS" as const };
    expect(geometryMismatch(a, lps, 0.4)).toBeNull();
  });

  it("geometryMismatch finds a shift, a flip and swapped axes that keep dims and spacing", () => {
    expect(geometryMismatch(a, { ...a, originMm: [470, -30, -30] }, 0.4)).toMatch(/lies 500\.00 mm apart/);
    expect(geometryMismatch(a, { ...a, direction: [-1, 0, 0, 0, 1, 0, 0, 0, 1] }, 0.4)).toMatch(/mm apart/);
    expect(geometryMismatch(a, { ...a, direction: [0, 1, 0, 1, 0, 0, 0, 0, 1] }, 0.4)).toMatch(/mm apart/);
    expect(geometryMismatch(a, { ...a, dims: [16, 16, 15] }, 0.4)).toMatch(/dims \[16, 16, 15\] differ/);
    expect(() => checkSameGeometry(a, { ...a, originMm: [470, -30, -30] }, 0.4, "--labels", { a: "act.nii", b: "lab.nii" })).toThrow(
      /--labels: lab\.nii is not on the grid of act\.nii: .*act\.nii: dims \[16, 16, 16\], origin \[-30, -30, -30\] mm.*lab\.nii: dims \[16, 16, 16\], origin \[470, -30, -30\] mm/,
    );
  });
});

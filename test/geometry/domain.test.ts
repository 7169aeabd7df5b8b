import { describe, expect, it } from "vitest";
import { buildDomain, DEFAULT_LIVER_ELLIPSOIDS } from "../../src/geometry/build.js";
import { labelAt, perfusionAt, maskDomain } from "../../src/geometry/domain.js";
import { integrateDomain } from "../../src/geometry/integrate.js";
import { rasterizeDomain } from "../../src/geometry/rasterize.js";
import { axisAlignedGeometry, rasGrid, voxelCount, voxelVolumeMl } from "../../src/geometry/grid.js";
import { maskSha256 } from "../../src/pipeline/stageFiles.js";
import type { Grid } from "../../src/geometry/grid.js";
import { shapeBounds } from "../../src/geometry/shapes.js";
import { InputError } from "../../src/errors.js";
import { parseGeometrySection, parseTreeSection } from "../../src/vascular/config.js";

const sphereMl = (r: number) => ((4 / 3) * Math.PI * r ** 3) / 1000;

describe("analytic domains", () => {
  const domain = buildDomain({
    liver: { ellipsoids: [{ centerMm: [0, 0, 0], semiAxesMm: [80, 70, 60] }] },
    tumours: [
      { name: "a", centerMm: [30, 0, 0], radiusMm: 15, tnRatio: 3, necroticCoreFraction: 0.5 },
      { name: "b", centerMm: [-30, 10, 0], radiusMm: 10, tnRatio: 2, rim: { thicknessFraction: 0.3, tnRatio: 6 } },
    ],
  });

  it("labelAt gives 0 outside, 1 in normal liver, 2+t in tumour t and 2+T+t in its necrotic core", () => {
    expect(labelAt(domain, 200, 0, 0)).toBe(0);
    expect(labelAt(domain, 0, 50, 0)).toBe(1);
    expect(labelAt(domain, 30 + 12, 0, 0)).toBe(2);
    expect(labelAt(domain, 30, 0, 0)).toBe(4);
    expect(labelAt(domain, -30, 10, 0)).toBe(3);
  });

  it("perfusionAt gives 1 in normal liver, T/N in a tumour, the rim's T/N in its rim and 0 in a core", () => {
    expect(perfusionAt(domain, 0, 50, 0)).toBe(1);
    expect(perfusionAt(domain, 42, 0, 0)).toBe(3);
    expect(perfusionAt(domain, 30, 0, 0)).toBe(0);
    expect(perfusionAt(domain, -30, 10, 0)).toBe(2);
    expect(perfusionAt(domain, -21, 10, 0)).toBe(6);
  });

  it("integrateDomain matches the closed-form volumes (ellipsoid, spheres, core, rim) within 1 %", () => {
    const I = integrateDomain(domain);
    const liver = ((4 / 3) * Math.PI * 80 * 70 * 60) / 1000;
    expect(Math.abs(I.liverVolumeMl - liver) / liver).toBeLessThan(0.01);
    const [normal, a, b] = I.compartments;
    expect(Math.abs(a.volumeMl - sphereMl(15)) / sphereMl(15)).toBeLessThan(0.01);
    expect(Math.abs(a.viableVolumeMl - sphereMl(15) * (1 - 0.125)) / sphereMl(15)).toBeLessThan(0.01);
    const rimMl = sphereMl(10) * (1 - 0.7 ** 3);
    expect(Math.abs(b.perfusionIntegralMl - (6 * rimMl + 2 * (sphereMl(10) - rimMl))) / (6 * sphereMl(10))).toBeLessThan(0.01);
    expect(Math.abs(normal.volumeMl - (liver - sphereMl(15) - sphereMl(10))) / liver).toBeLessThan(0.01);
  });

  it("rasterizeDomain labels voxels whose counts reproduce the compartment volumes within 3 %", () => {
    const grid: Grid<Uint8Array> = { ...axisAlignedGeometry([82, 72, 62], [2, 2, 2], [-81, -71, -61]), data: new Uint8Array(82 * 72 * 62) };
    rasterizeDomain(grid, domain);
    const counts = new Array(6).fill(0);
    for (let v = 0; v < voxelCount(grid); v++) counts[grid.data[v]]++;
    const ml = (n: number) => n * voxelVolumeMl(grid);
    expect(Math.abs(ml(counts[2] + counts[4]) - sphereMl(15)) / sphereMl(15)).toBeLessThan(0.03);
    expect(Math.abs(ml(counts[4]) - sphereMl(7.5)) / sphereMl(7.5)).toBeLessThan(0.1);
    rasterizeDomain(grid, domain, false);
    expect(grid.data.includes(4)).toBe(false);
  });

  it("the default liver holds ≈ 1.6 L with ≈ 60 % of it right of x = 0", () => {
    const liver = buildDomain({ liver: { ellipsoids: DEFAULT_LIVER_ELLIPSOIDS }, tumours: [] });
    const I = integrateDomain(liver);
    expect(I.liverVolumeMl).toBeGreaterThan(1500);
    expect(I.liverVolumeMl).toBeLessThan(1700);
    const b = shapeBounds((liver.liver as { shape: Parameters<typeof shapeBounds>[0] }).shape);
    let right = 0, all = 0;
    for (let x = b.minMm[0] + 1; x < b.maxMm[0]; x += 2)
      for (let y = b.minMm[1] + 1; y < b.maxMm[1]; y += 2)
        for (let z = b.minMm[2] + 1; z < b.maxMm[2]; z += 2) {
          if (labelAt(liver, x, y, z) === 0) continue;
          all++;
          if (x > 0) right++;
        }
    expect(right / all).toBeGreaterThan(0.55);
    expect(right / all).toBeLessThan(0.65);
  });
});

describe("mask domains", () => {
  it("maskDomain maps tumour labels, integrates exact voxel volumes and answers point queries", () => {
    const geometry = axisAlignedGeometry([20, 20, 20], [2, 2, 2], [0, 0, 0]);
    const data = new Uint8Array(8000);
    for (let v = 0; v < 8000; v++) data[v] = 1;
    for (let k = 5; k < 10; k++) for (let j = 5; j < 10; j++) for (let i = 5; i < 10; i++) data[i + 20 * (j + 20 * k)] = 7;
    const domain = maskDomain({ ...geometry, data }, [{ name: "t", tnRatio: 3, maskLabel: 7 }]);
    expect(labelAt(domain, 14, 14, 14)).toBe(2);
    expect(labelAt(domain, 2, 2, 2)).toBe(1);
    expect(labelAt(domain, -5, 2, 2)).toBe(0);
    expect(perfusionAt(domain, 14, 14, 14)).toBe(3);
    const I = integrateDomain(domain);
    expect(I.liverVolumeMl).toBeCloseTo(8000 * 0.008, 9);
    expect(I.compartments[1].volumeMl).toBeCloseTo(125 * 0.008, 9);
    expect(I.compartments[1].perfusionIntegralMl).toBeCloseTo(3 * 125 * 0.008, 9);
  });

  it("maskDomain of an LPS (DICOM) grid answers queries in RAS: a voxel at LPS (x, y, z) is at RAS (−x, −y, z), bounds included", () => {
    // A 20 mm cube of mask whose tumour block sits at LPS x, y ∈ [10, 20) mm (patient left, posterior).
    const lps = { ...axisAlignedGeometry([20, 20, 20], [2, 2, 2], [0, 0, 0]), frame: "LPS" as const };
    const data = new Uint8Array(8000).fill(1);
    for (let k = 5; k < 10; k++) for (let j = 5; j < 10; j++) for (let i = 5; i < 10; i++) data[i + 20 * (j + 20 * k)] = 7;
    const domain = maskDomain({ ...lps, data }, [{ name: "t", tnRatio: 3, maskLabel: 7 }]);
    expect(labelAt(domain, -14, -14, 14)).toBe(2);
    expect(labelAt(domain, 14, 14, 14)).toBe(0); // the mirror image: outside the mask (was the tumour)
    expect(labelAt(domain, -2, -2, 2)).toBe(1);
    expect(domain.boundsMm.minMm[0]).toBeCloseTo(-39, 9);
    expect(domain.boundsMm.maxMm[0]).toBeCloseTo(1, 9);
    // A case's identity hashes the mask where the domain puts it: the LPS mask differs from the same
    // numbers labelled RAS, and equals its RAS conversion (stage files from the mirrored reading are refused).
    const asRas = { ...lps, frame: "RAS" as const, data };
    expect(maskSha256({ ...lps, data })).not.toBe(maskSha256(asRas));
    expect(maskSha256({ ...lps, data })).toBe(maskSha256(rasGrid({ ...lps, data })));
  });

  it("buildDomain needs the grid when the section names a mask", () => {
    expect(() => buildDomain({ liver: { ellipsoids: [] }, tumours: [], mask: { file: "liver.nii" } })).toThrow(/geometry\.mask/);
  });
});

describe("geometry and tree sections", () => {
  it("parseGeometrySection fills the default liver and parseTreeSection the literature defaults", () => {
    expect(parseGeometrySection(undefined).liver.ellipsoids).toHaveLength(2);
    const tree = parseTreeSection({}, () => 1234);
    expect(tree.terminals).toBe(1234);
    expect(tree.rootFlowMlPerMin).toBe("auto");
    expect(tree.inletPressureMmHg).toBe(98);
    expect(tree.terminalPressureMmHg).toBe(25);
    expect(tree.viscosityMPaS).toBe(3.5);
    expect(tree.murrayExponent).toBe(3);
  });

  it("reject invalid values with an InputError naming the field and the bound", () => {
    expect(() => parseTreeSection({ murrayExponent: 5 })).toThrow(InputError);
    expect(() => parseTreeSection({ murrayExponent: 5 })).toThrow(/tree\.murrayExponent: .*4.*got 5/);
    expect(() => parseTreeSection({ inletPressureMmHg: 20 })).toThrow(/tree\.inletPressureMmHg/);
    expect(() => parseGeometrySection({ tumours: [{ name: "x", centerMm: [0, 0, 0], radiusMm: 5, tnRatio: -1 }] })).toThrow(/geometry\.tumours\[0\]\.tnRatio/);
    expect(() => parseTreeSection({ bogus: 1 })).toThrow(/bogus/);
    // "auto" needs the liver: the library refuses it without the count, by field.
    expect(() => parseTreeSection({})).toThrow(/tree\.terminals "auto" needs the case's liver/);
    expect(() => parseTreeSection({ terminals: "many" })).toThrow(/tree\.terminals/);
    expect(parseTreeSection({ terminals: 500 }).terminals).toBe(500);
  });
});

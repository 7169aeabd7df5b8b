import { describe, expect, it } from "vitest";
import { doseAtVolumePercent, dvh, dvhCurve, volumeFractionAtLeast } from "../../src/dose/dvh.js";
import { doseMetrics, generalisedEudGy, logisticResponse, normalCdf } from "../../src/dose/metrics.js";
import { parseDoseConfig } from "../../src/dose/config.js";
import { axisAlignedGeometry, type Vec3 } from "../../src/geometry/grid.js";

/** A linear dose ramp: N voxels with dᵢ = (i + ½)·Dmax/N, so V(D) = 1 − D/Dmax and D_x = (1 − x/100)·Dmax. */
function ramp(n: number, maxGy: number) {
  const dims: Vec3 = [n, 1, 1];
  const data = new Float64Array(n).map((_, i) => ((i + 0.5) * maxGy) / n);
  // Shuffle deterministically so sorting is exercised.
  for (let i = n - 1; i > 0; i--) {
    const j = (i * 7919) % (i + 1);
    [data[i], data[j]] = [data[j], data[i]];
  }
  return { ...axisAlignedGeometry(dims, [1, 1, 1]), data };
}

describe("dvh and doseMetrics", () => {
  it("on a linear ramp D_x = (1 − x/100)·Dmax and V_D = 1 − D/Dmax within one voxel", () => {
    const n = 10_000;
    const h = dvh(ramp(n, 300));
    const m = doseMetrics(h);
    for (const x of [2, 50, 70, 90, 95, 98]) expect(Math.abs(m.d[`D${x}`] - (1 - x / 100) * 300)).toBeLessThanOrEqual(300 / n);
    for (const t of [20, 100, 205]) expect(Math.abs(m.v[`V${t}`] - (1 - t / 300))).toBeLessThanOrEqual(1 / n);
    expect(m.meanGy).toBeCloseTo(150, 9);
    expect(m.stdGy).toBeCloseTo(300 / Math.sqrt(12), 2);
  });

  it("D_x counts voxels exactly: 70 % of 10 voxels is the 7th highest dose", () => {
    const g = { ...axisAlignedGeometry([10, 1, 1], [1, 1, 1]), data: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) };
    const h = dvh(g);
    expect(doseAtVolumePercent(h, 70)).toBe(4);
    expect(doseAtVolumePercent(h, 100)).toBe(1);
    expect(volumeFractionAtLeast(h, 4)).toBe(0.7);
    expect(volumeFractionAtLeast(h, 4.0001)).toBe(0.6);
    expect(Array.from(dvhCurve(h, [0, 5, 11]).volumeFraction)).toEqual([1, 0.6, 0]);
  });

  it("dvh(dose, mask, label) selects the voxels of one label", () => {
    const dose = { ...axisAlignedGeometry([4, 1, 1], [2, 2, 2]), data: Float32Array.from([10, 20, 30, 40]) };
    const mask = { ...axisAlignedGeometry([4, 1, 1], [2, 2, 2]), data: Uint8Array.from([1, 2, 2, 0]) };
    const h = dvh(dose, mask, 2);
    expect(Array.from(h.sortedDoseGy)).toEqual([20, 30]);
    expect(h.volumeMl).toBeCloseTo(0.016, 12);
    expect(dvh(dose, mask).voxelCount).toBe(3);
  });

  it("gEUD is the mean for a = 1 and tends to the minimum for very negative a", () => {
    const h = dvh(ramp(1000, 100));
    expect(generalisedEudGy(h, 1)).toBeCloseTo(50, 9);
    expect(generalisedEudGy(h, -200)).toBeLessThan(0.1 * 1.05);
  });

  it("the logistic TCP is ½ at D50 and LKB NTCP is ½ at TD50", () => {
    expect(logisticResponse(292, 292, 2)).toBe(0.5);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    const h = dvh({ ...axisAlignedGeometry([1, 1, 1], [1, 1, 1]), data: Float64Array.from([50]) });
    expect(doseMetrics(h, { ntcp: { td50Gy: 50, m: 0.2, n: 1 } }).ntcp).toBeCloseTo(0.5, 7);
  });
});

describe("parseDoseConfig", () => {
  it("fills every default and names an invalid field with its range", () => {
    const c = parseDoseConfig(undefined);
    expect(c.method).toBe("fft");
    expect(c.radiobiology.tumour).toMatchObject({ alphaBetaGy: 10, repairHalfTimeH: 1.5, alphaPerGy: 0.005 });
    expect(c.integrationHours).toBeNull();
    expect(() => parseDoseConfig({ voxelMm: 20 })).toThrow(/dose.voxelMm/);
    expect(() => parseDoseConfig({ nope: 1 })).toThrow(/dose/);
  });
});

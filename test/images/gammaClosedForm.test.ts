/**
 * Gamma of a shifted linear gradient: a closed form independent of both src/dose/gamma.ts and
 * test/images/gamma_reference.py (which share the voxel-centre search convention).
 *
 * Reference D(x) = g·x, evaluated D(x − s). With global ΔD and distance DTA, the continuous gamma
 * (Low et al. 1998) is min over u of u²/DTA² + g²(u − s)²/ΔD², i.e.
 *     γ = |s| / sqrt(DTA² + (ΔD/g)²),  reached at u* = s·DTA² / (DTA² + (ΔD/g)²).
 * Where u* falls on a voxel centre the voxel-centre search is exact; where it falls between
 * centres the search (no interpolation of the evaluated dose, docs/io.md) overestimates γ, by a
 * factor stated here so the user knows the size of the convention on coarse SPECT/PET grids.
 */
import { describe, expect, it } from "vitest";
import { gammaIndex } from "../../src/dose/gamma.js";
import { axisAlignedGeometry } from "../../src/geometry/grid.js";

/** A gradient of gPerMm Gy/mm along `axis` on dims n×4×4 (axis 0) or 4×4×n (axis 2), shifted by shiftVoxels. */
function gradient(axis: 0 | 2, n: number, spacingMm: number, gPerMm: number, shiftVoxels: number) {
  const dims: [number, number, number] = axis === 0 ? [n, 4, 4] : [4, 4, n];
  const spacing: [number, number, number] = axis === 0 ? [spacingMm, 3, 3] : [3, 3, spacingMm];
  const g = axisAlignedGeometry(dims, spacing);
  const ref = new Float32Array(n * 16);
  const ev = new Float32Array(n * 16);
  for (let v = 0; v < ref.length; v++) {
    const i = axis === 0 ? v % n : Math.floor(v / 16);
    ref[v] = gPerMm * i * spacingMm;
    ev[v] = gPerMm * (i - shiftVoxels) * spacingMm;
  }
  return { ref: { ...g, data: ref }, ev: { ...g, data: ev }, index: (v: number) => (axis === 0 ? v % n : Math.floor(v / 16)) };
}

describe("gammaIndex on a shifted linear gradient (closed form, independent of both implementations)", () => {
  for (const axis of [0, 2] as const) {
    it(`axis ${axis}: shift 2 mm, DTA 3 mm, ΔD/g = 3 mm → γ = 2/√18 = 0.4714 exactly (optimum on a voxel centre)`, () => {
      // g = 1 Gy/mm on 1 mm voxels, 40 voxels: max 39 Gy; ΔD = 3 Gy ⇔ dosePercent = 300/39.
      const { ref, ev, index } = gradient(axis, 40, 1, 1, 2);
      const r = gammaIndex(ref, ev, { dosePercent: 300 / 39, distanceMm: 3, thresholdPercent: 0 });
      const expected = 2 / Math.sqrt(18);
      let checked = 0;
      for (let v = 0; v < ref.data.length; v++) {
        const i = index(v);
        if (i < 1 || i > 36) continue; // i = 0: dose 0, not evaluated; the top needs i + 1..3 inside the grid
        expect(r.gamma.data[v]).toBeCloseTo(expected, 5);
        checked++;
      }
      expect(checked).toBe(36 * 16);
    });
  }

  it("shift 1 mm, optimum 0.5 mm between centres: continuous γ = 1/√18 = 0.236, the voxel-centre search gives 1/3 (41 % high: no interpolation)", () => {
    const { ref, ev, index } = gradient(0, 40, 1, 1, 1);
    const r = gammaIndex(ref, ev, { dosePercent: 300 / 39, distanceMm: 3, thresholdPercent: 0 });
    const continuous = 1 / Math.sqrt(18);
    for (let v = 0; v < ref.data.length; v++) {
      const i = index(v);
      if (i < 1 || i > 36) continue;
      expect(r.gamma.data[v]).toBeCloseTo(1 / 3, 5);
      expect(r.gamma.data[v]).toBeGreaterThan(continuous);
    }
  });

  it("5 mm voxels, shift 5 mm, 5 %/4 mm global on a 2 Gy/mm gradient: γ = 5/√(16 + (ΔD/g)²) exactly when u* is a centre, else the voxel search's min over {0, 5 mm}", () => {
    // max = 2 × 5 × 39 = 390 Gy, ΔD = 19.5 Gy, ΔD/g = 9.75 mm; u* = 5 × 16 / (16 + 95.06) = 0.72 mm (not a centre):
    // the search can only take u = 0 (γ = g·s/ΔD = 10/19.5) or u = 5 mm (γ = 5/4), so γ = 0.5128 vs continuous 0.4745.
    const { ref, ev, index } = gradient(0, 40, 5, 2, 1);
    const r = gammaIndex(ref, ev, { dosePercent: 5, distanceMm: 4, thresholdPercent: 0 });
    const continuous = 5 / Math.sqrt(16 + 9.75 ** 2);
    for (let v = 0; v < ref.data.length; v++) {
      const i = index(v);
      if (i < 1 || i > 38) continue;
      expect(r.gamma.data[v]).toBeCloseTo(10 / 19.5, 5);
      expect(r.gamma.data[v] / continuous).toBeLessThan(1.09);
    }
  });
});

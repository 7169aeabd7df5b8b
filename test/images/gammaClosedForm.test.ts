/**
 * Gamma of a shifted linear gradient: a closed form independent of both src/dose/gamma.ts and
 * test/images/gamma_reference.py.
 *
 * Reference D(r) = g·n̂·r, evaluated D(r − s·n̂). With global ΔD and distance DTA the continuous
 * gamma (Low et al. 1998) is the minimum over displacements u of
 *     Γ²(u) = |u|²/DTA² + g²(n̂·u − s)²/ΔD²,   γ = |s| / sqrt(DTA² + (ΔD/g)²),
 * reached at u* = n̂·s·DTA² / (DTA² + (ΔD/g)²). The evaluated dose is linear, so trilinear
 * interpolation reproduces it exactly between voxel centres and gammaIndex returns the minimum of
 * Γ² over its search sub-grid: that minimum, computed here from the formula alone, is what the
 * tests expect (to float32 round-off). Along an axis Γ²(u) = γ² + a(u − u*)² with
 * a = 1/DTA² + g²/ΔD², so a step h costs at most a·h²/4 in γ²: the tolerance stated per test.
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

/** min over u = h·m (integer m) of u²/DTA² + (u − s)²/(ΔD/g)²: the sub-grid gamma along the gradient. */
function subGridGamma(hMm: number, sMm: number, dtaMm: number, ddOverGMm: number): number {
  let best = Infinity;
  for (let m = -100; m <= 100; m++) {
    const u = m * hMm;
    best = Math.min(best, (u * u) / (dtaMm * dtaMm) + ((u - sMm) * (u - sMm)) / (ddOverGMm * ddOverGMm));
  }
  return Math.sqrt(best);
}

describe("gammaIndex on a shifted linear gradient (closed form, independent of both implementations)", () => {
  for (const axis of [0, 2] as const) {
    it(`axis ${axis}: shift 2 mm, DTA 3 mm, ΔD/g = 3 mm → γ = 2/√18 = 0.4714 exactly (u* = 1 mm, on the sub-grid)`, () => {
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

  it("shift 1 mm, u* = 0.5 mm between centres: default step 1/3 mm gives the sub-grid minimum (≤ 5.4 % above 1/√18); step 0.25 mm (u* on the sub-grid) gives 1/√18 = 0.2357 exactly", () => {
    const { ref, ev, index } = gradient(0, 40, 1, 1, 1);
    const continuous = 1 / Math.sqrt(18);
    const a = 1 / 9 + 1 / 9; // 1/DTA² + g²/ΔD², per mm²
    const coarse = gammaIndex(ref, ev, { dosePercent: 300 / 39, distanceMm: 3, thresholdPercent: 0 });
    const fine = gammaIndex(ref, ev, { dosePercent: 300 / 39, distanceMm: 3, thresholdPercent: 0, stepMm: 0.25 });
    expect(coarse.stepMm[0]).toBeCloseTo(1 / 3, 12);
    expect(fine.stepMm[0]).toBeCloseTo(0.25, 12);
    for (let v = 0; v < ref.data.length; v++) {
      const i = index(v);
      if (i < 1 || i > 36) continue;
      expect(coarse.gamma.data[v]).toBeCloseTo(subGridGamma(1 / 3, 1, 3, 3), 5); // 0.2485
      expect(coarse.gamma.data[v]).toBeLessThanOrEqual(Math.sqrt(continuous ** 2 + (a * (1 / 3) ** 2) / 4) + 1e-6);
      expect(fine.gamma.data[v]).toBeCloseTo(continuous, 5);
    }
  });

  it("5 mm voxels, shift 5 mm, 5 %/4 mm global on a 2 Gy/mm gradient: continuous γ = 5/√(16 + 9.75²) = 0.4745; default step 1.25 mm gives 0.4956 (bound 0.5036), 0.25 mm gives 0.4746 (bound 0.4757)", () => {
    // max = 2 × 5 × 39 = 390 Gy, ΔD = 19.5 Gy, ΔD/g = 9.75 mm; u* = 5 × 16 / (16 + 95.06) = 0.72 mm.
    // The voxel-centre search (before sub-voxel interpolation) could only take u = 0 or 5 mm: 0.5128.
    const { ref, ev, index } = gradient(0, 40, 5, 2, 1);
    const continuous = 5 / Math.sqrt(16 + 9.75 ** 2);
    const a = 1 / 16 + 1 / 9.75 ** 2;
    for (const [stepMm, h] of [[undefined, 1.25], [0.25, 0.25]] as const) {
      const r = gammaIndex(ref, ev, { dosePercent: 5, distanceMm: 4, thresholdPercent: 0, stepMm });
      expect(r.stepMm[0]).toBeCloseTo(h, 12);
      const bound = Math.sqrt(continuous ** 2 + (a * h * h) / 4);
      for (let v = 0; v < ref.data.length; v++) {
        const i = index(v);
        if (i < 1 || i > 38) continue;
        expect(r.gamma.data[v]).toBeCloseTo(subGridGamma(h, 5, 4, 9.75), 5);
        expect(r.gamma.data[v]).toBeGreaterThanOrEqual(continuous - 1e-6);
        expect(r.gamma.data[v]).toBeLessThanOrEqual(bound + 1e-6);
        expect(r.gamma.data[v]).toBeLessThan(10 / 19.5); // below the voxel-centre search's 0.5128
      }
    }
  });

  it("a gradient along the (1, 1, 1) diagonal, shifted 3 mm: γ = the minimum of Γ² over the 3-D search sub-grid, computed from the formula (exercises all three interpolation axes)", () => {
    const n = 20, s = 2; // 2 mm voxels
    const geo = axisAlignedGeometry([n, n, n], [s, s, s]);
    const gPerMm = 1, shiftMm = 3, dtaMm = 3;
    const ref = new Float32Array(n ** 3), ev = new Float32Array(n ** 3);
    const along = (i: number, j: number, k: number) => ((i + j + k) * s) / Math.sqrt(3);
    for (let k = 0, v = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++, v++) {
      ref[v] = gPerMm * along(i, j, k) + 1;
      ev[v] = gPerMm * (along(i, j, k) - shiftMm) + 1;
    }
    let maxGy = 0;
    for (const d of ref) maxGy = Math.max(maxGy, d);
    const ddGy = 0.03 * maxGy; // 3 % global
    const r = gammaIndex({ ...geo, data: ref }, { ...geo, data: ev }, { dosePercent: 3, distanceMm: dtaMm, thresholdPercent: 0 });
    const h = r.stepMm[0]; // 2/3 mm: min(DTA, voxel)/3 = 2/3 divides 2 mm
    expect(h).toBeCloseTo(2 / 3, 12);
    // Sub-grid minimum of Γ² from the formula, over the sphere of radius 2·DTA.
    const rr = Math.floor((2 * dtaMm) / h + 1e-9);
    let best = 4;
    for (let c = -rr; c <= rr; c++) for (let b = -rr; b <= rr; b++) for (let a = -rr; a <= rr; a++) {
      const d2 = (a * a + b * b + c * c) * h * h;
      if (d2 > (2 * dtaMm) ** 2 + 1e-9) continue;
      const du = ((a + b + c) * h) / Math.sqrt(3) - shiftMm;
      best = Math.min(best, d2 / dtaMm ** 2 + (gPerMm * du) ** 2 / ddGy ** 2);
    }
    const continuous = shiftMm / Math.sqrt(dtaMm ** 2 + (ddGy / gPerMm) ** 2);
    let checked = 0;
    for (let k = 4; k < n - 4; k++) for (let j = 4; j < n - 4; j++) for (let i = 4; i < n - 4; i++) {
      const g = r.gamma.data[i + n * (j + n * k)];
      expect(g).toBeCloseTo(Math.sqrt(best), 4);
      expect(g).toBeGreaterThanOrEqual(continuous - 1e-5);
      checked++;
    }
    expect(checked).toBe(12 ** 3);
    // The sub-grid leaves γ 1.4 % above the continuous value here.
    expect(Math.sqrt(best) / continuous).toBeLessThan(1.015);
  });
});

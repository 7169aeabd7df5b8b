import { describe, expect, it } from "vitest";
import { cumulativeEnergyMeV, mevPerDecayToSValue, radialKernel } from "../../src/dose/kernel.js";
import { sValueAt, voxelSValues } from "../../src/dose/svalues.js";
import { InputError } from "../../src/errors.js";
import { createStream } from "../../src/random/stream.js";

/**
 * Independent Monte Carlo of the same physics: decays uniform in the source voxel, emission
 * radius drawn from the kernel's cumulative energy E(r) (inverse CDF on a fine table), isotropic
 * direction; the energy fraction landing in each target voxel is counted. It shares only E(r)
 * with voxelSValues (no quadrature, no splat).
 */
function monteCarloFractions(spacingMm: number, densityGPerMl: number, samples: number, offsets: Array<[number, number, number]>): number[] {
  const kernel = radialKernel("Y-90", { densityGPerMl });
  const table = 20000;
  const radii = new Float64Array(table + 1);
  // Inverse CDF table: radii[q] = E⁻¹(q/table · total) by bisection.
  for (let q = 0; q <= table; q++) {
    const target = (q / table) * kernel.totalMeV;
    let lo = 0;
    let hi = kernel.maxRadiusMm;
    for (let it = 0; it < 60; it++) {
      const mid = (lo + hi) / 2;
      if (cumulativeEnergyMeV(kernel, mid) < target) lo = mid;
      else hi = mid;
    }
    radii[q] = (lo + hi) / 2;
  }
  const rng = createStream(2024, 5);
  const hits = new Float64Array(offsets.length);
  for (let n = 0; n < samples; n++) {
    const x = (rng.nextFloat() - 0.5) * spacingMm;
    const y = (rng.nextFloat() - 0.5) * spacingMm;
    const z = (rng.nextFloat() - 0.5) * spacingMm;
    const u = rng.nextFloat() * table;
    const q = Math.floor(u);
    const r = radii[q] + (u - q) * (radii[q + 1] - radii[q]);
    const cosT = 2 * rng.nextFloat() - 1;
    const phi = 2 * Math.PI * rng.nextFloat();
    const sinT = Math.sqrt(1 - cosT * cosT);
    const i = Math.floor((x + r * sinT * Math.cos(phi)) / spacingMm + 0.5);
    const j = Math.floor((y + r * sinT * Math.sin(phi)) / spacingMm + 0.5);
    const k = Math.floor((z + r * cosT) / spacingMm + 0.5);
    offsets.forEach(([a, b, c], t) => {
      if (Math.abs(i) === a && Math.abs(j) === b && Math.abs(k) === c) hits[t]++;
    });
  }
  // Fraction per single target voxel: the hits are summed over the mirror images.
  return offsets.map(([a, b, c], t) => hits[t] / samples / ((a ? 2 : 1) * (b ? 2 : 1) * (c ? 2 : 1)));
}

describe("voxelSValues", () => {
  it("conserves the kernel's energy: the S-values of all voxels add up to the mean energy per decay", () => {
    for (const s of [10, 4.42, 2, 1, 0.5, 0.2]) {
      const v = voxelSValues("Y-90", s, { densityGPerMl: 1.04 });
      expect(Math.abs(v.conservationResidual)).toBeLessThan(1e-4);
      expect(v.absorbedMeV).toBeCloseTo(0.9367, 3);
    }
  });

  it("at 4.42 mm and 2 mm agrees with an independent Monte Carlo of the same kernel within 4σ", () => {
    const offsets: Array<[number, number, number]> = [
      [0, 0, 0],
      [1, 0, 0],
      [1, 1, 0],
      [1, 1, 1],
      [2, 0, 0],
    ];
    const samples = 400_000;
    for (const s of [4.42, 2]) {
      const v = voxelSValues("Y-90", s, { densityGPerMl: 1.04 });
      const mc = monteCarloFractions(s, 1.04, samples, offsets);
      offsets.forEach(([i, j, k], t) => {
        const fraction = (sValueAt(v, i, j, k) / mevPerDecayToSValue(1, 1.04e-3 * s ** 3)) / v.kernel.totalMeV;
        const sigma = Math.sqrt((mc[t] * (1 - mc[t])) / samples);
        expect(Math.abs(fraction - mc[t])).toBeLessThan(4 * sigma + 1e-4 * fraction);
      });
    }
  });

  it("the self-voxel S-value at 10 mm equals the closed form E/m times the analytic in-voxel fraction", () => {
    // A deposit at distance r ≤ L from a point uniform in a cube of side L stays inside with
    // probability E_ω Πₐ(1 − r|ωₐ|/L) = 1 − (3/2)ρ + (2/π)ρ² − ρ³/(4π), ρ = r/L (sphere averages
    // E|ωₓ| = 1/2, E|ωₓω_y| = 2/(3π), E|ωₓω_yω_z| = 1/(4π)). Integrated against dE(r); the
    // 0.2 % of Y-90 energy beyond r = L contributes < 0.1 %.
    const L = 10;
    const v = voxelSValues("Y-90", L, { densityGPerMl: 1 });
    const k = v.kernel;
    let inside = 0;
    const h = 0.0005;
    for (let r = h / 2; r < L; r += h) {
      const rho = r / L;
      const p = 1 - 1.5 * rho + (2 / Math.PI) * rho * rho - (rho * rho * rho) / (4 * Math.PI);
      inside += p * (cumulativeEnergyMeV(k, r + h / 2) - cumulativeEnergyMeV(k, r - h / 2));
    }
    const closedForm = mevPerDecayToSValue(inside, 1e-3 * L ** 3);
    expect(Math.abs(sValueAt(v, 0, 0, 0) / closedForm - 1)).toBeLessThan(0.002);
  });

  it("the far-field quadrature matches the all-spherical splat at 1 mm within 0.5 % where S > 1e-3·S(0)", () => {
    const hybrid = voxelSValues("Y-90", 1, { densityGPerMl: 1 });
    const splat = voxelSValues("Y-90", 1, { densityGPerMl: 1, farFieldStartVoxels: Infinity });
    const s0 = splat.octant[0];
    for (let n = 0; n < splat.octant.length; n++) {
      if (splat.octant[n] > 1e-3 * s0) expect(Math.abs(hybrid.octant[n] / splat.octant[n] - 1)).toBeLessThan(0.005);
    }
  });

  it("anisotropic voxels keep the x↔y symmetry of a [2, 2, 4] mm grid and conserve energy", () => {
    const v = voxelSValues("Y-90", [2, 2, 4], { densityGPerMl: 1 });
    expect(v.halfWidth).toEqual([7, 7, 4]);
    for (const [i, j, k] of [[1, 0, 0], [2, 1, 1], [3, 2, 0]]) {
      expect(sValueAt(v, i, j, k)).toBeCloseTo(sValueAt(v, j, i, k), 12);
    }
    expect(sValueAt(v, 0, 0, 1)).toBeLessThan(sValueAt(v, 1, 0, 0));
    expect(Math.abs(v.conservationResidual)).toBeLessThan(1e-9);
  });

  it("obeys the density scaling S_ρ(s) = ρ²·S₁(ρ s) (MIRD 17; paths shrink by 1/ρ)", () => {
    const dense = voxelSValues("Y-90", 2, { densityGPerMl: 1.5 });
    const water = voxelSValues("Y-90", 3, { densityGPerMl: 1 });
    for (const [i, j, k] of [[0, 0, 0], [1, 0, 0], [1, 1, 1], [2, 1, 0], [3, 0, 0]]) {
      expect(sValueAt(dense, i, j, k) / (1.5 ** 2 * sValueAt(water, i, j, k))).toBeCloseTo(1, 6);
    }
  });

  it("is even in each axis: sValueAt(−i, j, −k) = sValueAt(i, j, k)", () => {
    const v = voxelSValues("Y-90", 4.42);
    expect(sValueAt(v, -1, 2, -1)).toBe(sValueAt(v, 1, 2, 1));
    expect(sValueAt(v, 99, 0, 0)).toBe(0);
    // Cubic voxels: every axis permutation gives the same value.
    expect(sValueAt(v, 1, 0, 0)).toBe(sValueAt(v, 0, 0, 1));
    expect(sValueAt(v, 2, 1, 0)).toBe(sValueAt(v, 0, 1, 2));
  });

  it("rejects a voxel size outside [0.05, 10] mm with an InputError naming spacingMm", () => {
    expect(() => voxelSValues("Y-90", 0.01)).toThrow(InputError);
    expect(() => voxelSValues("Y-90", [2, 2, 20])).toThrow(/spacingMm\[2\] must be in \[0.05, 10\], got 20/);
  });
});

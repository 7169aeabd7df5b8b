/**
 * 3-D gamma index (Low et al., Med Phys 1998;25:656) of an evaluated dose against a reference dose
 * on the same grid, as used to compare a predicted (MAA) and a delivered (Y-90 PET) dose map
 * (e.g. 5 %/4 mm global, the criterion MIM SurePlan was commissioned with).
 *
 *   γ(r) = min over evaluated voxels r' of sqrt(|r' − r|² / DTA² + (D_e(r') − D_r(r))² / ΔD²)
 *
 * with ΔD = dosePercent/100 × max(reference) (global) or × D_r(r) (local). Conventions, stated
 * because gamma tools differ here: the evaluated dose is interpolated (trilinear) on a search
 * sub-grid of step ≤ stepMm (default min(DTA, voxel spacing)/3 per axis, Low & Dempsey, Med Phys
 * 2003;30:2455) that includes the voxel centres, within a sphere of radius maxGamma × DTA (γ above
 * maxGamma is reported as maxGamma); reference voxels below thresholdPercent of the reference
 * maximum are not evaluated; points outside the hull of the evaluated voxel centres are not
 * candidates. γ is the minimum over the sub-grid, so it exceeds the continuous gamma by at most
 * what a half step costs (test/images/gammaClosedForm.test.ts states the bound).
 * The pass rate is the fraction of evaluated reference voxels with γ ≤ 1.
 */
import { checkRange } from "../errors.js";
import type { Grid, GridData } from "../geometry/grid.js";
import { checkSameDims } from "./convolve.js";

export interface GammaOptions {
  /** Dose-difference criterion, percent (of the reference maximum, or of the local dose). */
  readonly dosePercent: number;
  /** Distance-to-agreement criterion, mm. */
  readonly distanceMm: number;
  /** Reference voxels below this percent of the reference maximum are not evaluated. Default 10. */
  readonly thresholdPercent?: number;
  /** "global" (default) or "local" dose normalisation. */
  readonly normalisation?: "global" | "local";
  /** Search radius in units of DTA; γ above it is reported as this value. Default 2. */
  readonly maxGamma?: number;
  /**
   * Search step, mm: the evaluated dose is interpolated (trilinear) on a sub-grid of at most this
   * step along every axis. Default defaultGammaStepMm: min(DTA, the axis's voxel spacing) / 3
   * (Low & Dempsey, Med Phys 2003;30:2455: a step ≤ DTA/3).
   */
  readonly stepMm?: number;
}

/** Default search step per axis: a third of the DTA and of that axis's voxel spacing (Low & Dempsey 2003). */
export function defaultGammaStepMm(distanceMm: number, spacingMm: readonly [number, number, number]): [number, number, number] {
  return [Math.min(distanceMm, spacingMm[0]) / 3, Math.min(distanceMm, spacingMm[1]) / 3, Math.min(distanceMm, spacingMm[2]) / 3];
}

export interface GammaResult {
  /** γ per voxel (NaN where not evaluated), reference geometry. */
  readonly gamma: Grid<Float32Array>;
  readonly evaluatedVoxels: number;
  readonly passedVoxels: number;
  /** passedVoxels / evaluatedVoxels, 0..1. */
  readonly passRate: number;
  readonly meanGamma: number;
  readonly referenceMaxGy: number;
  /** The search step used along x, y, z, mm (voxel spacing / an integer ≥ 1). */
  readonly stepMm: readonly [number, number, number];
}

/** Gamma of `evaluated` against `reference` (same dims and spacing). */
export function gammaIndex(reference: Grid<GridData>, evaluated: Grid<GridData>, options: GammaOptions): GammaResult {
  checkSameDims("evaluated", evaluated, reference);
  const dosePercent = checkRange("dosePercent", options.dosePercent, 0, 100, { minOpen: true });
  const dtaMm = checkRange("distanceMm", options.distanceMm, 0, 100, { minOpen: true });
  const thresholdPercent = checkRange("thresholdPercent", options.thresholdPercent ?? 10, 0, 100);
  const maxGamma = checkRange("maxGamma", options.maxGamma ?? 2, 1, 10);
  const local = options.normalisation === "local";
  const [nx, ny, nz] = reference.dims;
  const [sx, sy, sz] = reference.spacingMm;
  const ref = reference.data;
  const ev = evaluated.data;
  let maxGy = 0;
  for (let n = 0; n < ref.length; n++) if (ref[n] > maxGy) maxGy = ref[n];
  const thresholdGy = (thresholdPercent / 100) * maxGy;
  const globalDdGy = (dosePercent / 100) * maxGy;

  // Search points: a sub-grid of the evaluated grid with m_a = ceil(spacing_a / step) points per
  // voxel along each axis (voxel centres included, so γ never exceeds the voxel-centre search's),
  // within the sphere of radius maxGamma × DTA, sorted by distance so the search stops as soon as
  // the distance term alone reaches the best γ² found (no farther point can improve it).
  const stepOption = options.stepMm === undefined ? undefined : checkRange("stepMm", options.stepMm, 1e-3, 100, { minOpen: true });
  const [stepX, stepY, stepZ] = stepOption === undefined ? defaultGammaStepMm(dtaMm, reference.spacingMm) : [stepOption, stepOption, stepOption];
  const mx = Math.max(1, Math.ceil(sx / stepX - 1e-9)), my = Math.max(1, Math.ceil(sy / stepY - 1e-9)), mz = Math.max(1, Math.ceil(sz / stepZ - 1e-9));
  const hx = sx / mx, hy = sy / my, hz = sz / mz;
  const radiusMm = maxGamma * dtaMm;
  const ri = Math.floor(radiusMm / hx + 1e-9), rj = Math.floor(radiusMm / hy + 1e-9), rk = Math.floor(radiusMm / hz + 1e-9);
  const offsets: Array<{ a: number; b: number; c: number; d2: number }> = [];
  for (let c = -rk; c <= rk; c++) for (let b = -rj; b <= rj; b++) for (let a = -ri; a <= ri; a++) {
    const d2 = (a * hx) ** 2 + (b * hy) ** 2 + (c * hz) ** 2;
    if (d2 <= radiusMm * radiusMm + 1e-9) offsets.push({ a, b, c, d2: d2 / (dtaMm * dtaMm) });
  }
  offsets.sort((p, q) => p.d2 - q.d2);
  const count = offsets.length;
  // Per search point: the lower voxel index offset and the trilinear fractions (0 ≤ f < 1).
  const oi = Int32Array.from(offsets, (o) => Math.floor(o.a / mx));
  const oj = Int32Array.from(offsets, (o) => Math.floor(o.b / my));
  const ok = Int32Array.from(offsets, (o) => Math.floor(o.c / mz));
  const fx = Float64Array.from(offsets, (o) => o.a / mx - Math.floor(o.a / mx));
  const fy = Float64Array.from(offsets, (o) => o.b / my - Math.floor(o.b / my));
  const fz = Float64Array.from(offsets, (o) => o.c / mz - Math.floor(o.c / mz));
  const od2 = Float64Array.from(offsets, (o) => o.d2);
  const sj = nx, sk = nx * ny;

  const gamma = new Float32Array(ref.length).fill(Number.NaN);
  const cap2 = maxGamma * maxGamma;
  let evaluatedVoxels = 0;
  let passed = 0;
  let gammaSum = 0;
  let v = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, v++) {
        const dRef = ref[v];
        if (!(dRef >= thresholdGy) || dRef <= 0) continue;
        const dd = local ? (dosePercent / 100) * dRef : globalDdGy;
        const inv = 1 / (dd * dd);
        let best = cap2;
        for (let q = 0; q < count; q++) {
          const dist2 = od2[q];
          if (dist2 >= best) break;
          const ii = i + oi[q], jj = j + oj[q], kk = k + ok[q];
          const ax = fx[q], ay = fy[q], az = fz[q];
          // A point outside the hull of the evaluated voxel centres is not a candidate.
          if (ii < 0 || jj < 0 || kk < 0 || ii >= nx || jj >= ny || kk >= nz) continue;
          if ((ax > 0 && ii + 1 >= nx) || (ay > 0 && jj + 1 >= ny) || (az > 0 && kk + 1 >= nz)) continue;
          const n0 = ii + sj * jj + sk * kk;
          // Trilinear interpolation; a zero fraction never reads past the edge (its weight is 0
          // and the neighbour index is clamped to the same voxel).
          const dxn = ax > 0 ? 1 : 0, dyn = ay > 0 ? sj : 0, dzn = az > 0 ? sk : 0;
          const c00 = ev[n0] + ax * (ev[n0 + dxn] - ev[n0]);
          const c10 = ev[n0 + dyn] + ax * (ev[n0 + dyn + dxn] - ev[n0 + dyn]);
          const c01 = ev[n0 + dzn] + ax * (ev[n0 + dzn + dxn] - ev[n0 + dzn]);
          const c11 = ev[n0 + dzn + dyn] + ax * (ev[n0 + dzn + dyn + dxn] - ev[n0 + dzn + dyn]);
          const c0 = c00 + ay * (c10 - c00);
          const c1 = c01 + ay * (c11 - c01);
          const diff = c0 + az * (c1 - c0) - dRef;
          const g2 = dist2 + diff * diff * inv;
          if (g2 < best) best = g2;
        }
        const g = Math.sqrt(best);
        gamma[v] = g;
        evaluatedVoxels++;
        gammaSum += g;
        if (g <= 1) passed++;
      }
    }
  }
  return {
    gamma: { ...reference, data: gamma } as Grid<Float32Array>,
    evaluatedVoxels,
    passedVoxels: passed,
    passRate: evaluatedVoxels > 0 ? passed / evaluatedVoxels : 0,
    meanGamma: evaluatedVoxels > 0 ? gammaSum / evaluatedVoxels : 0,
    referenceMaxGy: maxGy,
    stepMm: [hx, hy, hz],
  };
}

/**
 * 3-D gamma index (Low et al., Med Phys 1998;25:656) of an evaluated dose against a reference dose
 * on the same grid, as used to compare a predicted (MAA) and a delivered (Y-90 PET) dose map
 * (e.g. 5 %/4 mm global, the criterion MIM SurePlan was commissioned with).
 *
 *   γ(r) = min over evaluated voxels r' of sqrt(|r' − r|² / DTA² + (D_e(r') − D_r(r))² / ΔD²)
 *
 * with ΔD = dosePercent/100 × max(reference) (global) or × D_r(r) (local). Conventions, stated
 * because gamma tools differ here: the search visits evaluated voxel centres only (no
 * interpolation between them), within a sphere of radius maxGamma × DTA (so γ is exact up to
 * maxGamma and reported as maxGamma beyond); reference voxels below thresholdPercent of the
 * reference maximum are not evaluated; evaluated voxels outside the grid are not candidates.
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

  // Offsets within the search sphere, sorted by distance so the search can stop early.
  const radiusMm = maxGamma * dtaMm;
  const ri = Math.floor(radiusMm / sx), rj = Math.floor(radiusMm / sy), rk = Math.floor(radiusMm / sz);
  const offsets: Array<{ di: number; dj: number; dk: number; d2: number }> = [];
  for (let dk = -rk; dk <= rk; dk++) for (let dj = -rj; dj <= rj; dj++) for (let di = -ri; di <= ri; di++) {
    const d2 = (di * sx) ** 2 + (dj * sy) ** 2 + (dk * sz) ** 2;
    if (d2 <= radiusMm * radiusMm + 1e-9) offsets.push({ di, dj, dk, d2: d2 / (dtaMm * dtaMm) });
  }
  offsets.sort((a, b) => a.d2 - b.d2);
  const count = offsets.length;
  const oi = Int32Array.from(offsets, (o) => o.di);
  const oj = Int32Array.from(offsets, (o) => o.dj);
  const ok = Int32Array.from(offsets, (o) => o.dk);
  const od2 = Float64Array.from(offsets, (o) => o.d2);

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
          if (ii < 0 || jj < 0 || kk < 0 || ii >= nx || jj >= ny || kk >= nz) continue;
          const diff = ev[ii + nx * (jj + ny * kk)] - dRef;
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
  };
}

/**
 * Cumulative dose–volume histograms, voxel-exact.
 *
 * Definition. A VOI of N voxels of equal volume with doses d₁ ≤ … ≤ d_N (sorted) has the
 * cumulative DVH V(D) = #{i : dᵢ ≥ D} / N, the fraction of the VOI volume receiving at least D.
 * V is a right-continuous step function computed from the voxel doses themselves (no binning).
 * D_x, the minimum dose to the hottest x % of the volume, is the largest D with V(D) ≥ x/100:
 * the ⌈x·N/100⌉-th highest voxel dose (ICRU 83 convention; D_100 = minimum, D_0 → maximum).
 * V_D (e.g. V205) is V(D) as a fraction 0..1.
 */
import { InputError } from "../errors.js";
import { voxelVolumeMl, type Grid, type GridData } from "../geometry/grid.js";
import { lowerBound } from "../sortedSearch.js";

export interface Dvh {
  /** Voxel doses of the VOI sorted ascending, Gy. */
  readonly sortedDoseGy: Float64Array;
  readonly voxelCount: number;
  readonly voxelVolumeMl: number;
  readonly volumeMl: number;
}

/**
 * The DVH of the voxels where `mask` is non-zero (or equals `label` when given); the whole grid
 * when `mask` is omitted.
 */
export function dvh(dose: Grid<Float32Array | Float64Array>, mask?: Grid<GridData> | null, label?: number): Dvh {
  const d = dose.data;
  let selected: Float64Array;
  if (mask) {
    if (mask.dims[0] !== dose.dims[0] || mask.dims[1] !== dose.dims[1] || mask.dims[2] !== dose.dims[2]) {
      throw new InputError("mask", `mask dims must equal the dose dims [${dose.dims.join(", ")}], got [${mask.dims.join(", ")}]`);
    }
    const m = mask.data;
    let count = 0;
    for (let n = 0; n < m.length; n++) if (label === undefined ? m[n] !== 0 : m[n] === label) count++;
    selected = new Float64Array(count);
    let c = 0;
    for (let n = 0; n < m.length; n++) if (label === undefined ? m[n] !== 0 : m[n] === label) selected[c++] = d[n];
  } else {
    selected = Float64Array.from(d);
  }
  if (selected.length === 0) throw new InputError("mask", "the volume of interest has no voxels");
  selected.sort();
  const v = voxelVolumeMl(dose);
  return { sortedDoseGy: selected, voxelCount: selected.length, voxelVolumeMl: v, volumeMl: v * selected.length };
}

/** V(D): fraction of the VOI receiving at least `doseGy` (0..1). */
export function volumeFractionAtLeast(h: Dvh, doseGy: number): number {
  const s = h.sortedDoseGy;
  return (s.length - lowerBound(s, doseGy)) / s.length;
}

/** D_x: minimum dose to the hottest `percent` % of the VOI, Gy (percent in (0, 100]). */
export function doseAtVolumePercent(h: Dvh, percent: number): number {
  if (!(percent > 0 && percent <= 100)) throw new InputError("percent", `percent must be in (0, 100], got ${percent}`);
  const n = h.voxelCount;
  // ⌈x·N/100⌉ hottest voxels; tiny tolerance so that e.g. 70 % of 10 voxels is exactly 7.
  const hottest = Math.max(1, Math.ceil((percent * n) / 100 - 1e-9));
  return h.sortedDoseGy[n - hottest];
}

/** The DVH as a curve on dose points (Gy): volume fractions V(D) at each. */
export function dvhCurve(h: Dvh, dosesGy: ArrayLike<number>): { doseGy: Float64Array; volumeFraction: Float64Array } {
  const doseGy = Float64Array.from(dosesGy);
  const volumeFraction = doseGy.map((x) => volumeFractionAtLeast(h, x));
  return { doseGy, volumeFraction };
}

/**
 * Most dose points of an exported DVH curve: a 1e-6 Gy bin up to 1000 Gy would be 1e9 points
 * (gigabytes of CSV); 10,000 points resolve any curve to 0.01 % of its dose range.
 */
export const MAX_DVH_POINTS = 10_000;

/**
 * The bin width actually used for a curve up to `maxGy`: `binWidthGy`, or, when that would give
 * more than MAX_DVH_POINTS points, the smallest 1-2-5 × 10^k width that does not.
 */
export function boundedDvhBinWidthGy(maxGy: number, binWidthGy: number): number {
  if (!(binWidthGy > 0)) throw new InputError("binWidthGy", `binWidthGy must be > 0, got ${binWidthGy}`);
  if (!(Math.floor(maxGy / binWidthGy) + 2 > MAX_DVH_POINTS)) return binWidthGy;
  const least = maxGy / (MAX_DVH_POINTS - 2);
  let decade = 10 ** Math.floor(Math.log10(least));
  for (;;) {
    for (const m of [1, 2, 5]) if (m * decade >= least && Math.floor(maxGy / (m * decade)) + 2 <= MAX_DVH_POINTS) return m * decade;
    decade *= 10;
  }
}

/**
 * Evenly spaced dose points 0, w, 2w, … up to the maximum dose (inclusive), w the requested bin
 * width or a wider one keeping the curve within MAX_DVH_POINTS (boundedDvhBinWidthGy).
 */
export function dvhDosePoints(h: Dvh, binWidthGy: number): Float64Array {
  const max = h.sortedDoseGy[h.voxelCount - 1];
  const width = boundedDvhBinWidthGy(max, binWidthGy);
  const n = Math.floor(max / width) + 2;
  return Float64Array.from({ length: n }, (_, i) => i * width);
}

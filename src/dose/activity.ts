/**
 * Activity grids (Bq per voxel at the reference time), the input of every dose method:
 *  (a) from lodged spheres: each sphere's activity, decayed to the reference time, added to the
 *      voxel that contains its centre; Neumaier-compensated float64 sums, so millions of ~50 Bq
 *      deposits add up exactly to rounding of the total;
 *  (b) from an activity image (SPECT/PET): scaled so that its total equals the administered
 *      activity × (1 − LSF); optionally the partition model on a voxel grid: label masks define
 *      compartments whose shares follow their relative concentration × volume (Ho et al., Eur J
 *      Nucl Med 1996;23:947), with the image's shape kept (or made uniform) inside each.
 */
import { checkRange, InputError } from "../errors.js";
import { voxelVolumeMl, type Grid, type GridData, type GridGeometry } from "../geometry/grid.js";
import { NUCLIDES, type NuclideId } from "../physics/index.js";
import { checkSameDims } from "./convolve.js";
import { decayFactor } from "./timeIntegration.js";

export interface SphereDepositOptions {
  nuclide: NuclideId;
  /**
   * Hours from the time the sphere activities refer to (e.g. calibration) to the reference time
   * of the dose; activities are multiplied by e^{−λ·elapsedH}. Default 0.
   */
  elapsedH?: number;
}

export interface SphereDepositStats {
  /** Spheres given / deposited inside the grid / outside it. */
  readonly sphereCount: number;
  readonly depositedCount: number;
  readonly outsideCount: number;
  /** Activity at the reference time deposited in the grid / falling outside it, Bq. */
  readonly depositedBq: number;
  readonly outsideBq: number;
}

/**
 * Add lodged spheres to an activity grid (Bq per voxel), in place. `positionsMm` holds x, y, z
 * world coordinates per sphere (the grid's frame); `activitiesBq` one activity per sphere or a
 * single value for all. Spheres outside the grid are counted, not deposited.
 */
export function activityGridFromSpheres(
  out: Grid<Float64Array>,
  positionsMm: Float64Array,
  activitiesBq: Float64Array | number,
  options: SphereDepositOptions,
): SphereDepositStats {
  if (!NUCLIDES[options.nuclide]) throw new InputError("nuclide", `nuclide must be one of ${Object.keys(NUCLIDES).join(", ")}`);
  if (positionsMm.length % 3 !== 0) throw new InputError("positionsMm", `positionsMm must hold 3 numbers per sphere, got ${positionsMm.length}`);
  const count = positionsMm.length / 3;
  if (typeof activitiesBq !== "number" && activitiesBq.length !== count) {
    throw new InputError("activitiesBq", `activitiesBq must hold one activity per sphere (${count}), got ${activitiesBq.length}`);
  }
  if (typeof activitiesBq === "number") checkRange("activitiesBq", activitiesBq, 0, Number.MAX_VALUE);
  const factor = decayFactor(options.nuclide, options.elapsedH ?? 0);
  const data = out.data;
  const compensation = new Float64Array(data.length);
  const locator = voxelLocator(out);
  let deposited = 0;
  let depositedBq = 0;
  let outsideBq = 0;
  for (let s = 0; s < count; s++) {
    const a = (typeof activitiesBq === "number" ? activitiesBq : activitiesBq[s]) * factor;
    const n = voxelIndex(locator, positionsMm[3 * s], positionsMm[3 * s + 1], positionsMm[3 * s + 2]);
    if (n < 0) {
      outsideBq += a;
      continue;
    }
    // Neumaier's compensated sum (Neumaier, ZAMM 1974;54:39).
    const sum = data[n];
    const t = sum + a;
    compensation[n] += Math.abs(sum) >= Math.abs(a) ? sum - t + a : a - t + sum;
    data[n] = t;
    deposited++;
    depositedBq += a;
  }
  for (let n = 0; n < data.length; n++) data[n] += compensation[n];
  return { sphereCount: count, depositedCount: deposited, outsideCount: count - deposited, depositedBq, outsideBq };
}

/** A grid geometry as plain numbers, for per-sphere voxel lookups (voxelIndex). */
interface VoxelLocator {
  readonly d0: number; readonly d1: number; readonly d2: number;
  readonly d3: number; readonly d4: number; readonly d5: number;
  readonly d6: number; readonly d7: number; readonly d8: number;
  readonly ox: number; readonly oy: number; readonly oz: number;
  readonly sx: number; readonly sy: number; readonly sz: number;
  readonly nx: number; readonly ny: number; readonly nz: number;
}

function voxelLocator(g: GridGeometry): VoxelLocator {
  const [d0, d1, d2, d3, d4, d5, d6, d7, d8] = g.direction;
  const [ox, oy, oz] = g.originMm;
  const [sx, sy, sz] = g.spacingMm;
  const [nx, ny, nz] = g.dims;
  return { d0, d1, d2, d3, d4, d5, d6, d7, d8, ox, oy, oz, sx, sy, sz, nx, ny, nz };
}

/**
 * Index of the voxel holding world point (x, y, z) — voxel i covers [i − ½, i + ½) — or −1 outside
 * the grid. worldToVoxel's arithmetic (same operations, same order, so the same voxel) on plain
 * numbers: reading the geometry's arrays per sphere made the binning loop 1.4× slower (measured).
 */
function voxelIndex(L: VoxelLocator, x: number, y: number, z: number): number {
  const dx = x - L.ox;
  const dy = y - L.oy;
  const dz = z - L.oz;
  const i = Math.floor((L.d0 * dx + L.d3 * dy + L.d6 * dz) / L.sx + 0.5);
  const j = Math.floor((L.d1 * dx + L.d4 * dy + L.d7 * dz) / L.sy + 0.5);
  const k = Math.floor((L.d2 * dx + L.d5 * dy + L.d8 * dz) / L.sz + 0.5);
  if (i < 0 || j < 0 || k < 0 || i >= L.nx || j >= L.ny || k >= L.nz) return -1;
  return i + L.nx * (j + L.ny * k);
}

/**
 * Margin, in voxel units, by which a box must lie inside one voxel for boxVoxelOf: far above the
 * rounding of the affine map (~1e-13 voxel for mm-sized coordinates) and of a point drawn in the
 * box, so every point drawn in it is binned (voxelIndex) into that voxel.
 */
const BOX_VOXEL_MARGIN = 1e-9;

/**
 * For `grid`: a function of an axis-aligned world box [minX, minY, minZ, maxX, maxY, maxZ] (mm)
 * that returns the index of the voxel holding the whole box (every point countSpheresInGrid would
 * bin there), or −1 when the box may cross a voxel boundary or leave the grid. The voxel
 * coordinates are affine in x, y, z: per axis their range over the box is the sum of each term's
 * range (a box's image is the hull of its corners).
 */
export function boxVoxelOf(grid: GridGeometry): (box: Float64Array) => number {
  const L = voxelLocator(grid);
  // Row a of the inverse map (the direction's transpose): coefficients of dx, dy, dz, spacing, size.
  const coef = Float64Array.of(L.d0, L.d3, L.d6, L.d1, L.d4, L.d7, L.d2, L.d5, L.d8);
  const spacing = Float64Array.of(L.sx, L.sy, L.sz);
  const size = Int32Array.of(L.nx, L.ny, L.nz);
  const origin = Float64Array.of(L.ox, L.oy, L.oz);
  const index = new Int32Array(3);
  return (box: Float64Array): number => {
    for (let a = 0; a < 3; a++) {
      let lo = 0;
      let hi = 0;
      for (let b = 0; b < 3; b++) {
        const t0 = coef[3 * a + b] * (box[b] - origin[b]);
        const t1 = coef[3 * a + b] * (box[3 + b] - origin[b]);
        lo += t0 < t1 ? t0 : t1;
        hi += t0 < t1 ? t1 : t0;
      }
      const vLo = lo / spacing[a] + 0.5;
      const vHi = hi / spacing[a] + 0.5;
      const i = Math.floor(vLo);
      // Negated tests: a NaN coordinate fails them all (−1, placed sphere by sphere).
      if (!(i >= 0 && i < size[a] && vLo - i >= BOX_VOXEL_MARGIN && i + 1 - vHi >= BOX_VOXEL_MARGIN)) return -1;
      index[a] = i;
    }
    return index[0] + size[0] * (index[1] + size[1] * index[2]);
  };
}

/**
 * Add 1 per sphere to the voxel holding its centre (`positionsMm` as in activityGridFromSpheres):
 * sphere counts, the same voxels as activityGridFromSpheres with activity 1, without its
 * compensated sums — integer counts below 2^53 add exactly in any order. Returns the number of
 * spheres outside the grid.
 */
export function countSpheresInGrid(out: Grid<Float64Array>, positionsMm: Float64Array): number {
  const data = out.data;
  const locator = voxelLocator(out);
  const count = positionsMm.length / 3;
  let outside = 0;
  for (let s = 0; s < count; s++) {
    const n = voxelIndex(locator, positionsMm[3 * s], positionsMm[3 * s + 1], positionsMm[3 * s + 2]);
    if (n < 0) outside++;
    else data[n] += 1;
  }
  return outside;
}

export interface Compartment {
  /** Label value in the label image. */
  label: number;
  /** Activity concentration relative to the other compartments (e.g. T/N for a tumour, 1 for normal liver). */
  relativeConcentration?: number;
  /** Share of the liver activity; overrides the concentration-based share (fractions must sum ≤ 1). */
  activityFraction?: number;
}

export interface ImageActivityOptions {
  /** Administered activity, GBq. */
  administeredGBq: number;
  /** Lung shunt fraction, 0..1 (activity that leaves the liver). Default 0. */
  lungShuntFraction?: number;
  /** Residual fraction left in vial and tubing, 0..1. Default 0. */
  residualFraction?: number;
  /** Label image (same dims) and compartments: the partition model on the grid. */
  labels?: Grid<GridData>;
  compartments?: readonly Compartment[];
  /** Inside each compartment: keep the image's distribution (default) or make it uniform. */
  withinCompartment?: "image" | "uniform";
}

export interface ImageActivityStats {
  /** Activity in the grid, Bq: administered × (1 − residual) × (1 − LSF). */
  readonly totalBq: number;
  readonly compartments: ReadonlyArray<{ label: number; voxelCount: number; volumeMl: number; activityBq: number }>;
}

/**
 * Fill `out` (Bq per voxel) from an activity image scaled to the administered activity reaching
 * the liver. Negative image values (reconstruction noise) are an input error, not clamped.
 */
export function activityGridFromImage<T extends Float32Array | Float64Array>(
  out: Grid<T>,
  image: Grid<GridData>,
  options: ImageActivityOptions,
): ImageActivityStats {
  checkSameDims("out", out, image);
  checkRange("administeredGBq", options.administeredGBq, 0, 100);
  const lsf = checkRange("lungShuntFraction", options.lungShuntFraction ?? 0, 0, 1);
  const residual = checkRange("residualFraction", options.residualFraction ?? 0, 0, 1);
  const totalBq = options.administeredGBq * 1e9 * (1 - residual) * (1 - lsf);
  const img = image.data;
  const data = out.data;
  for (let n = 0; n < img.length; n++) {
    if (!(img[n] >= 0)) throw new InputError("image", `image values must be finite and ≥ 0, voxel ${n} is ${img[n]}`);
  }
  const volumeMl = voxelVolumeMl(image);

  if (!options.labels || !options.compartments || options.compartments.length === 0) {
    let sum = 0;
    for (let n = 0; n < img.length; n++) sum += img[n];
    if (sum <= 0) throw new InputError("image", "image total must be > 0");
    const k = totalBq / sum;
    for (let n = 0; n < img.length; n++) data[n] = img[n] * k;
    return { totalBq, compartments: [] };
  }

  checkSameDims("labels", options.labels, image);
  const labels = options.labels.data;
  const comps = options.compartments;
  const index = new Map<number, number>();
  comps.forEach((c, i) => {
    if (index.has(c.label)) throw new InputError(`compartments[${i}].label`, `compartments[${i}].label ${c.label} is repeated`);
    index.set(c.label, i);
    if (c.relativeConcentration !== undefined) checkRange(`compartments[${i}].relativeConcentration`, c.relativeConcentration, 0, 1e6);
    if (c.activityFraction !== undefined) checkRange(`compartments[${i}].activityFraction`, c.activityFraction, 0, 1);
  });
  const voxels = new Float64Array(comps.length);
  const imageSum = new Float64Array(comps.length);
  for (let n = 0; n < labels.length; n++) {
    const c = index.get(labels[n]);
    if (c === undefined) continue;
    voxels[c]++;
    imageSum[c] += img[n];
  }
  // Shares: explicit fractions first, the rest split by concentration × volume (partition model).
  const fixed = comps.reduce((s, c) => s + (c.activityFraction ?? 0), 0);
  if (fixed > 1 + 1e-12) throw new InputError("compartments", `compartments activityFraction must sum to ≤ 1, got ${fixed}`);
  let weightSum = 0;
  comps.forEach((c, i) => {
    if (c.activityFraction === undefined) weightSum += (c.relativeConcentration ?? 1) * voxels[i];
  });
  const shares = comps.map((c, i) => {
    if (c.activityFraction !== undefined) return c.activityFraction;
    return weightSum > 0 ? ((1 - fixed) * (c.relativeConcentration ?? 1) * voxels[i]) / weightSum : 0;
  });
  const uniform = options.withinCompartment === "uniform";
  const perVoxel = comps.map((_, i) => {
    if (voxels[i] === 0) {
      if (shares[i] > 0) throw new InputError(`compartments[${i}].label`, `compartments[${i}].label ${comps[i].label} has no voxels but a share of the activity`);
      return 0;
    }
    return uniform || imageSum[i] === 0 ? (shares[i] * totalBq) / voxels[i] : (shares[i] * totalBq) / imageSum[i];
  });
  const useImage = comps.map((_, i) => !(uniform || imageSum[i] === 0));
  for (let n = 0; n < labels.length; n++) {
    const c = index.get(labels[n]);
    data[n] = c === undefined ? 0 : useImage[c] ? img[n] * perVoxel[c] : perVoxel[c];
  }
  return {
    totalBq: totalBq * shares.reduce((a, b) => a + b, 0),
    compartments: comps.map((c, i) => ({ label: c.label, voxelCount: voxels[i], volumeMl: voxels[i] * volumeMl, activityBq: shares[i] * totalBq })),
  };
}

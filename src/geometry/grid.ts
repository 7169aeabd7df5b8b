/**
 * Voxel grids: plain data (a typed array plus its geometry), x fastest. The world position of
 * voxel (i, j, k) is origin + D · (spacing ⊙ (i, j, k)), with D the 3×3 direction matrix whose
 * columns are the directions of the i, j, k axes (as in ITK / SimpleITK; LPS or RAS is the
 * caller's convention and is recorded in `frame`).
 */

import { InputError } from "../errors.js";

export type Vec3 = [number, number, number];

/** Row-major 3×3 matrix: [m00, m01, m02, m10, …]. Column c is the world direction of axis c. */
export type Mat3 = [number, number, number, number, number, number, number, number, number];

export const IDENTITY_DIRECTION: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

export interface GridGeometry {
  /** Number of voxels along i, j, k. */
  readonly dims: Vec3;
  /** Voxel size along i, j, k, mm. */
  readonly spacingMm: Vec3;
  /** World position of the centre of voxel (0, 0, 0), mm. */
  readonly originMm: Vec3;
  /** Direction cosines (columns = axes). */
  readonly direction: Mat3;
  /** World convention of originMm/direction: "RAS" (NIfTI) or "LPS" (DICOM, ITK). */
  readonly frame: "RAS" | "LPS";
}

export type GridData = Float32Array | Float64Array | Uint8Array | Uint16Array | Int16Array | Int32Array | Uint32Array;

export interface Grid<T extends GridData = Float32Array> extends GridGeometry {
  readonly data: T;
}

/** Number of voxels. */
export function voxelCount(geometry: GridGeometry): number {
  return geometry.dims[0] * geometry.dims[1] * geometry.dims[2];
}

/** Voxel volume, mL (mm³ / 1000). */
export function voxelVolumeMl(geometry: GridGeometry): number {
  return (geometry.spacingMm[0] * geometry.spacingMm[1] * geometry.spacingMm[2]) / 1000;
}

/** Linear index of voxel (i, j, k), x fastest. */
export function voxelIndex(geometry: GridGeometry, i: number, j: number, k: number): number {
  return i + geometry.dims[0] * (j + geometry.dims[1] * k);
}

/** World position (mm) of continuous voxel coordinates (i, j, k); writes into `out`. */
export function voxelToWorld(out: Vec3, geometry: GridGeometry, i: number, j: number, k: number): Vec3 {
  const d = geometry.direction;
  const x = i * geometry.spacingMm[0];
  const y = j * geometry.spacingMm[1];
  const z = k * geometry.spacingMm[2];
  out[0] = geometry.originMm[0] + d[0] * x + d[1] * y + d[2] * z;
  out[1] = geometry.originMm[1] + d[3] * x + d[4] * y + d[5] * z;
  out[2] = geometry.originMm[2] + d[6] * x + d[7] * y + d[8] * z;
  return out;
}

/**
 * Continuous voxel coordinates of a world point (mm); writes into `out`. Assumes `direction` is
 * orthonormal (its inverse is its transpose), which holds for images from scanners and NIfTI
 * sform/qform after normalisation.
 */
export function worldToVoxel(out: Vec3, geometry: GridGeometry, x: number, y: number, z: number): Vec3 {
  const d = geometry.direction;
  const dx = x - geometry.originMm[0];
  const dy = y - geometry.originMm[1];
  const dz = z - geometry.originMm[2];
  out[0] = (d[0] * dx + d[3] * dy + d[6] * dz) / geometry.spacingMm[0];
  out[1] = (d[1] * dx + d[4] * dy + d[7] * dz) / geometry.spacingMm[1];
  out[2] = (d[2] * dx + d[5] * dy + d[8] * dz) / geometry.spacingMm[2];
  return out;
}

/** An axis-aligned grid geometry (identity direction) in the RAS frame. */
export function axisAlignedGeometry(dims: Vec3, spacingMm: Vec3, originMm: Vec3 = [0, 0, 0]): GridGeometry {
  return { dims: [...dims], spacingMm: [...spacingMm], originMm: [...originMm], direction: [...IDENTITY_DIRECTION], frame: "RAS" };
}

/**
 * A zeroed grid data array of `length` elements, on a SharedArrayBuffer when `shared` (grids that
 * worker threads read or write in place: the FFT dose's activity and output).
 */
export function sharedOrPlain<T extends Float32Array | Float64Array>(Ctor: { new (buffer: SharedArrayBuffer): T; new (length: number): T; readonly BYTES_PER_ELEMENT: number }, length: number, shared: boolean): T {
  return shared ? new Ctor(new SharedArrayBuffer(length * Ctor.BYTES_PER_ELEMENT)) : new Ctor(length);
}

/**
 * `g` in the RAS frame: the same voxels, with origin and direction converted from LPS (x and y
 * negated: the first two rows of the direction matrix and the first two components of the
 * origin). A grid already in RAS is returned as it is. Code that takes world points in RAS (the
 * domain, the dose grid, the tree) reads a DICOM-derived (LPS) grid only through this.
 */
export function rasGrid<T extends Grid<GridData>>(g: T): T {
  return g.frame === "RAS" ? g : { ...g, ...flipFrameXY(g), frame: "RAS" };
}

/** Origin and direction of a grid in the other world frame (RAS ↔ LPS: world x and y negated). */
export function flipFrameXY(g: { readonly originMm: Vec3; readonly direction: Mat3 }): { originMm: Vec3; direction: Mat3 } {
  const d = g.direction;
  return {
    originMm: [-g.originMm[0], -g.originMm[1], g.originMm[2]],
    direction: [-d[0], -d[1], -d[2], -d[3], -d[4], -d[5], d[6], d[7], d[8]],
  };
}

/** World point of continuous voxel coordinates in RAS, whatever the grid's frame. */
function rasWorld(out: Vec3, geometry: GridGeometry, i: number, j: number, k: number): Vec3 {
  voxelToWorld(out, geometry, i, j, k);
  if (geometry.frame === "LPS") {
    out[0] = -out[0];
    out[1] = -out[1];
  }
  return out;
}

/** `dims […], origin […] mm, spacing […] mm, direction […] (RAS|LPS)` for messages. */
export function describeGeometry(g: GridGeometry): string {
  const f = (v: readonly number[]) => `[${v.map((x) => Number(x.toFixed(4))).join(", ")}]`;
  return `dims ${f(g.dims)}, origin ${f(g.originMm)} mm, spacing ${f(g.spacingMm)} mm, direction ${f(g.direction)} (${g.frame})`;
}

/**
 * How grid `b` differs from grid `a` (null when they are the same grid): same dims, and every
 * corner voxel centre of `b` within `tolMm` of `a`'s in world space (RAS; LPS grids converted),
 * which compares origin, spacing and direction (flips, swapped axes) together. Callers decide
 * whether a mismatch is an error or a reason to resample.
 */
export function geometryMismatch(a: GridGeometry, b: GridGeometry, tolMm: number): string | null {
  if (a.dims[0] !== b.dims[0] || a.dims[1] !== b.dims[1] || a.dims[2] !== b.dims[2]) {
    return `dims [${b.dims.join(", ")}] differ from [${a.dims.join(", ")}]`;
  }
  const pa: Vec3 = [0, 0, 0];
  const pb: Vec3 = [0, 0, 0];
  let worst = 0;
  let worstCorner: Vec3 = [0, 0, 0];
  for (let c = 0; c < 8; c++) {
    const i = c & 1 ? a.dims[0] - 1 : 0;
    const j = c & 2 ? a.dims[1] - 1 : 0;
    const k = c & 4 ? a.dims[2] - 1 : 0;
    rasWorld(pa, a, i, j, k);
    rasWorld(pb, b, i, j, k);
    const d = Math.hypot(pa[0] - pb[0], pa[1] - pb[1], pa[2] - pb[2]);
    if (!(d <= worst)) {
      worst = d;
      worstCorner = [i, j, k];
    }
  }
  // Spacing is compared on its own too: a 1-voxel axis has a single corner along it.
  let spacing = 0;
  for (let axis = 0; axis < 3; axis++) spacing = Math.max(spacing, Math.abs(a.spacingMm[axis] - b.spacingMm[axis]) * Math.max(1, a.dims[axis]));
  if (worst <= tolMm && spacing <= tolMm) return null;
  if (!(worst <= tolMm)) {
    return `voxel (${worstCorner.join(", ")}) lies ${Number.isFinite(worst) ? worst.toFixed(2) : worst} mm apart in the two grids (tolerance ${tolMm} mm)`;
  }
  return `voxel sizes differ by up to ${spacing.toFixed(3)} mm across the grid (tolerance ${tolMm} mm)`;
}

/**
 * Throw an InputError naming `field` unless grid `b` lies on grid `a` (geometryMismatch within
 * `tolMm`); the message shows both affines.
 */
export function checkSameGeometry(a: GridGeometry, b: GridGeometry, tolMm: number, field: string, names: { a: string; b: string }): void {
  const problem = geometryMismatch(a, b, tolMm);
  if (problem === null) return;
  throw new InputError(
    field,
    `${field}: ${names.b} is not on the grid of ${names.a}: ${problem}. ${names.a}: ${describeGeometry(a)}; ${names.b}: ${describeGeometry(b)}`,
  );
}

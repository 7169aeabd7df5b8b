/**
 * Voxel grids: plain data (a typed array plus its geometry), x fastest. The world position of
 * voxel (i, j, k) is origin + D · (spacing ⊙ (i, j, k)), with D the 3×3 direction matrix whose
 * columns are the directions of the i, j, k axes (as in ITK / SimpleITK; LPS or RAS is the
 * caller's convention and is recorded in `frame`).
 */

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

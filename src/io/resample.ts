/**
 * Resample a grid onto another grid's geometry (the dose grid): nearest neighbour for label maps
 * (labels are categories: never averaged), trilinear for activity images. Both grids may be in
 * either world frame (RAS or LPS) and any orthonormal orientation.
 *
 * Sampling: a target voxel centre that falls inside the source's extent (voxel centres ± half a
 * voxel) takes the interpolated value, anything outside gets 0 (background). Trilinear
 * interpolation treats values as a concentration (the value at a point), so a voxel-count total is
 * not conserved when the voxel volume changes; the dose stage rescales activity to the
 * administered total anyway. A source that covers none of the target's voxel centres is rejected.
 */
import { InputError } from "../errors.js";
import type { Grid, GridData, GridGeometry, Mat3, Vec3 } from "../geometry/grid.js";
import { toRasGeometry } from "./frame.js";

export type ResampleMethod = "nearest" | "trilinear";

export interface ResampleOptions {
  /** "nearest" for labels/masks (keeps the source's array type), "trilinear" for activity (Float32Array). */
  readonly method: ResampleMethod;
  /** Name used in error messages (the file the source came from). */
  readonly name?: string;
}

/** Resample `source` onto `target`'s geometry with nearest-neighbour interpolation. */
export function resampleGrid<T extends GridData>(source: Grid<T>, target: GridGeometry, options: { method: "nearest"; name?: string }): Grid<T>;
/** Resample `source` onto `target`'s geometry with trilinear interpolation (Float32Array out). */
export function resampleGrid(source: Grid<GridData>, target: GridGeometry, options: { method: "trilinear"; name?: string }): Grid<Float32Array>;
export function resampleGrid(source: Grid<GridData>, target: GridGeometry, options: ResampleOptions): Grid<GridData>;
export function resampleGrid(source: Grid<GridData>, target: GridGeometry, options: ResampleOptions): Grid<GridData> {
  const name = options.name ?? "image";
  const [sx, sy, sz] = source.dims;
  if (source.data.length !== sx * sy * sz) {
    throw new InputError(name, `${name}: dims ${source.dims.join("×")} need ${sx * sy * sz} voxels but the data has ${source.data.length}`);
  }
  const { m, b } = indexMap(source, target);

  const [nx, ny, nz] = target.dims;
  const n = nx * ny * nz;
  const nearest = options.method === "nearest";
  const sData = source.data;
  const out: GridData = nearest ? new (sData.constructor as new (n: number) => GridData)(n) : new Float32Array(n);
  const sxy = sx * sy;
  const loX = -0.5, loY = -0.5, loZ = -0.5;
  const hiX = sx - 0.5, hiY = sy - 0.5, hiZ = sz - 0.5;
  let inside = 0;
  let v = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      let px = m[1] * j + m[2] * k + b[0];
      let py = m[4] * j + m[5] * k + b[1];
      let pz = m[7] * j + m[8] * k + b[2];
      for (let i = 0; i < nx; i++, v++, px += m[0], py += m[3], pz += m[6]) {
        if (!(px >= loX && px < hiX && py >= loY && py < hiY && pz >= loZ && pz < hiZ)) continue;
        inside++;
        if (nearest) {
          out[v] = sData[Math.round(px) + sx * Math.round(py) + sxy * Math.round(pz)];
          continue;
        }
        // Within half a voxel of the edge, clamp to the edge voxel (edge values extend to the border).
        const cx = px < 0 ? 0 : px > sx - 1 ? sx - 1 : px;
        const cy = py < 0 ? 0 : py > sy - 1 ? sy - 1 : py;
        const cz = pz < 0 ? 0 : pz > sz - 1 ? sz - 1 : pz;
        const x0 = Math.min(Math.floor(cx), sx - 2 < 0 ? 0 : sx - 2);
        const y0 = Math.min(Math.floor(cy), sy - 2 < 0 ? 0 : sy - 2);
        const z0 = Math.min(Math.floor(cz), sz - 2 < 0 ? 0 : sz - 2);
        const fx = cx - x0, fy = cy - y0, fz = cz - z0;
        const x1 = sx > 1 ? 1 : 0, y1 = sy > 1 ? sx : 0, z1 = sz > 1 ? sxy : 0;
        const base = x0 + sx * y0 + sxy * z0;
        const c00 = sData[base] * (1 - fx) + sData[base + x1] * fx;
        const c10 = sData[base + y1] * (1 - fx) + sData[base + y1 + x1] * fx;
        const c01 = sData[base + z1] * (1 - fx) + sData[base + z1 + x1] * fx;
        const c11 = sData[base + y1 + z1] * (1 - fx) + sData[base + y1 + z1 + x1] * fx;
        out[v] = (c00 * (1 - fy) + c10 * fy) * (1 - fz) + (c01 * (1 - fy) + c11 * fy) * fz;
      }
    }
  }
  if (inside === 0) {
    throw new InputError(
      name,
      `${name}: the image does not overlap the target grid (no target voxel centre lies inside it; ` +
        `image extent ${describeExtent(source)} mm, target extent ${describeExtent(target)} mm, RAS)`,
    );
  }
  return { dims: [...target.dims] as Vec3, spacingMm: [...target.spacingMm] as Vec3, originMm: [...target.originMm] as Vec3, direction: [...target.direction] as Mat3, frame: target.frame, data: out };
}

/**
 * Continuous source index of target voxel (i, j, k) = M · (i, j, k) + b with
 * M = S_s⁻¹ D_sᵀ D_t S_t and b = S_s⁻¹ D_sᵀ (O_t − O_s) (direction matrices orthonormal).
 */
function indexMap(source: GridGeometry, target: GridGeometry): { m: Float64Array; b: Float64Array } {
  const src = toRasGeometry(source);
  const dst = toRasGeometry(target);
  const m = new Float64Array(9);
  const b = new Float64Array(3);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      let acc = 0;
      for (let q = 0; q < 3; q++) acc += src.direction[3 * q + r] * dst.direction[3 * q + c];
      m[3 * r + c] = (acc * target.spacingMm[c]) / source.spacingMm[r];
    }
    let off = 0;
    for (let q = 0; q < 3; q++) off += src.direction[3 * q + r] * (dst.originMm[q] - src.originMm[q]);
    b[r] = off / source.spacingMm[r];
  }
  return { m, b };
}

/**
 * Fractional occupancy of each label of a label map in the voxels of `target`: the fraction of
 * n³ regularly spaced sub-points of each target voxel (offsets (s + ½)/n − ½ voxel along each
 * axis) whose nearest source voxel carries the label. For small VOIs on a coarse activity grid
 * (a 1 cm tumour on 5 mm SPECT voxels) this keeps the VOI's volume, which nearest-neighbour
 * labels round to whole voxels. Returns one Float32Array (0..1) per label asked for.
 */
export function labelOccupancy(source: Grid<GridData>, target: GridGeometry, labels: readonly number[], subdivisions = 3): Map<number, Float32Array> {
  const { m, b } = indexMap(source, target);
  const [sx, sy, sz] = source.dims;
  const [nx, ny, nz] = target.dims;
  const n3 = subdivisions ** 3;
  const slot = new Map<number, number>();
  labels.forEach((l, q) => slot.set(l, q));
  const out = labels.map(() => new Float32Array(nx * ny * nz));
  const offsets = Array.from({ length: subdivisions }, (_, s) => (s + 0.5) / subdivisions - 0.5);
  const hits = new Float64Array(labels.length);
  const data = source.data;
  let v = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, v++) {
    hits.fill(0);
    let any = false;
    for (const ok of offsets) for (const oj of offsets) for (const oi of offsets) {
      const ii = i + oi, jj = j + oj, kk = k + ok;
      const px = Math.round(m[0] * ii + m[1] * jj + m[2] * kk + b[0]);
      const py = Math.round(m[3] * ii + m[4] * jj + m[5] * kk + b[1]);
      const pz = Math.round(m[6] * ii + m[7] * jj + m[8] * kk + b[2]);
      if (px < 0 || py < 0 || pz < 0 || px >= sx || py >= sy || pz >= sz) continue;
      const q = slot.get(data[px + sx * (py + sy * pz)]);
      if (q !== undefined) {
        hits[q]++;
        any = true;
      }
    }
    if (any) for (let q = 0; q < labels.length; q++) out[q][v] = hits[q] / n3;
  }
  return new Map(labels.map((l, q) => [l, out[q]]));
}

/**
 * Share of each label's voxels (on its own grid) whose centres lie outside `target`'s extent
 * (voxel centres ± half a voxel): the part of a VOI that a smaller field of view (a SPECT that cuts
 * the lungs) clips away. Exact on the source grid, independent of how the labels are resampled.
 * Returns only the labels with a share > 0.
 */
export function labelShareOutside(source: Grid<GridData>, target: GridGeometry): Map<number, number> {
  const { m, b } = indexMap(target, source);
  const [sx, sy, sz] = source.dims;
  const [nx, ny, nz] = target.dims;
  const total = new Map<number, number>();
  const outside = new Map<number, number>();
  const data = source.data;
  let v = 0;
  for (let k = 0; k < sz; k++) for (let j = 0; j < sy; j++) for (let i = 0; i < sx; i++, v++) {
    const l = data[v];
    if (l === 0) continue;
    total.set(l, (total.get(l) ?? 0) + 1);
    const px = m[0] * i + m[1] * j + m[2] * k + b[0];
    const py = m[3] * i + m[4] * j + m[5] * k + b[1];
    const pz = m[6] * i + m[7] * j + m[8] * k + b[2];
    if (!(px >= -0.5 && px < nx - 0.5 && py >= -0.5 && py < ny - 0.5 && pz >= -0.5 && pz < nz - 0.5)) outside.set(l, (outside.get(l) ?? 0) + 1);
  }
  return new Map([...outside].map(([l, n]) => [l, n / (total.get(l) as number)]));
}

/** Bounding box (RAS, mm) of a grid's voxel centres, for error messages. */
function describeExtent(g: GridGeometry): string {
  const { originMm, direction } = toRasGeometry(g);
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let corner = 0; corner < 8; corner++) {
    const ijk = [corner & 1 ? g.dims[0] - 1 : 0, corner & 2 ? g.dims[1] - 1 : 0, corner & 4 ? g.dims[2] - 1 : 0];
    for (let r = 0; r < 3; r++) {
      let w = originMm[r];
      for (let c = 0; c < 3; c++) w += direction[3 * r + c] * g.spacingMm[c] * ijk[c];
      lo[r] = Math.min(lo[r], w);
      hi[r] = Math.max(hi[r], w);
    }
  }
  return `[${lo.map((x) => x.toFixed(1)).join(", ")}]..[${hi.map((x) => x.toFixed(1)).join(", ")}]`;
}

/**
 * True when two grids have the same dims and the same voxel centres in the world (either frame):
 * spacing, origin and direction equal to `toleranceMm` / 1e-6, so labels need no resampling.
 */
export function sameGeometry(a: GridGeometry, b: GridGeometry, toleranceMm = 1e-3): boolean {
  if (a.dims[0] !== b.dims[0] || a.dims[1] !== b.dims[1] || a.dims[2] !== b.dims[2]) return false;
  const ga = toRasGeometry(a);
  const gb = toRasGeometry(b);
  for (let q = 0; q < 3; q++) {
    if (Math.abs(a.spacingMm[q] - b.spacingMm[q]) > toleranceMm) return false;
    if (Math.abs(ga.originMm[q] - gb.originMm[q]) > toleranceMm) return false;
  }
  for (let q = 0; q < 9; q++) if (Math.abs(ga.direction[q] - gb.direction[q]) > 1e-6) return false;
  return true;
}

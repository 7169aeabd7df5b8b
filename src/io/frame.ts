/**
 * World frames: NIfTI is RAS+ (+x = patient Right, +y = Anterior, +z = Superior) and DICOM is
 * LPS+ (+x = Left, +y = Posterior, +z = Superior). The two differ by negating world x and y, which negates the first two rows of the direction matrix and
 * the first two components of the origin.
 */
import type { Grid, GridData, GridGeometry, Mat3, Vec3 } from "../geometry/grid.js";
import { flipFrameXY } from "../geometry/grid.js";

interface Oriented {
  readonly originMm: Vec3;
  readonly direction: Mat3;
  readonly frame: "RAS" | "LPS";
}


/** Origin and direction of `g` in RAS (copies). */
export function toRasGeometry(g: Oriented): { originMm: Vec3; direction: Mat3 } {
  return g.frame === "RAS" ? { originMm: [...g.originMm], direction: [...g.direction] } : flipFrameXY(g);
}

/** Origin and direction of `g` in LPS (copies). */
export function toLpsGeometry(g: Oriented): { originMm: Vec3; direction: Mat3 } {
  return g.frame === "LPS" ? { originMm: [...g.originMm], direction: [...g.direction] } : flipFrameXY(g);
}

/**
 * `g` with its voxels reordered so its axes run along `target`'s (a signed permutation: flips and
 * swaps only, no interpolation, so every value is kept exactly), in LPS. An RT Dose written this
 * way has the ImageOrientationPatient of the CT it belongs to, as planning systems expect of a dose
 * grid. When the axes are not a signed permutation of the target's (an oblique grid), `g` is
 * returned unchanged.
 */
export function orientLike<T extends GridData>(g: Grid<T>, target: GridGeometry): Grid<T> {
  const src = toLpsGeometry(g);
  const tgt = toLpsGeometry(target);
  const axis = (d: Mat3, a: number): Vec3 => [d[a], d[3 + a], d[6 + a]];
  const perm: number[] = [];
  const sign: number[] = [];
  for (let b = 0; b < 3; b++) {
    const tb = axis(tgt.direction, b);
    let found = -1;
    let s = 1;
    for (let a = 0; a < 3; a++) {
      const sa = axis(src.direction, a);
      const dot = sa[0] * tb[0] + sa[1] * tb[1] + sa[2] * tb[2];
      if (Math.abs(Math.abs(dot) - 1) < 1e-6) {
        found = a;
        s = dot < 0 ? -1 : 1;
      }
    }
    if (found < 0 || perm.includes(found)) return g;
    perm.push(found);
    sign.push(s);
  }
  const dims = [0, 1, 2].map((b) => g.dims[perm[b]]) as Vec3;
  const spacingMm = [0, 1, 2].map((b) => g.spacingMm[perm[b]]) as Vec3;
  // The new first voxel is the source voxel at the far end of every flipped axis.
  const first = [0, 0, 0];
  for (let b = 0; b < 3; b++) if (sign[b] < 0) first[perm[b]] = g.dims[perm[b]] - 1;
  const originMm = [0, 1, 2].map((w) => src.originMm[w] + [0, 1, 2].reduce((s, a) => s + src.direction[3 * w + a] * g.spacingMm[a] * first[a], 0)) as Vec3;
  const direction = [0, 1, 2].flatMap((w) => [0, 1, 2].map((b) => sign[b] * src.direction[3 * w + perm[b]])) as unknown as Mat3;
  const data = new (g.data.constructor as new (n: number) => T)(g.data.length);
  const [sx, sy] = g.dims;
  const stride = [1, sx, sx * sy];
  // Source offset of new index (i0, i1, i2): Σ_b stride[perm b] · (sign b > 0 ? i_b : dims_b − 1 − i_b).
  const base = [0, 1, 2].reduce((s, b) => s + (sign[b] < 0 ? stride[perm[b]] * (dims[b] - 1) : 0), 0);
  const step = [0, 1, 2].map((b) => sign[b] * stride[perm[b]]);
  let v = 0;
  for (let i2 = 0; i2 < dims[2]; i2++) {
    for (let i1 = 0; i1 < dims[1]; i1++) {
      let s = base + step[2] * i2 + step[1] * i1;
      for (let i0 = 0; i0 < dims[0]; i0++, s += step[0]) data[v++] = g.data[s];
    }
  }
  return { dims, spacingMm, originMm, direction, frame: "LPS", data };
}

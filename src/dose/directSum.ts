/**
 * Absorbed dose by direct summation, D(x) = Σ_y Ã(y) · S(x − y): O(n · (2h+1)³), for small grids
 * and as the second, independent method that the FFT convolution is tested against.
 */
import type { Grid, GridData } from "../geometry/grid.js";
import { checkKernelMatchesGrid, checkSameDims, type DoseResult } from "./convolve.js";
import { cumulatedSecondsPerBq } from "./timeIntegration.js";
import type { VoxelSValues } from "./svalues.js";

/** Dose (Gy) of an activity grid (Bq per voxel) by direct summation into `out`; float64 sums. */
export function directSumDose<T extends Float32Array | Float64Array>(
  out: Grid<T>,
  activity: Grid<GridData>,
  kernel: VoxelSValues,
  options: { untilH?: number } = {},
): DoseResult {
  checkKernelMatchesGrid(kernel, activity);
  checkSameDims("out", out, activity);
  const secondsPerBq = cumulatedSecondsPerBq(kernel.nuclide, options.untilH ?? Infinity);
  const scale = secondsPerBq * 1e-9; // Bq·s → MBq·s, mGy → Gy
  const [nx, ny, nz] = activity.dims;
  const [hx, hy, hz] = kernel.halfWidth;
  const ox = hx + 1;
  const oy = hy + 1;
  const S = kernel.octant;
  const a = activity.data;
  const acc = new Float64Array(nx * ny * nz);
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const src = a[x + nx * (y + ny * z)];
        if (src === 0) continue;
        const zLo = Math.max(0, z - hz);
        const zHi = Math.min(nz - 1, z + hz);
        const yLo = Math.max(0, y - hy);
        const yHi = Math.min(ny - 1, y + hy);
        const xLo = Math.max(0, x - hx);
        const xHi = Math.min(nx - 1, x + hx);
        for (let tz = zLo; tz <= zHi; tz++) {
          const kz = Math.abs(tz - z);
          for (let ty = yLo; ty <= yHi; ty++) {
            const sRow = ox * (Math.abs(ty - y) + oy * kz);
            const tRow = nx * (ty + ny * tz);
            for (let tx = xLo; tx <= xHi; tx++) acc[tRow + tx] += src * S[sRow + Math.abs(tx - x)];
          }
        }
      }
    }
  }
  const d = out.data;
  for (let n = 0; n < acc.length; n++) d[n] = acc[n] * scale;
  return {
    dose: out,
    method: "direct",
    cumulatedSecondsPerBq: secondsPerBq,
    provenance: [...kernel.provenance, "direct summation of voxel S-values (float64)"],
  };
}

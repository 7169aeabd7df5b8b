/**
 * Label map of a domain on a voxel grid (the dose stage's compartments): 0 outside, 1 normal
 * liver, 2 + t tumour t, and 2 + T + t the necrotic core of tumour t unless `separateNecrotic`
 * is false (then the core carries its tumour's label). The label is taken at each voxel centre.
 */
import type { Grid, Vec3 } from "./grid.js";
import { voxelToWorld } from "./grid.js";
import type { Domain } from "./domain.js";
import { labelAt } from "./domain.js";

export function rasterizeDomain(out: Grid<Uint8Array>, domain: Domain, separateNecrotic = true): Grid<Uint8Array> {
  const [nx, ny, nz] = out.dims;
  const data = out.data;
  const T = domain.tumours.length;
  const p: Vec3 = [0, 0, 0];
  let v = 0;
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, v++) {
        voxelToWorld(p, out, i, j, k);
        const label = labelAt(domain, p[0], p[1], p[2]);
        data[v] = !separateNecrotic && label >= 2 + T ? label - T : label;
      }
  return out;
}

/**
 * Surface points of labelled volumes (the liver, each tumour) for the tree picture: the voxels of
 * a set that touch a voxel outside it (6-neighbourhood, grid edge included), at their centres in
 * world mm, thinned evenly to at most `maxPoints` per volume.
 */
import type { Grid, GridData, Vec3 } from "../geometry/grid.js";
import { voxelToWorld } from "../geometry/grid.js";
import type { TreeOutline } from "./types.js";

export interface OutlineGroup {
  readonly name: string;
  readonly kind: "liver" | "tumour";
  /** Label values that belong to the volume. */
  readonly labels: readonly number[];
}

/** One outline per group; a group with no voxel gives no outline. */
export function labelOutlines(grid: Grid<GridData>, groups: readonly OutlineGroup[], maxPoints = 3000): TreeOutline[] {
  const [nx, ny, nz] = grid.dims;
  const data = grid.data;
  const out: TreeOutline[] = [];
  const inSet = new Uint8Array(256);
  const world: Vec3 = [0, 0, 0];
  for (const group of groups) {
    inSet.fill(0);
    for (const l of group.labels) if (l >= 0 && l < 256) inSet[l] = 1;
    const surface: number[] = [];
    for (let k = 0; k < nz; k++) {
      for (let j = 0; j < ny; j++) {
        for (let i = 0; i < nx; i++) {
          const v = i + nx * (j + ny * k);
          if (!inSet[data[v]]) continue;
          const edge =
            i === 0 || j === 0 || k === 0 || i === nx - 1 || j === ny - 1 || k === nz - 1 ||
            !inSet[data[v - 1]] || !inSet[data[v + 1]] || !inSet[data[v - nx]] || !inSet[data[v + nx]] || !inSet[data[v - nx * ny]] || !inSet[data[v + nx * ny]];
          if (edge) surface.push(i, j, k);
        }
      }
    }
    const count = surface.length / 3;
    if (count === 0) continue;
    const keep = Math.min(count, maxPoints);
    const points = new Float32Array(3 * keep);
    for (let p = 0; p < keep; p++) {
      const s = 3 * Math.floor((p * count) / keep);
      voxelToWorld(world, grid, surface[s], surface[s + 1], surface[s + 2]);
      points[3 * p] = world[0];
      points[3 * p + 1] = world[1];
      points[3 * p + 2] = world[2];
    }
    out.push({ name: group.name, kind: group.kind, pointsMm: points });
  }
  return out;
}

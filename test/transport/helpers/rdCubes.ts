/**
 * Bassingthwaighte's measurement on a model liver (125 mL ellipsoid): tissue cut into cubes of side
 * L, RD = sd/mean of flow (or spheres) per cube over the cubes wholly inside the liver; the
 * fractal law for a finite organ. Shared by the heterogeneity tests and bench/transport-subterminal.ts.
 */
import { fixedCapacity } from "../../../src/transport/models/capacity.js";
import { buildDomain } from "../../../src/geometry/build.js";
import type { ArterialTree } from "../../../src/vascular/tree.js";
import { createTransportContext } from "../../../src/transport/context.js";
import { createFlowState, solveSplits } from "../../../src/transport/flowSolve.js";
import { expectedLodging } from "../../../src/transport/embolicLoad.js";
import { forEachSubTerminalLeaf, type SubTerminalModel } from "../../../src/transport/models/subTerminal.js";
import type { TerritoryCells } from "../../../src/transport/models/territoryCells.js";
import { relativeDispersion, resolveHeterogeneity, splitOdds, type HeterogeneityModelName } from "../../../src/transport/models/heterogeneity.js";

export const AXES = [40, 30, 25] as const;
export const DENSITY = 1.03;
export const LIVER_G = ((4 / 3) * Math.PI * AXES[0] * AXES[1] * AXES[2] * DENSITY) / 1000;
export const domain = buildDomain({ liver: { ellipsoids: [{ centerMm: [0, 0, 0], semiAxesMm: [...AXES] }] }, tumours: [] });

/** Whether the cube [i, i+1]·L × … lies wholly inside the ellipsoid. */
export function cubeInside(i: number, j: number, k: number, L: number): boolean {
  for (let d = 0; d < 8; d++) {
    const x = ((i + (d & 1)) * L) / AXES[0], y = ((j + ((d >> 1) & 1)) * L) / AXES[1], z = ((k + ((d >> 2) & 1)) * L) / AXES[2];
    if (x * x + y * y + z * z > 1) return false;
  }
  return true;
}

/** Binner of weighted points into cubes of side L; rd() over the interior cubes. */
export function cubeBins(L: number) {
  const bins = new Map<number, number>();
  const key = (x: number, y: number, z: number) => (Math.floor(x / L) + 512) * 1048576 + (Math.floor(y / L) + 512) * 1024 + (Math.floor(z / L) + 512);
  return {
    add(x: number, y: number, z: number, w: number) {
      const k = key(x, y, z);
      bins.set(k, (bins.get(k) ?? 0) + w);
    },
    /** Mean and RD of the per-cube sums over the interior cubes (empty interior cubes count as 0). */
    stats(): { mean: number; rd: number; cubes: number } {
      const values: number[] = [];
      const n = Math.ceil(AXES[0] / L) + 1;
      for (let i = -n; i <= n; i++) {
        for (let j = -n; j <= n; j++) {
          for (let k = -n; k <= n; k++) {
            if (cubeInside(i, j, k, L)) values.push(bins.get((i + 512) * 1048576 + (j + 512) * 1024 + (k + 512)) ?? 0);
          }
        }
      }
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
      return { mean, rd: sd / mean, cubes: values.length };
    },
  };
}

/** Each terminal's expected share of the spheres under `model` and heterogeneity `seed` (no size exclusion, no feedback). */
export function expectedShares(tree: ArterialTree, model: HeterogeneityModelName, seed = 0): Float64Array {
  const context = createTransportContext(tree, 0, null, new Float64Array(tree.compartmentNames.length), 6);
  const split0 = new Float64Array(tree.segmentCount);
  solveSplits(split0, createFlowState(tree, fixedCapacity(50)), context, splitOdds(tree, resolveHeterogeneity({ model, seed }, 0.5)), new Int32Array(256));
  const expected = new Float64Array(tree.segmentCount);
  expectedLodging(expected, new Float64Array(tree.segmentCount), context, split0, 0);
  return expected;
}

/** RD in cubes of side L of a terminal quantity spread uniformly over each terminal's territory ball (16 fixed points each). */
export function spreadRd(tree: ArterialTree, perSegment: ArrayLike<number>, L: number): number {
  const bins = cubeBins(L);
  for (let j = 0; j < tree.segmentCount; j++) {
    if (tree.child0[j] >= 0 || perSegment[j] === 0) continue;
    const R = Math.cbrt((3 * tree.territoryMl[j] * 1000) / (4 * Math.PI));
    // Fixed quasi-random points in the unit ball (a deterministic LCG per terminal).
    let s = (j * 2654435761) % 4294967296;
    const u = () => (s = (s * 1664525 + 1013904223) % 4294967296) / 4294967296;
    for (let q = 0; q < 16; q++) {
      let a: number, b: number, c: number;
      do {
        a = 2 * u() - 1;
        b = 2 * u() - 1;
        c = 2 * u() - 1;
      } while (a * a + b * b + c * c > 1);
      bins.add(tree.distalMm[3 * j] + R * a, tree.distalMm[3 * j + 1] + R * b, tree.distalMm[3 * j + 2] + R * c, perSegment[j] / 16);
    }
  }
  return bins.stats().rd;
}

/** The law for cubes of mass m in a finite organ of mass M: the variance above M is not there. */
export function lawRd(massG: number): number {
  const model = resolveHeterogeneity({ model: "fractal" }, 0.5);
  const rd = relativeDispersion(model, massG);
  const whole = relativeDispersion(model, LIVER_G);
  return Math.sqrt((1 + rd * rd) / (1 + whole * whole) - 1);
}

export const massOf = (L: number) => (L * L * L * DENSITY) / 1000;

/**
 * RD per cube of side L of the sub-terminal flow map: each leaf's flow shared among the cubes it
 * overlaps by exact overlap volume (boxes and cubes are axis-aligned; no point-sampling noise).
 */
export function leafRd(tree: ArterialTree, shares: Float64Array, model: SubTerminalModel, L: number, cells: TerritoryCells | null = null): number {
  const bins = cubeBins(L);
  forEachSubTerminalLeaf(tree, model, (j, box, share) => {
    const w = shares[j] * share;
    if (w === 0) return;
    const volume = (box[3] - box[0]) * (box[4] - box[1]) * (box[5] - box[2]);
    for (let i = Math.floor(box[0] / L); i * L < box[3]; i++) {
      const ox = Math.min(box[3], (i + 1) * L) - Math.max(box[0], i * L);
      for (let jj = Math.floor(box[1] / L); jj * L < box[4]; jj++) {
        const oy = Math.min(box[4], (jj + 1) * L) - Math.max(box[1], jj * L);
        for (let kk = Math.floor(box[2] / L); kk * L < box[5]; kk++) {
          const oz = Math.min(box[5], (kk + 1) * L) - Math.max(box[2], kk * L);
          bins.add((i + 0.5) * L, (jj + 0.5) * L, (kk + 0.5) * L, (w * ox * oy * oz) / volume);
        }
      }
    }
  }, cells);
  return bins.stats().rd;
}

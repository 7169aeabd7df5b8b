/**
 * The tissue each terminal supplies, as cells of the sub-terminal cascade's unit mass: a regular
 * lattice of cubic cells of mass unitMassG (side ≈ 1 mm at 1 mg) over the liver, each perfused cell
 * owned by the nearest terminal of its own compartment (a Voronoi cell of the terminals, the
 * tessellation src/vascular/territories.ts gives the flows from, here unweighted and at the unit
 * mass's resolution).
 *
 * Why: a cube (or ball) of the territory's volume centred at the terminal's site overlaps its
 * neighbours' and leaves gaps between them; when a territory is larger than a dose voxel those
 * overlaps and gaps are a placement noise that shrinks as the tree is refined (the 4k-terminal
 * normal D90 was 9 % below the 40k one with cubes, bench/transport.md). The cells tile the tissue:
 * every unit of perfused tissue belongs to exactly one terminal at every resolution.
 *
 * Each cell carries the domain's relative perfusion at its centre (geometry/domain.ts perfusionAt:
 * the field the tree's terminal sites are drawn from, src/vascular/sample.ts). A terminal stands
 * for its unresolved subtree, whose terminals would follow that field; so the cascade gives a cell
 * spheres in proportion to mass × perfusion (times the law's noise), not to mass alone. Without
 * it, a coarse terminal straddling a tumour's hypervascular rim and its poorer inner shell spread
 * its spheres evenly over both (the small case's left tumour, rim T/N 6 over a T/N-2 shell: rim /
 * shell sphere density 1.42 at 4k terminals and 2.16 at 40k against the geometry's 3;
 * bench/transport-tumour-shells.ts).
 *
 * Plain data (typed arrays; a deposit task carries views on shared memory): cells of terminal j
 * are cells[offsets[j] .. offsets[j + 1]), ascending lattice indices, their perfusion in
 * perfusion[offsets[j] .. offsets[j + 1]); a terminal that owns no cell (a territory smaller than
 * one cell, e.g. in a hypervascular tumour) keeps the territory cube.
 */
import type { Domain } from "../../geometry/domain.js";
import { compartmentOfLabel, labelAt, perfusionAt } from "../../geometry/domain.js";

export interface TerritoryCells {
  /** Corner (minimum) of cell 0, mm. */
  readonly originMm: readonly [number, number, number];
  readonly sideMm: number;
  readonly dims: readonly [number, number, number];
  /** Per segment, length segmentCount + 1. */
  readonly offsets: Int32Array;
  /** Lattice indices i + dims[0]·(j + dims[1]·k), grouped by terminal. */
  readonly cells: Int32Array;
  /** Relative perfusion at each cell's centre (> 0: only perfused cells are owned), parallel to `cells`. */
  readonly perfusion: Float64Array;
}

/** The tree arrays the cells read. */
export interface TerritoryCellsTree {
  readonly segmentCount: number;
  readonly child0: Int32Array;
  readonly distalMm: Float64Array;
  readonly compartment: Int32Array;
}

/** The lattice of the cells: cubes of mass `unitMassG` over the domain's bounding box. */
export interface CellLattice {
  readonly originMm: readonly [number, number, number];
  readonly sideMm: number;
  readonly dims: readonly [number, number, number];
}

export function cellLattice(domain: Domain, unitMassG: number, densityGPerMl: number): CellLattice {
  const sideMm = Math.cbrt((unitMassG / densityGPerMl) * 1000);
  const lo = domain.boundsMm.minMm;
  const hi = domain.boundsMm.maxMm;
  const dims: [number, number, number] = [0, 1, 2].map((a) => Math.max(1, Math.ceil((hi[a] - lo[a]) / sideMm))) as [number, number, number];
  return { originMm: [lo[0], lo[1], lo[2]], sideMm, dims };
}

/**
 * What the lattice's cells are, from the domain alone (no tree): per cell (lattice order), the
 * compartment of its centre when the tissue there is perfused (−1 outside the liver or in a
 * necrotic core) and the relative perfusion there (perfusionAt; 0 where not perfused); cellTissue
 * fills the slabs [kFrom, kTo) of full-lattice arrays (the rest: −1 and 0). The owners and the
 * assembly read it; the playground computes it on a helper while its engine grows the tree.
 */
export interface CellTissue {
  readonly compartment: Int16Array;
  readonly perfusion: Float64Array;
}

export function cellTissue(domain: Domain, lattice: CellLattice, kFrom = 0, kTo = lattice.dims[2]): CellTissue {
  const { originMm: lo, sideMm, dims } = lattice;
  const n = dims[0] * dims[1] * dims[2];
  const compartment = new Int16Array(n).fill(-1);
  const perfusion = new Float64Array(n);
  const firstNecroticLabel = 2 + domain.tumours.length;
  for (let k = kFrom, c = kFrom * dims[0] * dims[1]; k < kTo; k++) {
    const z = lo[2] + (k + 0.5) * sideMm;
    for (let jy = 0; jy < dims[1]; jy++) {
      const y = lo[1] + (jy + 0.5) * sideMm;
      for (let i = 0; i < dims[0]; i++, c++) {
        const x = lo[0] + (i + 0.5) * sideMm;
        const label = labelAt(domain, x, y, z);
        if (!(label > 0 && label < firstNecroticLabel)) continue;
        compartment[c] = compartmentOfLabel(domain, label);
        perfusion[c] = perfusionAt(domain, x, y, z);
      }
    }
  }
  return { compartment, perfusion };
}

/** Cells of mass `unitMassG` over `domain`, each owned by the nearest terminal of its compartment. */
export function territoryCells(tree: TerritoryCellsTree, domain: Domain, unitMassG: number, densityGPerMl: number): TerritoryCells {
  const lattice = cellLattice(domain, unitMassG, densityGPerMl);
  const tissue = cellTissue(domain, lattice);
  return territoryCellsOfOwners(tree, lattice, territoryCellOwners(tree, domain, lattice, 0, lattice.dims[2], tissue), tissue);
}

/**
 * The owner (nearest terminal of the cell's compartment; −1 for a cell outside the perfused
 * tissue) of every cell of the lattice's slabs k ∈ [kFrom, kTo), in lattice order. Slabs are
 * independent: any split of the slabs (the playground builds part on a helper worker) gives the
 * same owners.
 */
export function territoryCellOwners(tree: TerritoryCellsTree, domain: Domain, lattice: CellLattice, kFrom: number, kTo: number, tissue: CellTissue): Int32Array {
  const { sideMm, dims } = lattice;
  const lo = domain.boundsMm.minMm;
  const hi = domain.boundsMm.maxMm;
  // Terminals in a hash grid of buckets ~ the mean territory's side (one bucket list per compartment
  // is not needed: candidates of other compartments are skipped).
  const terminals: number[] = [];
  for (let j = 0; j < tree.segmentCount; j++) if (tree.child0[j] < 0) terminals.push(j);
  const liverMm3 = (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
  const bucketMm = Math.max(sideMm, Math.cbrt(liverMm3 / Math.max(1, terminals.length)));
  const bd = [0, 1, 2].map((a) => Math.max(1, Math.ceil((hi[a] - lo[a]) / bucketMm) + 1));
  const bucketOf = (x: number, a: number) => Math.min(bd[a] - 1, Math.max(0, Math.floor((x - lo[a]) / bucketMm)));
  const bucketStart = new Int32Array(bd[0] * bd[1] * bd[2] + 1);
  const key = (j: number) => bucketOf(tree.distalMm[3 * j], 0) + bd[0] * (bucketOf(tree.distalMm[3 * j + 1], 1) + bd[1] * bucketOf(tree.distalMm[3 * j + 2], 2));
  for (const j of terminals) bucketStart[key(j) + 1]++;
  for (let b = 0; b < bucketStart.length - 1; b++) bucketStart[b + 1] += bucketStart[b];
  const fill = bucketStart.slice(0, -1);
  const bucketed = new Int32Array(terminals.length);
  for (const j of terminals) bucketed[fill[key(j)]++] = j;

  const owner = new Int32Array(dims[0] * dims[1] * Math.max(0, kTo - kFrom)).fill(-1);
  const distal = tree.distalMm;
  const compartmentOf = tree.compartment;
  // A bucket is skipped when its box is farther from the cell than the best so far (by more than
  // rounding: SLACK); the best starts as the previous cell's owner (usually the owner again).
  const SLACK = 1 + 1e-9;
  const gap = new Float64Array(9);
  const nearestFrom = (x: number, y: number, z: number, compartment: number, bx: number, by: number, bz: number, firstRing: number, best: number, bestSq: number): number => {
    // Rings of buckets from `firstRing` until the nearest candidate is closer than any unvisited bucket.
    for (let ring = firstRing; ring < Math.max(bd[0], bd[1], bd[2]); ring++) {
      if (best >= 0 && (ring - 1) * bucketMm > Math.sqrt(bestSq)) break;
      for (let cz = bz - ring; cz <= bz + ring; cz++) {
        if (cz < 0 || cz >= bd[2]) continue;
        for (let cy = by - ring; cy <= by + ring; cy++) {
          if (cy < 0 || cy >= bd[1]) continue;
          const shell = Math.abs(cz - bz) === ring || Math.abs(cy - by) === ring;
          for (let cx = bx - ring; cx <= bx + ring; cx += shell ? 1 : 2 * ring) {
            if (cx < 0 || cx >= bd[0]) {
              if (ring === 0) break;
              continue;
            }
            const b = cx + bd[0] * (cy + bd[1] * cz);
            for (let t = bucketStart[b]; t < bucketStart[b + 1]; t++) {
              const j = bucketed[t];
              if (compartmentOf[j] !== compartment) continue;
              const dx = distal[3 * j] - x, dy = distal[3 * j + 1] - y, dz = distal[3 * j + 2] - z;
              const d2 = dx * dx + dy * dy + dz * dz;
              // Ties go to the lower segment index: the same owner in any scan order.
              if (d2 < bestSq || (d2 === bestSq && j < best)) {
                bestSq = d2;
                best = j;
              }
            }
            if (ring === 0) break;
          }
        }
      }
    }
    return best;
  };
  let previous = -1;
  for (let k = kFrom; k < kTo; k++) {
    const z = lo[2] + (k + 0.5) * sideMm;
    for (let jy = 0; jy < dims[1]; jy++) {
      const y = lo[1] + (jy + 0.5) * sideMm;
      for (let i = 0; i < dims[0]; i++) {
        const x = lo[0] + (i + 0.5) * sideMm;
        const compartment = tissue.compartment[i + dims[0] * (jy + dims[1] * k)];
        if (compartment < 0) continue;
        const bx = bucketOf(x, 0), by = bucketOf(y, 1), bz = bucketOf(z, 2);
        let best = -1;
        let bestSq = Infinity;
        if (previous >= 0 && compartmentOf[previous] === compartment) {
          const dx = distal[3 * previous] - x, dy = distal[3 * previous + 1] - y, dz = distal[3 * previous + 2] - z;
          best = previous;
          bestSq = dx * dx + dy * dy + dz * dz;
        }
        // Rings 0 and 1, buckets that may hold a terminal as near as the best; then further rings
        // only if a nearer terminal could lie beyond them (nearestFrom: the same rule and tie-break,
        // so the same owner as a search of every bucket).
        // Squared gaps from the cell to the neighbouring buckets' slabs along each axis (index 0:
        // the bucket below, 2: the one above; 0 for its own). A terminal clamped into an edge
        // bucket lies beyond the bucket's outer side, farther still: the gaps stay lower bounds.
        const ex = x - (lo[0] + bx * bucketMm), ey = y - (lo[1] + by * bucketMm), ez = z - (lo[2] + bz * bucketMm);
        gap[0] = ex * ex;
        gap[2] = (bucketMm - ex) * (bucketMm - ex);
        gap[3] = ey * ey;
        gap[5] = (bucketMm - ey) * (bucketMm - ey);
        gap[6] = ez * ez;
        gap[8] = (bucketMm - ez) * (bucketMm - ez);
        for (let dz = -1; dz <= 1; dz++) {
          const cz = bz + dz;
          if (cz < 0 || cz >= bd[2]) continue;
          const gz = dz === 0 ? 0 : gap[7 + dz];
          if (gz > bestSq * SLACK) continue;
          for (let dy = -1; dy <= 1; dy++) {
            const cy = by + dy;
            if (cy < 0 || cy >= bd[1]) continue;
            const gyz = gz + (dy === 0 ? 0 : gap[4 + dy]);
            if (gyz > bestSq * SLACK) continue;
            for (let dx = -1; dx <= 1; dx++) {
              const cx = bx + dx;
              if (cx < 0 || cx >= bd[0]) continue;
              if (gyz + (dx === 0 ? 0 : gap[1 + dx]) > bestSq * SLACK) continue;
              const bucket = cx + bd[0] * (cy + bd[1] * cz);
              for (let t = bucketStart[bucket]; t < bucketStart[bucket + 1]; t++) {
                const j = bucketed[t];
                if (compartmentOf[j] !== compartment) continue;
                const qx = distal[3 * j] - x, qy = distal[3 * j + 1] - y, qz = distal[3 * j + 2] - z;
                const d2 = qx * qx + qy * qy + qz * qz;
                if (d2 < bestSq || (d2 === bestSq && j < best)) {
                  bestSq = d2;
                  best = j;
                }
              }
            }
          }
        }
        if (!(best >= 0 && bucketMm > Math.sqrt(bestSq))) best = nearestFrom(x, y, z, compartment, bx, by, bz, 2, best, bestSq);
        owner[i + dims[0] * (jy + dims[1] * (k - kFrom))] = best;
        previous = best;
      }
    }
  }
  return owner;
}

/** The cells of a lattice from the owners of all its cells (territoryCellOwners of every slab, in order) and its tissue. */
export function territoryCellsOfOwners(tree: TerritoryCellsTree, lattice: CellLattice, owner: Int32Array, tissue: CellTissue): TerritoryCells {
  const { originMm, sideMm, dims } = lattice;
  const cellCount = dims[0] * dims[1] * dims[2];
  if (owner.length !== cellCount) throw new RangeError(`territory cell owners: ${owner.length} for a lattice of ${cellCount} cells`);
  const offsets = new Int32Array(tree.segmentCount + 1);
  for (let c = 0; c < cellCount; c++) if (owner[c] >= 0) offsets[owner[c] + 1]++;
  for (let j = 0; j < tree.segmentCount; j++) offsets[j + 1] += offsets[j];
  const cells = new Int32Array(offsets[tree.segmentCount]);
  const perfusion = new Float64Array(cells.length);
  const next = offsets.slice(0, -1);
  for (let c = 0; c < cellCount; c++) {
    if (owner[c] < 0) continue;
    const q = next[owner[c]]++;
    cells[q] = c;
    perfusion[q] = tissue.perfusion[c];
  }
  return { originMm, sideMm, dims, offsets, cells, perfusion };
}

/**
 * Volumes and perfusion integrals of the domain's compartments, by midpoint-rule integration on
 * regular lattices (analytic domains) or exact voxel sums (mask domains). Each tumour is integrated
 * on its own fine lattice over its bounding box, so a 1 cm tumour is resolved as well as the liver.
 */
import type { Domain } from "./domain.js";
import { compartmentNames, labelAt, perfusionAt } from "./domain.js";
import { normalizedRadius, shapeBounds, shapeContains } from "./shapes.js";
import type { BoundsMm, Shape, Solid } from "./shapes.js";
import { voxelVolumeMl } from "./grid.js";

export interface CompartmentIntegral {
  readonly name: string;
  /** Tissue volume inside the liver, necrotic core included, mL. */
  readonly volumeMl: number;
  /** Volume with flow (core excluded), mL. */
  readonly viableVolumeMl: number;
  /** ∫ relative perfusion dV, mL (= viable volume × T/N for a uniform tumour). */
  readonly perfusionIntegralMl: number;
}

export interface DomainIntegral {
  readonly liverVolumeMl: number;
  /** Index-aligned with compartments: 0 normal, 1 + t tumour t. */
  readonly compartments: readonly CompartmentIntegral[];
}

/** The tissue the tree perfuses, mL: every compartment's viable volume (necrotic cores excluded), as the territories share it (vascular/territories.ts). */
export function viableVolumeMl(integral: DomainIntegral): number {
  let sum = 0;
  for (const c of integral.compartments) sum += c.viableVolumeMl;
  return sum;
}

interface Accumulator {
  volume: number;
  viable: number;
  perfusion: number;
}

/**
 * Tumour t's sums (compartment 1 + t, core included) by the midpoint rule on its own lattice of
 * `cellsPerAxis`³ cells over its bounding box, added to `acc`. A point outside the tumour's own
 * solid cannot carry its label (labelAt gives it only inside), so those corners of the box skip
 * the domain's label and perfusion queries.
 */
function tumourLatticeSums(domain: Domain, t: number, cellsPerAxis: number, acc: Accumulator): void {
  const solid = domain.tumours[t].shape as Solid;
  const bounds = shapeBounds(solid);
  const T = domain.tumours.length;
  const n = cellsPerAxis;
  const h = [0, 1, 2].map((k) => (bounds.maxMm[k] - bounds.minMm[k]) / n);
  const cellMl = (h[0] * h[1] * h[2]) / 1000;
  for (let k = 0; k < n; k++) {
    const z = bounds.minMm[2] + (k + 0.5) * h[2];
    for (let j = 0; j < n; j++) {
      const y = bounds.minMm[1] + (j + 0.5) * h[1];
      for (let i = 0; i < n; i++) {
        const x = bounds.minMm[0] + (i + 0.5) * h[0];
        if (normalizedRadius(solid, x, y, z) > 1) continue;
        const label = labelAt(domain, x, y, z);
        // Tumour t's viable tissue or its necrotic core (an earlier tumour wins an overlap).
        if (label !== 2 + t && label !== 2 + T + t) continue;
        const p = perfusionAt(domain, x, y, z);
        acc.volume += cellMl;
        if (p > 0) acc.viable += cellMl;
        acc.perfusion += p * cellMl;
      }
    }
  }
}

/**
 * The last latticeInside (a pure function of its arguments): a tumour's T/N changes the domain but
 * not the liver, whose 160³ lattice is then not walked again (the playground's T/N change, ~0.05 s).
 */
let lastInside: { key: string; volumeMl: number } | null = null;

/** Volume of `shape` by the midpoint rule over `bounds` split into `cellsPerAxis`³ cells, mL (the points labelAt gives a label). */
function latticeInside(shape: Shape, bounds: BoundsMm, cellsPerAxis: number): number {
  const key = JSON.stringify([shape, bounds, cellsPerAxis]);
  if (lastInside?.key === key) return lastInside.volumeMl;
  const volumeMl = latticeInsideOnce(shape, bounds, cellsPerAxis);
  lastInside = { key, volumeMl };
  return volumeMl;
}

function latticeInsideOnce(shape: Shape, bounds: BoundsMm, cellsPerAxis: number): number {
  const n = cellsPerAxis;
  const h = [0, 1, 2].map((k) => (bounds.maxMm[k] - bounds.minMm[k]) / n);
  const cellMl = (h[0] * h[1] * h[2]) / 1000;
  let inside = 0;
  for (let k = 0; k < n; k++) {
    const z = bounds.minMm[2] + (k + 0.5) * h[2];
    for (let j = 0; j < n; j++) {
      const y = bounds.minMm[1] + (j + 0.5) * h[1];
      for (let i = 0; i < n; i++) if (shapeContains(shape, bounds.minMm[0] + (i + 0.5) * h[0], y, z)) inside++;
    }
  }
  return inside * cellMl;
}

/**
 * Integrate the domain. `liverCellsPerAxis` (default 160) sets the liver lattice,
 * `tumourCellsPerAxis` (default 64) each tumour's lattice.
 */
export function integrateDomain(domain: Domain, liverCellsPerAxis = 160, tumourCellsPerAxis = 64): DomainIntegral {
  const names = compartmentNames(domain);
  const T = domain.tumours.length;
  const acc: Accumulator[] = names.map(() => ({ volume: 0, viable: 0, perfusion: 0 }));
  const compartmentOf = (label: number) => (label === 1 ? 0 : label - 2 < T ? label - 1 : label - 1 - T);
  let liverVolumeMl: number;
  if (domain.liver.kind === "mask") {
    const grid = domain.liver.grid;
    const cellMl = voxelVolumeMl(grid);
    const data = grid.data;
    const map = domain.maskLabelMap;
    let inside = 0;
    for (let v = 0; v < data.length; v++) {
      const label = map[data[v]];
      if (label === 0) continue;
      inside++;
      const c = compartmentOf(label);
      const core = label >= 2 + T;
      const p = label === 1 ? 1 : core ? 0 : domain.tumours[label - 2].tnRatio;
      acc[c].volume += cellMl;
      if (!core) acc[c].viable += cellMl;
      acc[c].perfusion += p * cellMl;
    }
    liverVolumeMl = inside * cellMl;
  } else {
    // Liver lattice: the total volume only (points inside the liver shape: labelAt ≠ 0 exactly
    // there); the compartments come from their own lattices below.
    liverVolumeMl = latticeInside(domain.liver.shape, domain.boundsMm, liverCellsPerAxis);
    // Tumours on their own lattices; normal liver = liver − tumours.
    let tumourVolume = 0;
    for (let t = 0; t < T; t++) {
      tumourLatticeSums(domain, t, tumourCellsPerAxis, acc[1 + t]);
      tumourVolume += acc[1 + t].volume;
    }
    const normal = liverVolumeMl - tumourVolume;
    acc[0] = { volume: normal, viable: normal, perfusion: normal };
  }
  return {
    liverVolumeMl,
    compartments: names.map((name, c) => ({ name, volumeMl: acc[c].volume, viableVolumeMl: acc[c].viable, perfusionIntegralMl: acc[c].perfusion })),
  };
}

/**
 * Tree-derived arrays that every transport algorithm reads, computed once per run: which spheres
 * fit into which vessel (size exclusion), the compartment a non-terminal lodging counts for, the
 * per-compartment shunt fractions, and the fixed cut of the injected subtree into work units.
 */
import type { CascadeArrays } from "./cascade.js";
import type { ArterialTree } from "../vascular/tree.js";
import type { TruncatedNormalParameters } from "../random/truncatedNormal.js";
import { normalCdf } from "../random/normal.js";

export interface TransportContext {
  readonly tree: ArterialTree;
  /** Injected segment; spheres enter its proximal end. */
  readonly entry: number;
  /** One past the last segment of the injected subtree. */
  readonly entryEnd: number;
  /**
   * passFraction[j]: probability that a sphere arriving at the inlet of j fits into j, given it fit
   * into every vessel on its way: F(min(D_path, 2r_j)) / F(D_path) for the diameter CDF F and the
   * narrowest diameter D_path on the path so far. null when size exclusion is off.
   */
  readonly passFraction: Float64Array | null;
  /** Largest sphere diameter (µm) that fits through the path to j's distal end; Infinity without exclusion. */
  readonly maxDiameterUm: Float64Array | null;
  /** Compartment a sphere lodged in segment j counts for (terminals: their own). */
  readonly lodgeCompartment: Int32Array;
  /** Shunt-to-lung fraction per compartment for spheres reaching its terminals. */
  readonly shuntFraction: Float64Array;
  /** Work-unit cut: 1 for the roots of the subtrees that form their own work unit. */
  readonly isCutRoot: Uint8Array;
  /** The cut roots, in pre-order. */
  readonly cutRoots: Int32Array;
  /** Tissue volume per compartment perfused from the entry, mL. */
  readonly perfusedVolumeMl: Float64Array;
}

export function createTransportContext(
  tree: ArterialTree,
  entry: number,
  diameterUm: TruncatedNormalParameters | null,
  shuntFraction: Float64Array,
  cutDepth: number,
): TransportContext {
  const n = tree.segmentCount;
  const end = tree.subtreeEnd[entry];
  let passFraction: Float64Array | null = null;
  let maxDiameterUm: Float64Array | null = null;
  if (diameterUm !== null) {
    passFraction = new Float64Array(n).fill(1);
    maxDiameterUm = new Float64Array(n).fill(Infinity);
    const fPath = new Float64Array(n);
    // Truncated-normal CDF with its normalisation hoisted (truncatedNormalCdf, inlined).
    const { mean, sd, min, max } = diameterUm;
    const lo = sd > 0 ? normalCdf((min - mean) / sd) : 0;
    const mass = sd > 0 ? normalCdf((max - mean) / sd) - lo : 1;
    const cdf = (x: number) => (x <= min ? 0 : x >= max ? 1 : sd > 0 ? (normalCdf((x - mean) / sd) - lo) / mass : x >= mean ? 1 : 0);
    const parent = tree.parent;
    const radius = tree.radiusMm;
    for (let j = entry; j < end; j++) {
      const upstream = j === entry ? max : maxDiameterUm[parent[j]];
      const fUp = j === entry ? 1 : fPath[parent[j]];
      const d = Math.min(upstream, 2000 * radius[j]);
      maxDiameterUm[j] = d;
      const f = d === upstream ? fUp : cdf(d);
      fPath[j] = f;
      passFraction[j] = f === fUp ? 1 : fUp > 0 ? Math.min(1, f / fUp) : 0;
    }
  }
  // A non-terminal's lodgings count for the compartment of its larger-territory daughter,
  // recursively (terminals: their own compartment).
  const lodgeCompartment = new Int32Array(n);
  const territoryBelow = new Float64Array(n);
  for (let j = n - 1; j >= 0; j--) {
    const c0 = tree.child0[j];
    if (c0 < 0) {
      lodgeCompartment[j] = tree.compartment[j];
      territoryBelow[j] = tree.territoryMl[j];
    } else {
      const c1 = tree.child1[j];
      territoryBelow[j] = territoryBelow[c0] + territoryBelow[c1];
      lodgeCompartment[j] = lodgeCompartment[territoryBelow[c0] >= territoryBelow[c1] ? c0 : c1];
    }
  }
  const perfusedVolumeMl = new Float64Array(tree.compartmentNames.length);
  for (let j = entry; j < end; j++) if (tree.child0[j] < 0) perfusedVolumeMl[tree.compartment[j]] += tree.territoryMl[j];
  // The cut depends on the tree alone: every segment cutDepth generations below the entry.
  const isCutRoot = new Uint8Array(n);
  const roots: number[] = [];
  const targetGeneration = tree.generation[entry] + cutDepth;
  if (cutDepth > 0) {
    for (let j = entry; j < end; j++) {
      if (tree.generation[j] === targetGeneration) {
        isCutRoot[j] = 1;
        roots.push(j);
        j = tree.subtreeEnd[j] - 1;
      }
    }
  }
  return {
    tree,
    entry,
    entryEnd: end,
    passFraction,
    maxDiameterUm,
    lodgeCompartment,
    shuntFraction,
    isCutRoot,
    cutRoots: Int32Array.from(roots),
    perfusedVolumeMl,
  };
}

/** The arrays a cascade unit reads, for this context's tree with the current splits. */
export function cascadeArrays(context: TransportContext, split0: Float64Array, noiseConcentration: number, lungShuntFraction: number): CascadeArrays {
  const tree = context.tree;
  return {
    child0: tree.child0,
    child1: tree.child1,
    subtreeEnd: tree.subtreeEnd,
    compartment: tree.compartment,
    split0,
    passFraction: context.passFraction,
    shuntFraction: context.shuntFraction,
    isCutRoot: context.isCutRoot,
    noiseConcentration,
    lungShuntFraction,
  };
}

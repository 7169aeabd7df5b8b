/**
 * Tree-derived arrays that every transport algorithm reads, computed once per run: which spheres
 * fit into which vessel (size exclusion), the compartment a non-terminal lodging counts for, the
 * per-compartment shunt fractions, and the fixed cut of the injected subtree into work units.
 */
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
  /** Largest sphere diameter (µm) that fits through the path to j's distal end; null without exclusion. */
  readonly maxDiameterUm: Float64Array | null;
  /** F(D_path) of every segment (the diameter CDF at maxDiameterUm); null without exclusion. */
  readonly pathCdf: Float64Array | null;
  /** Compartment a sphere lodged in segment j counts for (terminals: their own). */
  readonly lodgeCompartment: Int32Array;
  /** Tissue volume below every segment, mL (what lodgeCompartment compares). */
  readonly territoryBelow: Float64Array;
  /**
   * The tissue at each non-terminal's inlet (TransportOptions.wedgeCompartment), −1 where that is no
   * compartment perfused from the entry (a selective injection's vessel crossing a tumour fed from
   * elsewhere: it counts by the fallback, so every count has a perfused volume, the T/N's
   * denominator); null when not given.
   */
  readonly wedgeCompartment: Int32Array | null;
  /** Shunt-to-lung fraction per compartment for spheres reaching its terminals. */
  readonly shuntFraction: Float64Array;
  /** Work-unit cut: 1 for the roots of the subtrees that form their own work unit. */
  readonly isCutRoot: Uint8Array;
  /** The cut roots, in pre-order. */
  readonly cutRoots: Int32Array;
  /** The segments outside every cut subtree, as [first, end) pairs in pre-order (the serial part). */
  readonly outsideCut: Int32Array;
  /** Tissue volume per compartment perfused from the entry, mL. */
  readonly perfusedVolumeMl: Float64Array;
}

/**
 * Where a run's per-segment arrays live: ordinary memory (inline runs), or SharedArrayBuffers
 * that worker threads see (src/parallel/transport.ts). Fresh arrays are zero-filled.
 */
export interface TransportMemory {
  float64(length: number): Float64Array;
  int32(length: number): Int32Array;
  uint8(length: number): Uint8Array;
  uint32(length: number): Uint32Array;
  /** `array` itself, or a copy in shared memory (the tree's arrays on threads). */
  share<T extends Float64Array | Int32Array | Uint8Array | Uint32Array>(array: T): T;
}

export const LOCAL_MEMORY: TransportMemory = {
  float64: (length) => new Float64Array(length),
  int32: (length) => new Int32Array(length),
  uint8: (length) => new Uint8Array(length),
  uint32: (length) => new Uint32Array(length),
  share: (array) => array,
};

/** Facts of a tree that every run on it needs, computed once per tree. */
export interface TreeFacts {
  /** Largest generation of any segment. */
  readonly maxGeneration: number;
  /** The terminal segments, ascending (pre-order). Shared by runs: do not modify. */
  readonly terminalSegments: Int32Array;
}

const treeFactsCache = new WeakMap<ArterialTree, TreeFacts>();

export function treeFacts(tree: ArterialTree): TreeFacts {
  let facts = treeFactsCache.get(tree);
  if (facts === undefined) {
    const n = tree.segmentCount;
    let maxGeneration = 0;
    let terminals = 0;
    for (let j = 0; j < n; j++) {
      if (tree.generation[j] > maxGeneration) maxGeneration = tree.generation[j];
      if (tree.child0[j] < 0) terminals++;
    }
    const terminalSegments = new Int32Array(terminals);
    for (let j = 0, t = 0; j < n; j++) if (tree.child0[j] < 0) terminalSegments[t++] = j;
    facts = { maxGeneration, terminalSegments };
    treeFactsCache.set(tree, facts);
  }
  return facts;
}

/**
 * The context with its arrays allocated in `memory` and the per-segment physics not yet computed
 * (sizeExclusionRange top-down over the injected subtree, lodgeCompartmentRange bottom-up over
 * the tree): the cut, the perfused volumes and the shunt fractions are filled in.
 */
export function allocateTransportContext(
  tree: ArterialTree,
  entry: number,
  diameterUm: TruncatedNormalParameters | null,
  shuntFraction: Float64Array,
  cutDepth: number,
  memory: TransportMemory = LOCAL_MEMORY,
  wedge: Int32Array | null = null,
): TransportContext {
  const n = tree.segmentCount;
  const end = tree.subtreeEnd[entry];
  const perfusedVolumeMl = new Float64Array(tree.compartmentNames.length);
  for (let j = entry; j < end; j++) if (tree.child0[j] < 0) perfusedVolumeMl[tree.compartment[j]] += tree.territoryMl[j];
  let wedgeCompartment: Int32Array | null = null;
  if (wedge !== null) {
    wedgeCompartment = memory.int32(n);
    for (let j = 0; j < n; j++) wedgeCompartment[j] = wedge[j] >= 0 && perfusedVolumeMl[wedge[j]] > 0 ? wedge[j] : -1;
  }
  // The cut depends on the tree alone: every segment cutDepth generations below the entry.
  const cut = cutOf(tree, entry, cutDepth);
  const isCutRoot = memory.uint8(n);
  for (const root of cut.roots) isCutRoot[root] = 1;
  return {
    tree,
    entry,
    entryEnd: end,
    passFraction: diameterUm === null ? null : memory.float64(n),
    maxDiameterUm: diameterUm === null ? null : memory.float64(n),
    pathCdf: diameterUm === null ? null : memory.float64(n),
    lodgeCompartment: memory.int32(n),
    territoryBelow: memory.float64(n),
    wedgeCompartment,
    shuntFraction: memory.share(shuntFraction),
    isCutRoot,
    cutRoots: cut.roots,
    outsideCut: cut.outside,
    perfusedVolumeMl,
  };
}

/**
 * The cut of the subtree injected at `entry` at `depth` generations below it: the roots (in
 * pre-order) of the subtrees that start there, and the rest of the tree as [first, end) pairs in
 * pre-order. depth 0: no cut.
 */
export function cutOf(tree: ArterialTree, entry: number, depth: number): { readonly roots: Int32Array; readonly outside: Int32Array } {
  const end = tree.subtreeEnd[entry];
  const roots: number[] = [];
  const targetGeneration = tree.generation[entry] + depth;
  if (depth > 0) {
    for (let j = entry; j < end; j++) {
      if (tree.generation[j] === targetGeneration) {
        roots.push(j);
        j = tree.subtreeEnd[j] - 1;
      }
    }
  }
  const rest: number[] = [];
  let from = 0;
  for (const root of roots) {
    if (root > from) rest.push(from, root);
    from = tree.subtreeEnd[root];
  }
  if (from < tree.segmentCount) rest.push(from, tree.segmentCount);
  return { roots: Int32Array.from(roots), outside: Int32Array.from(rest) };
}

/** The full context, computed on this thread. */
export function createTransportContext(
  tree: ArterialTree,
  entry: number,
  diameterUm: TruncatedNormalParameters | null,
  shuntFraction: Float64Array,
  cutDepth: number,
  wedgeCompartment: Int32Array | null = null,
): TransportContext {
  const context = allocateTransportContext(tree, entry, diameterUm, shuntFraction, cutDepth, LOCAL_MEMORY, wedgeCompartment);
  const { passFraction, maxDiameterUm, pathCdf, entryEnd } = context;
  if (diameterUm !== null && passFraction !== null && maxDiameterUm !== null && pathCdf !== null) {
    const a = { parent: tree.parent, radiusMm: tree.radiusMm, passFraction, maxDiameterUm, pathCdf };
    const cdf = diameterCdf(diameterUm);
    sizeExclusionRange(a, cdf, diameterUm.max, entry, entry, entryEnd);
  }
  const lodging = { ...tree, lodgeCompartment: context.lodgeCompartment, territoryBelow: context.territoryBelow, wedgeCompartment: context.wedgeCompartment };
  lodgeCompartmentRange(lodging, 0, tree.segmentCount);
  return context;
}

/** Arrays sizeExclusionRange reads and writes (pathCdf: F(D_path) of every segment, scratch). */
export interface SizeExclusionArrays {
  readonly parent: Int32Array;
  readonly radiusMm: Float64Array;
  readonly passFraction: Float64Array;
  readonly maxDiameterUm: Float64Array;
  readonly pathCdf: Float64Array;
}

/** The truncated-normal diameter CDF with its normalisation hoisted (truncatedNormalCdf, inlined). */
export function diameterCdf(diameterUm: TruncatedNormalParameters): (x: number) => number {
  const { mean, sd, min, max } = diameterUm;
  const lo = sd > 0 ? normalCdf((min - mean) / sd) : 0;
  const mass = sd > 0 ? normalCdf((max - mean) / sd) - lo : 1;
  return (x) => (x <= min ? 0 : x >= max ? 1 : sd > 0 ? (normalCdf((x - mean) / sd) - lo) / mass : x >= mean ? 1 : 0);
}

/**
 * Size exclusion over segments [first, end) in pre-order, each from its parent's values (the
 * parent first; the entry starts from the largest diameter `maxUm`): the narrowest diameter on
 * the path, F of it, and the fraction of arriving spheres that fit.
 */
export function sizeExclusionRange(a: SizeExclusionArrays, cdf: (x: number) => number, maxUm: number, entry: number, first: number, end: number): void {
  const { parent, radiusMm, passFraction, maxDiameterUm, pathCdf } = a;
  // The entry's values come from a Float64Array like every other segment's (see splitRange: a
  // merge with a tagged parameter boxes the loaded doubles).
  const atEntry = Float64Array.of(maxUm, 1);
  for (let j = first; j < end; j++) {
    const upstream = j === entry ? atEntry[0] : maxDiameterUm[parent[j]];
    const fUp = j === entry ? atEntry[1] : pathCdf[parent[j]];
    const d = Math.min(upstream, 2000 * radiusMm[j]);
    maxDiameterUm[j] = d;
    const f = d === upstream ? fUp : cdf(d);
    pathCdf[j] = f;
    passFraction[j] = f === fUp ? 1 : fUp > 0 ? Math.min(1, f / fUp) : 0;
  }
}

/** Arrays lodgeCompartmentRange reads and writes (territoryBelow: tissue below each segment, scratch). */
export interface LodgeCompartmentArrays {
  readonly child0: Int32Array;
  readonly child1: Int32Array;
  readonly compartment: Int32Array;
  readonly territoryMl: Float64Array;
  readonly lodgeCompartment: Int32Array;
  readonly territoryBelow: Float64Array;
  /** Per segment, the compartment of the tissue at a non-terminal's inlet (positions.ts wedgeCompartments), −1: none; null: not given. */
  readonly wedgeCompartment: Int32Array | null;
}

/**
 * Segments [first, end), last first (children before parents): terminals' lodgings count for their
 * own compartment; a non-terminal's (spheres wedged at its inlet) for the compartment of the tissue
 * they sit in — `wedgeCompartment[j]`, the tissue at the segment's proximal point, where
 * positions.ts places them and the dose counts them — else (no such array, or −1 there: outside
 * the liver, or a compartment the injection perfuses nothing of) for what its larger-territory
 * daughter's lodgings count for. The larger-daughter rule for every non-terminal made the realised
 * T/N fall with the tree's resolution (small case, run 0: 4.200 → 4.144 from 120,000 to 1.5e6
 * terminals) while the placed spheres' tumour:normal ratio did not (bench/transport.md "Realised
 * T/N by position").
 */
export function lodgeCompartmentRange(a: LodgeCompartmentArrays, first: number, end: number): void {
  const { child0, child1, compartment, territoryMl, lodgeCompartment, territoryBelow, wedgeCompartment } = a;
  for (let j = end - 1; j >= first; j--) {
    const c0 = child0[j];
    if (c0 < 0) {
      lodgeCompartment[j] = compartment[j];
      territoryBelow[j] = territoryMl[j];
    } else {
      const c1 = child1[j];
      territoryBelow[j] = territoryBelow[c0] + territoryBelow[c1];
      const w = wedgeCompartment === null ? -1 : wedgeCompartment[j];
      lodgeCompartment[j] = w >= 0 ? w : lodgeCompartment[territoryBelow[c0] >= territoryBelow[c1] ? c0 : c1];
    }
  }
}

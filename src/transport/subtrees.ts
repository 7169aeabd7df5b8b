/**
 * The cascade's per-segment work, cut into the same subtrees as its Monte Carlo work units.
 *
 * Every pass of a cascade run over the tree — the baseline (size exclusion, Poiseuille
 * resistances, capacities, lodging compartments, Thévenin equivalents), the flow solve before each
 * batch, the batch's cascade with its bookkeeping and embolic re-solve, and the cluster statistics
 * at the end — is a top-down or bottom-up sweep in which a segment needs only its parent's or its
 * children's values. The driver (simulate.ts) runs the part outside the cut subtrees itself (a few
 * hundred segments at the default cut depth, plus the rest of the tree for a selective injection)
 * and hands the cut subtrees to `runSubtreeWork` as one `SubtreeWork`: top-down passes after its
 * own part, bottom-up passes before. Each subtree writes only its own segment range of the arrays,
 * so the subtrees can run in any order, on any thread (src/parallel/transport.ts), and the numbers
 * are the same: a segment's value is the same function of the same inputs whoever computes it.
 * What a subtree returns (lung counts, lodged spheres per compartment, cluster counts) are integer
 * sums and a maximum, which are exact in any order.
 */
import type { CapacityModel } from "./models/capacity.js";
import { poiseuilleCoefficient, reduceRange, updatePathToRoot } from "../vascular/hemodynamics.js";
import type { TruncatedNormalParameters } from "../random/truncatedNormal.js";
import { runCascadeUnit, type CascadeArrays, type TouchedList } from "./cascade.js";
import {
  clusterRoot,
  countClusters,
  initClusters,
  joinClusters,
  type ClusterForest,
  type ClusterTree,
} from "./clusters.js";
import { lowerBound } from "../sortedSearch.js";
import { diameterCdf, lodgeCompartmentRange, sizeExclusionRange, type LodgeCompartmentArrays, type SizeExclusionArrays } from "./context.js";
import { baselineFlowRange, splitRange, type BaselineFlowArrays, type SplitArrays } from "./flowSolve.js";
import { chokedResistance } from "./embolicLoad.js";

/**
 * Every per-segment array of a cascade run, flat (a worker receives views on them; on threads
 * they live in SharedArrayBuffers). Tree arrays first, then the context's, the flow state's, the
 * batch's and the cluster forest's.
 */
export interface SubtreeArrays
  extends SplitArrays,
    BaselineFlowArrays,
    LodgeCompartmentArrays,
    Omit<SizeExclusionArrays, "passFraction" | "maxDiameterUm" | "pathCdf">,
    ClusterTree {
  readonly subtreeEnd: Int32Array;
  readonly generation: Int32Array;
  readonly terminalPressurePa: Float64Array;
  readonly isCutRoot: Uint8Array;
  /** Size exclusion (null without). */
  readonly maxDiameterUm: Float64Array | null;
  readonly pathCdf: Float64Array | null;
  readonly resistance0: Float64Array;
  /** Spheres lodged so far in every segment (the embolic load k_j). */
  readonly lodged: Float64Array;
  /** The current batch's lodged spheres (zero between batches). */
  readonly batchLodged: Float64Array;
  /** Spheres lodged over the whole run. */
  readonly totals: Float64Array;
  /** Union-find forest of the cluster statistics (absolute indices). */
  readonly clusterUp: Int32Array;
  readonly clusterSize: Float64Array;
  /** The result's counts: spheres per segment, the terminals (ascending) and spheres per terminal. */
  readonly segmentLodged: Uint32Array;
  readonly terminalSegments: Int32Array;
  readonly terminalCounts: Uint32Array;
}

/** The run's parameters a subtree pass needs. */
export interface SubtreeScalars {
  readonly seed: number;
  readonly entry: number;
  /** Number of compartments (length of SubtreeResult.counts). */
  readonly compartments: number;
  readonly diameterUm: TruncatedNormalParameters | null;
  readonly viscosityPaS: number;
  readonly capacity: CapacityModel;
  readonly bias: number;
  readonly noiseConcentration: number;
  readonly feedback: boolean;
  /** What the adaptive batch size bounds (embolicLoad.ts): the splits pass returns its measure. */
  readonly batchRule: "subtree" | "vessel";
  /** Segments up to this generation start their own random stream (entry's + STREAM_DEPTH, cascade.ts). */
  readonly streamGeneration: number;
  /** Rule "subtree": generation of the batch groups' roots (entry's + BATCH_GROUP_DEPTH, embolicLoad.ts); else NO_GROUPS (flowSolve.ts). */
  readonly groupGeneration: number;
  readonly clusterDistanceMm: number;
  /** Length of the longest root-to-terminal path (re-solve cost estimate). */
  readonly maxDepth: number;
}

/**
 * prepare: baseline (top-down size exclusion, resistances, capacities; bottom-up lodging
 * compartments and equivalents); splits: flows and split probabilities (top-down; with embolic
 * feedback the expected lodging ratio); cascade: one batch's units plus their bookkeeping and
 * re-solve (bottom-up); finish: the run's lodged counts as integers (per segment and per terminal)
 * and the cluster forest within each subtree.
 */
export type SubtreePass = "prepare" | "splits" | "cascade" | "finish";

export interface SubtreeWork {
  readonly pass: SubtreePass;
  readonly arrays: SubtreeArrays;
  readonly scalars: SubtreeScalars;
  readonly batch: number;
  /** Cut roots to run, in pre-order. */
  readonly roots: Int32Array;
  /** cascade: the spheres that reach each root; otherwise null. */
  readonly spheres: Float64Array | null;
}

export interface SubtreeResult {
  /** cascade: spheres shunted to the lungs. */
  lung: number;
  /**
   * splits with feedback, the batch bound's measure (embolicLoad.ts): rule "vessel", max over the
   * subtrees' segments of e_j / C_j; rule "subtree", the same over the segments above the batch
   * groups, and over the groups whose roots lie in the subtrees their sphere-weighted drift per
   * injected sphere, Σ_j reach_j·s_j·e_j/C_j / reach_k.
   */
  maxExpected: number;
  /** cascade: spheres lodged per compartment. */
  readonly counts: Float64Array;
  /** finish: clusters per size, except those that hold a cut root (the driver joins those). */
  readonly clusters: Map<number, number>;
}

export function emptySubtreeResult(compartments: number): SubtreeResult {
  return { lung: 0, maxExpected: 0, counts: new Float64Array(compartments), clusters: new Map() };
}

/** Add `from` into `into` (integer sums and a maximum: exact in any order). */
export function addSubtreeResult(into: SubtreeResult, from: SubtreeResult): void {
  into.lung += from.lung;
  if (from.maxExpected > into.maxExpected) into.maxExpected = from.maxExpected;
  for (let c = 0; c < into.counts.length; c++) into.counts[c] += from.counts[c];
  for (const [size, count] of from.clusters) into.clusters.set(size, (into.clusters.get(size) ?? 0) + count);
}

/** Stable name of one subtree of a pass, for error messages and SIRTSIM_FAIL_UNIT. */
export function subtreeUnitId(pass: SubtreePass, batch: number, root: number): string {
  return pass === "cascade" ? `transport/batch-${batch}/subtree-${root}` : pass === "splits" ? `transport/batch-${batch}/splits-${root}` : `transport/${pass}/subtree-${root}`;
}

const EMPTY = new Float64Array(0);
let touchedScratch = new Int32Array(0);

/**
 * Run roots [first, end) of `work` on this thread; `beforeUnit` is called with each root first
 * (fault injection and error naming in src/parallel/transport.ts).
 */
export function runSubtreeWork(work: SubtreeWork, first = 0, end = work.roots.length, beforeUnit?: (root: number) => void): SubtreeResult {
  const { arrays: a, scalars: s, roots } = work;
  const result = emptySubtreeResult(s.compartments);
  const cdf = s.diameterUm === null ? null : diameterCdf(s.diameterUm);
  const coefficient = poiseuilleCoefficient(s.viscosityPaS);
  const cascade = cascadeArraysOf(a, s.streamGeneration, s.noiseConcentration, 0);
  const maxSq = s.clusterDistanceMm * s.clusterDistanceMm;
  const forest: ClusterForest = { up: a.clusterUp, size: a.clusterSize, offset: 0 };
  for (let k = first; k < end; k++) {
    const root = roots[k];
    beforeUnit?.(root);
    const stop = a.subtreeEnd[root];
    if (work.pass === "prepare") {
      if (cdf !== null && s.diameterUm !== null) sizeExclusionRange(a as SizeExclusionArrays, cdf, s.diameterUm.max, s.entry, root, stop);
      baselineFlowRange(a, coefficient, s.capacity, root, stop);
      lodgeCompartmentRange(a, root, stop);
      reduceRange(a, a, a.resistance, null, root, stop);
    } else if (work.pass === "splits") {
      const e = splitRange(a, root, stop, -1, 0, s.groupGeneration);
      if (e > result.maxExpected) result.maxExpected = e;
    } else if (work.pass === "cascade") {
      const spheres = (work.spheres as Float64Array)[k];
      if (touchedScratch.length < stop - root) touchedScratch = new Int32Array(stop - root);
      const touched: TouchedList = { segments: touchedScratch, count: 0 };
      result.lung += runCascadeUnit(a.batchLodged, EMPTY, cascade, { batch: work.batch, root, spheres, top: false }, s.seed, touched);
      settleLodged(a, s.feedback, touched, result.counts);
      if (s.feedback) reduceChanged(a, touched, root, s.maxDepth - a.generation[root]);
    } else {
      finishCounts(a, root, stop);
      initClusters(forest, a.totals, root, stop);
      joinClusters(forest, a, a.totals, maxSq, root, root, stop);
      countClusters(result.clusters, forest, a.totals, root, stop, a.totals[root] > 0 ? clusterRoot(forest, root) : -1);
    }
  }
  return result;
}

/** The integer counts of segments [first, end): per segment, and per terminal among them. */
export function finishCounts(a: SubtreeArrays, first: number, end: number): void {
  const { totals, segmentLodged, terminalSegments, terminalCounts } = a;
  for (let j = first; j < end; j++) segmentLodged[j] = totals[j];
  for (let t = lowerBound(terminalSegments, first); t < terminalSegments.length && terminalSegments[t] < end; t++) terminalCounts[t] = totals[terminalSegments[t]];
}

/** The arrays a cascade unit reads, from a run's arrays (or any object holding them). */
export function cascadeArraysOf(
  a: Omit<CascadeArrays, "streamGeneration" | "noiseConcentration" | "lungShuntFraction">,
  streamGeneration: number,
  noiseConcentration: number,
  lungShuntFraction: number,
): CascadeArrays {
  return {
    child0: a.child0,
    child1: a.child1,
    compartment: a.compartment,
    generation: a.generation,
    streamGeneration,
    split0: a.split0,
    passFraction: a.passFraction,
    shuntFraction: a.shuntFraction,
    isCutRoot: a.isCutRoot,
    noiseConcentration,
    lungShuntFraction,
  };
}

/**
 * Move a unit's batch lodgings (the touched segments) into the run's totals and the per-compartment
 * `counts`; with feedback, into the embolic load and resistances too. Leaves batchLodged zero there.
 */
export function settleLodged(a: SubtreeArrays, feedback: boolean, touched: TouchedList, counts: Float64Array): void {
  const { batchLodged, totals, lodgeCompartment, lodged, capacity, chokeShare, chokeLinear, resistance, resistance0 } = a;
  const segments = touched.segments;
  for (let k = 0; k < touched.count; k++) {
    const j = segments[k];
    const b = batchLodged[j];
    if (b === 0) continue;
    batchLodged[j] = 0;
    totals[j] += b;
    counts[lodgeCompartment[j]] += b;
    if (feedback) resistance[j] = chokedResistance(resistance0[j], (lodged[j] += b), capacity[j], chokeShare[j], chokeLinear[j]);
  }
}

/**
 * Re-solve the equivalents of the subtree at `root` after its touched segments' resistances
 * changed: path updates up to the root when that is cheaper than the whole subtree (`depth`
 * generations at most below the root), else one bottom-up sweep. Same numbers either way.
 */
function reduceChanged(a: SubtreeArrays, touched: TouchedList, root: number, depth: number): void {
  if (touched.count === 0) return;
  const stop = a.subtreeEnd[root];
  if (touched.count * depth < stop - root) {
    for (let k = 0; k < touched.count; k++) updatePathToRoot(a, a, a.resistance, null, touched.segments[k], root);
  } else {
    reduceRange(a, a, a.resistance, null, root, stop);
  }
}

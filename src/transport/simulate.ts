/**
 * simulateTransport: inject a treatment's spheres at a segment of the tree and return where they
 * lodged. Algorithms: "cascade" (binomial cascade, batched with flow re-solves between batches
 * when embolic feedback is on) and "walk" (per-sphere reference walk, exact feedback).
 */
import type { ArterialTree } from "../vascular/tree.js";
import { InputError, checkRange } from "../errors.js";
import type { TruncatedNormalParameters } from "../random/truncatedNormal.js";
import { reduceRange, poiseuilleCoefficient } from "../vascular/hemodynamics.js";
import {
  LOCAL_MEMORY,
  allocateTransportContext,
  treeFacts,
  createTransportContext,
  diameterCdf,
  lodgeCompartmentRange,
  sizeExclusionRange,
  type SizeExclusionArrays,
  type TransportContext,
  type TransportMemory,
} from "./context.js";
import { runCascadeUnit, type TouchedList } from "./cascade.js";
import { allocateFlowState, baselineFlowRange, createFlowState, entrySplitStart, solveSplits, splitRange } from "./embolic.js";
import { compartmentShuntFractions } from "./lung.js";
import { clusterHistogram, clusterRoot, initClusters, joinClusters, sortedHistogram, type ClusterForest, type ClusterHistogram } from "./clusters.js";
import { runWalk } from "./walk.js";
import {
  cascadeArraysOf,
  runSubtreeWork,
  finishCounts,
  settleLodged,
  type SubtreeArrays,
  type SubtreePass,
  type SubtreeResult,
  type SubtreeScalars,
  type SubtreeWork,
} from "./subtrees.js";
import {
  compartmentKeys,
  spheresRecord,
  tumourToNormalRatio,
  type TimelinePoint,
  type TransportResult,
} from "./result.js";

export interface EmbolicOptions {
  /** Lodged spheres choke their vessel and flows are re-solved. Default false. */
  readonly enabled?: boolean;
  /** Spheres that plug one vessel (≈ 50 per portal tract). Default 50. */
  readonly capacitySpheres?: number;
  /** Terminal capacity per mL of its territory instead (resolution-independent); null = off. Default null. */
  readonly capacitySpheresPerMl?: number | null;
  /** Largest conductance change of any vessel within a batch, fraction of baseline. Default 0.05. */
  readonly batchTolerance?: number;
  /** Fixed batch size (spheres) instead of the adaptive one; 0 = adaptive. Default 0. */
  readonly batchSpheres?: number;
  /** Stasis when the entry flow falls below this fraction of its baseline. Default 0.1. */
  readonly refluxThresholdFraction?: number;
}

export interface TransportOptions {
  /** Spheres injected (see spherePopulation). */
  readonly spheres: number;
  /** Injected segment (spheres enter its proximal end). Default 0, the root. */
  readonly entrySegment?: number;
  /** Sphere diameters, µm, for size exclusion; null = no size exclusion. Default null. */
  readonly diameterUm?: TruncatedNormalParameters | null;
  /** Flow bias s toward the major daughter; 0.5 = pure flow-following. Default 0.5. */
  readonly bias?: number;
  /** Beta streamline-noise concentration κ per bifurcation and batch; 0 = none. Default 0. */
  readonly noiseConcentration?: number;
  /** Whole-injection lung shunt fraction. Default 0. */
  readonly lungShuntFraction?: number;
  /** Intratumoral AV shunt fraction by tumour name. Default {}. */
  readonly tumourShuntFractions?: Readonly<Record<string, number>>;
  readonly embolic?: EmbolicOptions;
  /** "cascade" (default) or "walk" (per-sphere reference). */
  readonly algorithm?: "cascade" | "walk";
  /** Generations below the entry where the cascade is cut into work units. Default 6. */
  readonly cutDepth?: number;
  /** Lodging points of connected vessels within this distance form one cluster, mm. Default 0. */
  readonly clusterDistanceMm?: number;
  /** Without feedback: split the injection into this many equal batches for the timeline. Default 1. */
  readonly timelinePoints?: number;
  /** Activity per sphere, Bq, reported in provenance only. */
  readonly activityPerSphereBq?: number;
}

interface Resolved {
  spheres: number;
  entry: number;
  diameterUm: TruncatedNormalParameters | null;
  bias: number;
  noise: number;
  lsf: number;
  shunt: Float64Array;
  feedback: boolean;
  capacity: number;
  capacityPerMl: number | null;
  tolerance: number;
  batchSpheres: number;
  refluxThreshold: number;
  algorithm: "cascade" | "walk";
  cutDepth: number;
  clusterDistanceMm: number;
  timelinePoints: number;
}

function resolveOptions(tree: ArterialTree, o: TransportOptions): Resolved {
  const e = o.embolic ?? {};
  if (!Number.isSafeInteger(o.spheres) || o.spheres < 0 || o.spheres > 2 ** 32 - 1) {
    throw new InputError("spheres", `spheres must be an integer in [0, ${2 ** 32 - 1}], got ${o.spheres}`);
  }
  const entry = o.entrySegment ?? 0;
  if (!Number.isInteger(entry) || entry < 0 || entry >= tree.segmentCount) {
    throw new InputError("entrySegment", `entrySegment must be an integer in [0, ${tree.segmentCount - 1}], got ${entry}`);
  }
  const algorithm = o.algorithm ?? "cascade";
  if (algorithm !== "cascade" && algorithm !== "walk") {
    throw new InputError("algorithm", `algorithm must be "cascade" or "walk", got ${JSON.stringify(algorithm)}`);
  }
  const noise = checkRange("noiseConcentration", o.noiseConcentration ?? 0, 0, 1e12);
  if (algorithm === "walk" && noise > 0) {
    throw new InputError("noiseConcentration", "noiseConcentration must be 0 with algorithm \"walk\" (noise is a property of a cascade batch)");
  }
  return {
    spheres: o.spheres,
    entry,
    diameterUm: o.diameterUm ?? null,
    bias: checkRange("bias", o.bias ?? 0.5, 0, 1, { minOpen: true, maxOpen: true }),
    noise,
    lsf: checkRange("lungShuntFraction", o.lungShuntFraction ?? 0, 0, 1),
    shunt: compartmentShuntFractions(tree.compartmentNames, o.tumourShuntFractions ?? {}),
    feedback: e.enabled ?? false,
    capacity: checkRange("embolic.capacitySpheres", e.capacitySpheres ?? 50, 0, 1e9, { minOpen: true }),
    capacityPerMl: e.capacitySpheresPerMl == null ? null : checkRange("embolic.capacitySpheresPerMl", e.capacitySpheresPerMl, 0, 1e9, { minOpen: true }),
    tolerance: checkRange("embolic.batchTolerance", e.batchTolerance ?? 0.05, 0, 1, { minOpen: true }),
    batchSpheres: checkRange("embolic.batchSpheres", e.batchSpheres ?? 0, 0, 2 ** 32),
    refluxThreshold: checkRange("embolic.refluxThresholdFraction", e.refluxThresholdFraction ?? 0.1, 0, 1),
    algorithm,
    cutDepth: checkRange("cutDepth", o.cutDepth ?? 6, 0, 64),
    clusterDistanceMm: checkRange("clusterDistanceMm", o.clusterDistanceMm ?? 0, 0, 1e3),
    timelinePoints: checkRange("timelinePoints", o.timelinePoints ?? 1, 1, 10_000),
  };
}

/** Simulate the injection of `options.spheres` spheres into `tree` with random seed `seed`. */
export function simulateTransport(tree: ArterialTree, options: TransportOptions, seed: number): TransportResult {
  const steps = transportSteps(tree, options, seed);
  let step = steps.next();
  while (!step.done) step = steps.next(runSubtreeWork(step.value.work));
  return step.value;
}

/**
 * Work the driver hands out: one pass over cut subtrees (src/transport/subtrees.ts). The driver
 * resumes with its result (runSubtreeWork over all roots, or the sum of partial results over
 * slices of them in any order). `progress` is set on a batch's cascade pass.
 */
export interface TransportStep {
  readonly work: SubtreeWork;
  readonly progress: { readonly spheresInjected: number; readonly spheresTotal: number; readonly batches: number } | null;
}

/**
 * The transport driver as a generator: it yields each pass over the cut subtrees for the caller
 * to run (inline in simulateTransport, on worker threads in src/parallel/transport.ts) and
 * returns the result. `memory` places the per-segment arrays (SharedArrayBuffers for workers).
 */
export function* transportSteps(
  tree: ArterialTree,
  options: TransportOptions,
  seed: number,
  memory: TransportMemory = LOCAL_MEMORY,
): Generator<TransportStep, TransportResult, SubtreeResult> {
  checkRange("seed", seed, 0, Number.MAX_SAFE_INTEGER);
  if (!Number.isInteger(seed)) throw new InputError("seed", `seed must be a non-negative integer, got ${seed}`);
  const r = resolveOptions(tree, options);
  if (r.algorithm === "walk") return runWalkDriver(tree, r, seed, options);
  return yield* runCascadeDriver(tree, r, seed, options, memory);
}

/** Lodged-sphere counters of a run: per compartment, then lung, then reflux. */
function createRecorder(tree: ArterialTree, context: TransportContext, baselineEntryFlow: () => number) {
  const keys = compartmentKeys(tree.compartmentNames);
  const counts = new Float64Array(tree.compartmentNames.length + 2);
  const timeline: TimelinePoint[] = [];
  return {
    keys,
    counts,
    timeline,
    record(spheresInjected: number, entryFlow: number): void {
      const baseline = baselineEntryFlow();
      timeline.push({
        spheresInjected,
        spheres: spheresRecord(keys, counts),
        tumourToNormalRatio: tumourToNormalRatio(counts, context.perfusedVolumeMl),
        entryFlowFraction: baseline > 0 ? entryFlow / baseline : 0,
      });
    },
  };
}

function runWalkDriver(tree: ArterialTree, r: Resolved, seed: number, options: TransportOptions): TransportResult {
  const n = tree.segmentCount;
  const nComp = tree.compartmentNames.length;
  const context = createTransportContext(tree, r.entry, r.diameterUm, r.shunt, r.cutDepth);
  const state = createFlowState(tree, r.capacity, r.capacityPerMl);
  const path = new Int32Array(state.maxDepth + 1);
  const split0 = new Float64Array(n);
  const baselineEntryFlow = solveSplits(split0, state, context, r.bias, path);
  const recorder = createRecorder(tree, context, () => baselineEntryFlow);
  const counts = recorder.counts;
  const totals = new Float64Array(n);
  const walkLodged = new Float64Array(n);
  let injected = 0;
  let batches = 0;
  let refluxStartedAt: number | null = null;
  const chunk = Math.max(1, Math.ceil(r.spheres / 20));
  for (let first = 0; first < r.spheres; first += chunk) {
    const count = Math.min(chunk, r.spheres - first);
    walkLodged.fill(0, r.entry, context.entryEnd);
    const outcome = runWalk(walkLodged, state, context, {
      bias: r.bias,
      lungShuntFraction: r.lsf,
      diameterUm: r.diameterUm,
      feedback: r.feedback,
      refluxThresholdFraction: r.refluxThreshold,
    }, first, count, seed, baselineEntryFlow, path);
    for (let j = r.entry; j < context.entryEnd; j++) {
      if (walkLodged[j] === 0) continue;
      totals[j] += walkLodged[j];
      counts[context.lodgeCompartment[j]] += walkLodged[j];
    }
    counts[nComp] += outcome.lung;
    counts[nComp + 1] += outcome.reflux;
    injected += count;
    batches++;
    if (outcome.refluxStartedAt >= 0) {
      refluxStartedAt = outcome.refluxStartedAt;
      counts[nComp + 1] += r.spheres - injected;
      injected = r.spheres;
      recorder.record(injected, solveSplits(split0, state, context, r.bias, path));
      break;
    }
    recorder.record(injected, r.feedback ? solveSplits(split0, state, context, r.bias, path) : baselineEntryFlow);
  }
  const segmentLodged = Uint32Array.from(totals);
  const terminalSegments = treeFacts(tree).terminalSegments.slice();
  const terminalCounts = new Uint32Array(terminalSegments.length);
  for (let t = 0; t < terminalSegments.length; t++) terminalCounts[t] = segmentLodged[terminalSegments[t]];
  const histogram = clusterHistogram(tree, segmentLodged, r.clusterDistanceMm, context.entry, context.entryEnd);
  return assembleResult(context, r, seed, { terminalSegments, terminalCounts, segmentLodged }, recorder, histogram, refluxStartedAt, batches, options);
}

function* runCascadeDriver(
  tree: ArterialTree,
  r: Resolved,
  seed: number,
  options: TransportOptions,
  memory: TransportMemory,
): Generator<TransportStep, TransportResult, SubtreeResult> {
  const n = tree.segmentCount;
  const nComp = tree.compartmentNames.length;
  const context = allocateTransportContext(tree, r.entry, r.diameterUm, r.shunt, r.cutDepth, memory);
  const state = allocateFlowState(tree, memory);
  const { entry, entryEnd, cutRoots, outsideCut } = context;
  const a: SubtreeArrays = {
    parent: memory.share(tree.parent),
    child0: memory.share(tree.child0),
    child1: memory.share(tree.child1),
    subtreeEnd: memory.share(tree.subtreeEnd),
    generation: memory.share(tree.generation),
    compartment: memory.share(tree.compartment),
    radiusMm: memory.share(tree.radiusMm),
    lengthMm: memory.share(tree.lengthMm),
    territoryMl: memory.share(tree.territoryMl),
    terminalPressurePa: memory.share(tree.terminalPressurePa),
    proximalMm: memory.share(tree.proximalMm),
    distalMm: memory.share(tree.distalMm),
    passFraction: context.passFraction,
    maxDiameterUm: context.maxDiameterUm,
    pathCdf: context.pathCdf,
    lodgeCompartment: context.lodgeCompartment,
    territoryBelow: context.territoryBelow,
    shuntFraction: context.shuntFraction,
    isCutRoot: context.isCutRoot,
    resistance0: state.resistance0,
    resistance: state.resistance,
    conductance: state.eq.conductance,
    pressurePa: state.eq.pressurePa,
    lodged: state.lodged,
    capacity: state.capacity,
    flow: state.flow,
    distalPressurePa: state.distalPressurePa,
    split0: memory.float64(n),
    reach: r.feedback ? memory.float64(n) : null,
    batchLodged: memory.float64(n),
    scratch: memory.float64(n),
    totals: memory.float64(n),
    clusterUp: memory.int32(n),
    clusterSize: memory.float64(n),
    segmentLodged: memory.uint32(n),
    terminalSegments: memory.share(treeFacts(tree).terminalSegments),
    terminalCounts: memory.uint32(treeFacts(tree).terminalSegments.length),
  };
  const s: SubtreeScalars = {
    seed,
    entry,
    compartments: nComp,
    diameterUm: r.diameterUm,
    viscosityPaS: tree.params.viscosityPaS,
    capacitySpheres: r.capacity,
    capacitySpheresPerMl: r.capacityPerMl,
    bias: r.bias,
    noiseConcentration: r.noise,
    feedback: r.feedback,
    clusterDistanceMm: r.clusterDistanceMm,
    maxDepth: state.maxDepth,
  };
  const work = (pass: SubtreePass, roots: Int32Array, batch = 0, spheres: Float64Array | null = null): SubtreeWork => ({ pass, arrays: a, scalars: s, batch, roots, spheres });
  // The serial part: segments outside the cut subtrees, as pre-order ranges; `inEntry` clamps
  // them to the injected subtree. Top-down sweeps run them before the subtrees, bottom-up after.
  const forOutsideRanges = (inEntry: boolean, descending: boolean, visit: (first: number, end: number) => void): void => {
    const pairs = outsideCut.length / 2;
    for (let q = 0; q < pairs; q++) {
      const p = descending ? pairs - 1 - q : q;
      const lo = inEntry ? Math.max(outsideCut[2 * p], entry) : outsideCut[2 * p];
      const hi = inEntry ? Math.min(outsideCut[2 * p + 1], entryEnd) : outsideCut[2 * p + 1];
      if (lo < hi) visit(lo, hi);
    }
  };

  // Baseline: size exclusion within the injected subtree, resistances, capacities, equivalents.
  const coefficient = poiseuilleCoefficient(s.viscosityPaS);
  if (r.diameterUm !== null) {
    const cdf = diameterCdf(r.diameterUm);
    const maxUm = r.diameterUm.max;
    const x = a as SizeExclusionArrays;
    forOutsideRanges(true, false, (lo, hi) => sizeExclusionRange(x, cdf, maxUm, entry, lo, hi));
  }
  forOutsideRanges(false, false, (lo, hi) => baselineFlowRange(a, coefficient, r.capacity, r.capacityPerMl, lo, hi));
  yield { work: work("prepare", cutRoots), progress: null };
  forOutsideRanges(false, true, (lo, hi) => {
    lodgeCompartmentRange(a, lo, hi);
    reduceRange(a, a, a.resistance, null, lo, hi);
  });

  const path = new Int32Array(state.maxDepth + 1);
  /** Flows and splits (and with feedback the expected lodging ratio) under the current loads. */
  function* solve(batch: number): Generator<TransportStep, { entryFlow: number; maxExpected: number }, SubtreeResult> {
    const start = entrySplitStart(a, state, context, path, r.lsf);
    let max = 0;
    forOutsideRanges(true, false, (lo, hi) => {
      const e = splitRange(a, r.bias, lo, hi, entry, start.proximalPa);
      if (e > max) max = e;
    });
    const below = yield { work: work("splits", cutRoots, batch), progress: null };
    return { entryFlow: start.flow, maxExpected: below.maxExpected > max ? below.maxExpected : max };
  }
  let flows = yield* solve(0);
  const baselineEntryFlow = flows.entryFlow;
  const recorder = createRecorder(tree, context, () => baselineEntryFlow);
  const counts = recorder.counts;
  const cascade = cascadeArraysOf(a, r.noise, r.lsf);
  const cutArrivals = new Float64Array(n);
  const topTouched: TouchedList = { segments: new Int32Array(entryEnd - entry), count: 0 };
  const reached = new Uint8Array(cutRoots.length);
  let injected = 0;
  let batches = 0;
  let refluxStartedAt: number | null = null;
  while (injected < r.spheres) {
    let batchSize = r.spheres - injected;
    if (!r.feedback && r.timelinePoints > 1) batchSize = Math.min(batchSize, Math.ceil(r.spheres / r.timelinePoints));
    if (r.feedback) {
      if (batches > 0) flows = yield* solve(batches);
      const entryFlow = flows.entryFlow;
      if (!(entryFlow >= r.refluxThreshold * baselineEntryFlow) || entryFlow <= 0) {
        refluxStartedAt = injected;
        counts[nComp + 1] += r.spheres - injected;
        injected = r.spheres;
        recorder.record(injected, entryFlow);
        break;
      }
      if (r.batchSpheres > 0) {
        batchSize = Math.min(batchSize, r.batchSpheres);
      } else {
        // maxExpected = max_j e_j / C_j: B ≤ tol / max keeps every B·e_j/C_j ≤ tol.
        const adaptive = flows.maxExpected > 0 ? Math.floor(r.tolerance / flows.maxExpected) : batchSize;
        batchSize = Math.min(batchSize, Math.max(1, adaptive));
      }
    }
    // The top unit (lung shunt, cascade down to the cut roots) here; its lodgings are settled
    // before the subtrees run, so a cut root's load is complete when its subtree re-solves.
    topTouched.count = 0;
    let lung = runCascadeUnit(a.batchLodged, cutArrivals, a.scratch, cascade, { batch: batches, root: entry, spheres: batchSize, top: true }, seed, topTouched);
    settleLodged(a, r.feedback, topTouched, counts);
    const roots: number[] = [];
    const spheres: number[] = [];
    for (let k = 0; k < cutRoots.length; k++) {
      const arriving = cutArrivals[cutRoots[k]];
      if (arriving === 0) continue;
      cutArrivals[cutRoots[k]] = 0;
      roots.push(cutRoots[k]);
      spheres.push(arriving);
      reached[k] = 1;
    }
    const below = yield {
      work: work("cascade", Int32Array.from(roots), batches, Float64Array.from(spheres)),
      progress: { spheresInjected: injected + batchSize, spheresTotal: r.spheres, batches: batches + 1 },
    };
    lung += below.lung;
    counts[nComp] += lung;
    for (let c = 0; c < nComp; c++) counts[c] += below.counts[c];
    if (r.feedback) {
      // The subtrees re-solved themselves; the cut roots (loaded by the top unit), the top and the
      // path above the entry follow.
      for (let k = 0; k < cutRoots.length; k++) reduceRange(a, a, a.resistance, null, cutRoots[k], cutRoots[k] + 1);
      forOutsideRanges(true, true, (lo, hi) => reduceRange(a, a, a.resistance, null, lo, hi));
      for (let i = a.parent[entry]; i >= 0; i = a.parent[i]) reduceRange(a, a, a.resistance, null, i, i + 1);
    }
    injected += batchSize;
    batches++;
    recorder.record(injected, flows.entryFlow);
  }

  // Counts and clusters: within the subtrees that received spheres, then the top here (with the
  // cut roots no sphere passed, which may hold spheres the top unit wedged at their inlets), and
  // the clusters joined across the cut.
  const below = yield { work: work("finish", cutRoots.filter((_, k) => reached[k] === 1)), progress: null };
  forOutsideRanges(true, false, (lo, hi) => finishCounts(a, lo, hi));
  for (let k = 0; k < cutRoots.length; k++) if (reached[k] === 0) finishCounts(a, cutRoots[k], cutRoots[k] + 1);
  const forest: ClusterForest = { up: a.clusterUp, size: a.clusterSize, offset: 0 };
  const maxSq = r.clusterDistanceMm * r.clusterDistanceMm;
  forOutsideRanges(true, false, (lo, hi) => initClusters(forest, a.totals, lo, hi));
  for (let k = 0; k < cutRoots.length; k++) if (reached[k] === 0) initClusters(forest, a.totals, cutRoots[k], cutRoots[k] + 1);
  forOutsideRanges(true, false, (lo, hi) => joinClusters(forest, a, a.totals, maxSq, entry, lo, hi));
  for (const root of cutRoots) joinClusters(forest, a, a.totals, maxSq, entry, root, root + 1);
  const seen = new Set<number>();
  const collect = (j: number): void => {
    if (a.totals[j] === 0) return;
    const rootOfCluster = clusterRoot(forest, j);
    if (seen.has(rootOfCluster)) return;
    seen.add(rootOfCluster);
    const size = a.clusterSize[rootOfCluster];
    below.clusters.set(size, (below.clusters.get(size) ?? 0) + 1);
  };
  forOutsideRanges(true, false, (lo, hi) => {
    for (let j = lo; j < hi; j++) collect(j);
  });
  for (const root of cutRoots) collect(root);
  const lodged = { terminalSegments: a.terminalSegments.slice(), terminalCounts: a.terminalCounts, segmentLodged: a.segmentLodged };
  return assembleResult(context, r, seed, lodged, recorder, sortedHistogram(below.clusters), refluxStartedAt, batches, options);
}

function assembleResult(
  context: TransportContext,
  r: Resolved,
  seed: number,
  lodged: Pick<TransportResult, "terminalSegments" | "terminalCounts" | "segmentLodged">,
  recorder: { readonly keys: string[]; readonly counts: Float64Array; readonly timeline: TimelinePoint[] },
  histogram: ClusterHistogram,
  refluxStartedAt: number | null,
  batches: number,
  options: TransportOptions,
): TransportResult {
  const tree = context.tree;
  return {
    seed,
    algorithm: r.algorithm,
    spheresInjected: r.spheres,
    spheres: spheresRecord(recorder.keys, recorder.counts),
    ...lodged,
    tumourToNormalRatio: tumourToNormalRatio(recorder.counts, context.perfusedVolumeMl),
    clusters: { distanceMm: r.clusterDistanceMm, histogram },
    stasis: refluxStartedAt !== null,
    refluxStartedAtSpheres: refluxStartedAt,
    batches,
    timeline: recorder.timeline,
    provenance: {
      model: "flow-following split with bias s toward the major daughter; binomial cascade (exact BTPE/inversion binomials)",
      bias: r.bias,
      noiseConcentration: r.noise,
      lungShuntFraction: r.lsf,
      sizeExclusion: r.diameterUm,
      embolic: r.feedback
        ? { capacitySpheres: r.capacity, capacitySpheresPerMl: r.capacityPerMl, batchTolerance: r.tolerance, batchSpheres: r.batchSpheres, refluxThresholdFraction: r.refluxThreshold }
        : null,
      cutDepth: r.cutDepth,
      activityPerSphereBq: options.activityPerSphereBq ?? null,
      viscosityPaS: tree.params.viscosityPaS,
      inletPressurePa: tree.params.inletPressurePa,
    },
  };
}

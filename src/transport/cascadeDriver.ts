/**
 * The cascade driver: batches of the binomial cascade with embolic feedback between them, every
 * pass over the tree split at the cut (src/transport/subtrees.ts). A generator: it yields each pass
 * over the cut subtrees for its caller to run and resumes with the summed result; the part of the
 * tree above the cut it runs itself.
 */
import type { ArterialTree } from "../vascular/tree.js";
import { poiseuilleCoefficient, reduceRange, updatePathToRoot } from "../vascular/hemodynamics.js";
import {
  allocateTransportContext,
  cutOf,
  diameterCdf,
  lodgeCompartmentRange,
  sizeExclusionRange,
  treeFacts,
  type SizeExclusionArrays,
  type TransportMemory,
} from "./context.js";
import { runCascadeUnit, STREAM_DEPTH, type TouchedList } from "./cascade.js";
import { BATCH_GROUP_DEPTH } from "./embolicLoad.js";
import { allocateFlowState, baselineFlowRange, entrySplitStart, NO_GROUPS, splitRange } from "./flowSolve.js";
import { clusterRoot, initClusters, joinClusters, sortedHistogram, type ClusterForest } from "./clusters.js";
import {
  cascadeArraysOf,
  finishCounts,
  settleLodged,
  type SubtreeArrays,
  type SubtreePass,
  type SubtreeResult,
  type SubtreeScalars,
  type SubtreeWork,
} from "./subtrees.js";
import { assembleResult, createRecorder } from "./record.js";
import type { TransportResult } from "./result.js";
import type { Resolved, TransportOptions, TransportStep } from "./simulate.js";

export function* runCascadeDriver(
  tree: ArterialTree,
  r: Resolved,
  seed: number,
  options: TransportOptions,
  memory: TransportMemory,
): Generator<TransportStep, TransportResult, SubtreeResult> {
  const n = tree.segmentCount;
  const nComp = tree.compartmentNames.length;
  const context = allocateTransportContext(tree, r.entry, r.diameterUm, r.shunt, r.cutDepth, memory, r.wedgeCompartment);
  const state = allocateFlowState(tree, memory);
  const { entry, entryEnd, cutRoots, outsideCut } = context;
  // Rule "subtree" sums each batch group in one loop of the flow solve (flowSolve.ts splitRange):
  // that pass is cut no deeper than the groups (it draws nothing: its cut changes no number).
  const grouped = r.feedback && r.batchRule === "subtree";
  const splitsCut = grouped && r.cutDepth > BATCH_GROUP_DEPTH ? cutOf(tree, entry, BATCH_GROUP_DEPTH) : { roots: cutRoots, outside: outsideCut };
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
    flowMlPerMin: memory.share(tree.flowMlPerMin),
    terminalPressurePa: memory.share(tree.terminalPressurePa),
    proximalMm: memory.share(tree.proximalMm),
    distalMm: memory.share(tree.distalMm),
    passFraction: context.passFraction,
    maxDiameterUm: context.maxDiameterUm,
    pathCdf: context.pathCdf,
    lodgeCompartment: context.lodgeCompartment,
    territoryBelow: context.territoryBelow,
    wedgeCompartment: context.wedgeCompartment,
    shuntFraction: context.shuntFraction,
    isCutRoot: context.isCutRoot,
    resistance0: state.resistance0,
    resistance: state.resistance,
    conductance: state.eq.conductance,
    pressurePa: state.eq.pressurePa,
    lodged: state.lodged,
    capacity: state.capacity,
    chokeShare: state.chokeShare,
    chokeLinear: state.chokeLinear,
    flow: state.flow,
    distalPressurePa: state.distalPressurePa,
    split0: memory.float64(n),
    splitOdds: memory.share(r.splitOdds),
    reach: r.feedback ? memory.float64(n) : null,
    batchLodged: memory.float64(n),
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
    capacity: r.capacity,
    bias: r.bias,
    noiseConcentration: r.noise,
    feedback: r.feedback,
    batchRule: r.batchRule,
    streamGeneration: tree.generation[entry] + STREAM_DEPTH,
    groupGeneration: grouped ? tree.generation[entry] + BATCH_GROUP_DEPTH : NO_GROUPS,
    clusterDistanceMm: r.clusterDistanceMm,
    maxDepth: state.maxDepth,
  };
  const work = (pass: SubtreePass, roots: Int32Array, batch = 0, spheres: Float64Array | null = null): SubtreeWork => ({ pass, arrays: a, scalars: s, batch, roots, spheres });
  // The serial part: segments outside the cut subtrees (`outside`: a cut's [first, end) pairs,
  // default the work-unit cut), as pre-order ranges; `inEntry` clamps them to the injected subtree.
  // Top-down sweeps run them before the subtrees, bottom-up after.
  const forOutsideRanges = (inEntry: boolean, descending: boolean, visit: (first: number, end: number) => void, outside = outsideCut): void => {
    const pairs = outside.length / 2;
    for (let q = 0; q < pairs; q++) {
      const p = descending ? pairs - 1 - q : q;
      const lo = inEntry ? Math.max(outside[2 * p], entry) : outside[2 * p];
      const hi = inEntry ? Math.min(outside[2 * p + 1], entryEnd) : outside[2 * p + 1];
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
  forOutsideRanges(false, false, (lo, hi) => baselineFlowRange(a, coefficient, r.capacity, lo, hi));
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
    forOutsideRanges(
      true,
      false,
      (lo, hi) => {
        const e = splitRange(a, lo, hi, entry, start.proximalPa, s.groupGeneration);
        if (e > max) max = e;
      },
      splitsCut.outside,
    );
    const below = yield { work: work("splits", splitsCut.roots, batch), progress: null };
    return { entryFlow: start.flow, maxExpected: below.maxExpected > max ? below.maxExpected : max };
  }
  let flows = yield* solve(0);
  const baselineEntryFlow = flows.entryFlow;
  const recorder = createRecorder(tree, context, baselineEntryFlow);
  const counts = recorder.counts;
  const cascade = cascadeArraysOf(a, s.streamGeneration, r.noise, r.lsf);
  const cutArrivals = new Float64Array(n);
  // The top unit lodges in the segments above the cut and at the cut roots' inlets only.
  let topSegments = cutRoots.length;
  forOutsideRanges(true, false, (lo, hi) => (topSegments += hi - lo));
  const topTouched: TouchedList = { segments: new Int32Array(topSegments), count: 0 };
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
        // maxExpected (embolicLoad.ts): rule "vessel", max_j e_j / C_j over every segment, so
        // B ≤ tol / max keeps every B·e_j/C_j ≤ tol; rule "subtree", the same per segment above the
        // batch groups (BATCH_GROUP_DEPTH generations below the entry, whatever the work-unit cut)
        // and the largest sphere-weighted drift per sphere of a group.
        const adaptive = flows.maxExpected > 0 ? Math.floor(r.tolerance / flows.maxExpected) : batchSize;
        batchSize = Math.min(batchSize, Math.max(1, adaptive));
      }
    }
    // The top unit (lung shunt, cascade down to the cut roots) here; its lodgings are settled
    // before the subtrees run, so a cut root's load is complete when its subtree re-solves.
    topTouched.count = 0;
    let lung = runCascadeUnit(a.batchLodged, cutArrivals, cascade, { batch: batches, root: entry, spheres: batchSize, top: true }, seed, topTouched);
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
      updatePathToRoot(a, a, a.resistance, null, a.parent[entry]);
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


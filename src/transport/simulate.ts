/**
 * simulateTransport: inject a treatment's spheres at a segment of the tree and return where they
 * lodged. Algorithms: "cascade" (binomial cascade, batched with flow re-solves between batches
 * when embolic feedback is on) and "walk" (per-sphere reference walk, exact feedback).
 */
import type { ArterialTree } from "../vascular/tree.js";
import { InputError, checkRange } from "../errors.js";
import type { TruncatedNormalParameters } from "../random/truncatedNormal.js";
import { cascadeArrays, createTransportContext, type TransportContext } from "./context.js";
import { runCascadeUnit, type CascadeArrays, type TouchedList } from "./cascade.js";
import {
  addLodged,
  createFlowState,
  resolveChanged,
  solveSplits,
  type ExpectedLodgingOutput,
  type FlowState,
} from "./embolic.js";
import { compartmentShuntFractions } from "./lung.js";
import { clusterHistogram } from "./clusters.js";
import { runWalk } from "./walk.js";
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

/** Per-run working arrays of the cascade driver (all per segment). */
export interface CascadeWorkspace {
  readonly batchLodged: Float64Array;
  /** Segments whose batchLodged went from 0 to > 0 in this batch (the first `count` entries). */
  readonly touched: TouchedList;
  readonly cutArrivals: Float64Array;
  readonly scratch: Float64Array;
}

export function createCascadeWorkspace(segmentCount: number, allocate: Float64Allocator = (length) => new Float64Array(length)): CascadeWorkspace {
  return {
    batchLodged: allocate(segmentCount),
    touched: { segments: new Int32Array(segmentCount), count: 0 },
    cutArrivals: new Float64Array(segmentCount),
    scratch: allocate(segmentCount),
  };
}

/**
 * Run every work unit of one batch inline: the top unit, then each cut subtree that received
 * spheres, in pre-order (any order gives the same counts). Adds into workspace.batchLodged and
 * returns the spheres shunted to the lungs.
 */
export function runCascadeBatch(
  workspace: CascadeWorkspace,
  arrays: CascadeArrays,
  entry: number,
  cutRoots: Int32Array,
  batch: number,
  spheres: number,
  seed: number,
): number {
  const { batchLodged, cutArrivals, scratch, touched } = workspace;
  let lung = runCascadeUnit(batchLodged, cutArrivals, scratch, arrays, { batch, root: entry, spheres, top: true }, seed, touched);
  for (let k = 0; k < cutRoots.length; k++) {
    const root = cutRoots[k];
    const n = cutArrivals[root];
    if (n === 0) continue;
    cutArrivals[root] = 0;
    lung += runCascadeUnit(batchLodged, cutArrivals, scratch, arrays, { batch, root, spheres: n, top: false }, seed, touched);
  }
  return lung;
}

/** Simulate the injection of `options.spheres` spheres into `tree` with random seed `seed`. */
export function simulateTransport(tree: ArterialTree, options: TransportOptions, seed: number): TransportResult {
  const steps = transportSteps(tree, options, seed);
  let step = steps.next();
  while (!step.done) {
    const b = step.value;
    step = steps.next(runCascadeBatch(b.workspace, b.arrays, b.entry, b.cutRoots, b.batch, b.spheres, seed));
  }
  return step.value;
}

/**
 * One cascade batch the driver needs run: all its work units, adding into `workspace.batchLodged`
 * and `workspace.touched` exactly as runCascadeBatch does. The driver resumes with the number of
 * spheres shunted to the lungs. Between batches the driver updates `arrays.split0` in place
 * (embolic feedback), so a runner on other threads must see that array, not a copy.
 */
export interface CascadeBatchStep {
  readonly workspace: CascadeWorkspace;
  readonly arrays: CascadeArrays;
  readonly entry: number;
  readonly cutRoots: Int32Array;
  readonly batch: number;
  readonly spheres: number;
  /** Spheres injected before this batch, and in total (for progress lines). */
  readonly injectedBefore: number;
  readonly totalSpheres: number;
}

/** Per-segment float64 arrays of the driver that work units read or write (split0, workspace). */
export type Float64Allocator = (length: number) => Float64Array;

/**
 * The transport driver as a generator: it yields each cascade batch for the caller to run (inline
 * in simulateTransport, on worker threads in src/parallel/transport.ts) and returns the result.
 * `allocate` places split0 and the workspace arrays (SharedArrayBuffer for workers).
 */
export function* transportSteps(
  tree: ArterialTree,
  options: TransportOptions,
  seed: number,
  allocate: Float64Allocator = (length) => new Float64Array(length),
): Generator<CascadeBatchStep, TransportResult, number> {
  checkRange("seed", seed, 0, Number.MAX_SAFE_INTEGER);
  if (!Number.isInteger(seed)) throw new InputError("seed", `seed must be a non-negative integer, got ${seed}`);
  const r = resolveOptions(tree, options);
  const n = tree.segmentCount;
  const context = createTransportContext(tree, r.entry, r.diameterUm, r.shunt, r.cutDepth);
  const state = createFlowState(tree, r.capacity, r.capacityPerMl);
  const path = new Int32Array(state.maxDepth + 1);
  const split0 = allocate(n);
  const baselineEntryFlow = solveSplits(split0, state, context, r.bias, path);
  const keys = compartmentKeys(tree.compartmentNames);
  const nComp = tree.compartmentNames.length;
  const counts = new Float64Array(nComp + 2); // compartments…, lung, reflux
  const totals = new Float64Array(n);
  const timeline: TimelinePoint[] = [];
  let injected = 0;
  let stasis = false;
  let refluxStartedAt: number | null = null;
  let batches = 0;
  const record = (entryFlow: number) => {
    timeline.push({
      spheresInjected: injected,
      spheres: spheresRecord(keys, counts),
      tumourToNormalRatio: tumourToNormalRatio(counts, context.perfusedVolumeMl),
      entryFlowFraction: baselineEntryFlow > 0 ? entryFlow / baselineEntryFlow : 0,
    });
  };

  if (r.algorithm === "walk") {
    const walkLodged = new Float64Array(n);
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
        stasis = true;
        refluxStartedAt = outcome.refluxStartedAt;
        counts[nComp + 1] += r.spheres - injected;
        injected = r.spheres;
        record(solveSplits(split0, state, context, r.bias, path));
        break;
      }
      record(r.feedback ? solveSplits(split0, state, context, r.bias, path) : baselineEntryFlow);
    }
  } else {
    yield* runCascadeDriver();
  }

  function* runCascadeDriver(): Generator<CascadeBatchStep, void, number> {
    const workspace = createCascadeWorkspace(n, allocate);
    const arrays = cascadeArrays(context, split0, r.noise, r.lsf);
    const lodging: ExpectedLodgingOutput | null = r.feedback
      ? { reach: new Float64Array(n), lungShuntFraction: r.lsf, max: 0 }
      : null;
    if (lodging !== null) solveSplits(split0, state, context, r.bias, path, lodging);
    const changed = r.feedback ? new Int32Array(n) : null;
    let entryFlow = baselineEntryFlow;
    while (injected < r.spheres) {
      let batchSize = r.spheres - injected;
      if (!r.feedback && r.timelinePoints > 1) batchSize = Math.min(batchSize, Math.ceil(r.spheres / r.timelinePoints));
      if (r.feedback) {
        if (batches > 0) entryFlow = solveSplits(split0, state, context, r.bias, path, lodging);
        if (!(entryFlow >= r.refluxThreshold * baselineEntryFlow) || entryFlow <= 0) {
          stasis = true;
          refluxStartedAt = injected;
          counts[nComp + 1] += r.spheres - injected;
          injected = r.spheres;
          record(entryFlow);
          break;
        }
        if (r.batchSpheres > 0) {
          batchSize = Math.min(batchSize, r.batchSpheres);
        } else {
          const maxExpected = (lodging as ExpectedLodgingOutput).max;
          // maxExpected = max_j e_j / C_j: B ≤ tol / max keeps every B·e_j/C_j ≤ tol.
          const adaptive = maxExpected > 0 ? Math.floor(r.tolerance / maxExpected) : batchSize;
          batchSize = Math.min(batchSize, Math.max(1, adaptive));
        }
      }
      counts[nComp] += yield {
        workspace,
        arrays,
        entry: r.entry,
        cutRoots: context.cutRoots,
        batch: batches,
        spheres: batchSize,
        injectedBefore: injected,
        totalSpheres: r.spheres,
      };
      let changedCount = 0;
      const batchLodged = workspace.batchLodged;
      const touched = workspace.touched;
      for (let k = 0; k < touched.count; k++) {
        const j = touched.segments[k];
        const b = batchLodged[j];
        if (b === 0) continue;
        batchLodged[j] = 0;
        totals[j] += b;
        counts[context.lodgeCompartment[j]] += b;
        if (changed !== null) {
          addLodged(state, j, b);
          changed[changedCount++] = j;
        }
      }
      touched.count = 0;
      if (changed !== null) resolveChanged(state, tree, changed, changedCount);
      injected += batchSize;
      batches++;
      record(entryFlow);
    }
  }

  return assembleResult(tree, context, state, r, seed, totals, counts, keys, timeline, stasis, refluxStartedAt, batches, options);
}

function assembleResult(
  tree: ArterialTree,
  context: TransportContext,
  state: FlowState,
  r: Resolved,
  seed: number,
  totals: Float64Array,
  counts: Float64Array,
  keys: string[],
  timeline: TimelinePoint[],
  stasis: boolean,
  refluxStartedAt: number | null,
  batches: number,
  options: TransportOptions,
): TransportResult {
  const n = tree.segmentCount;
  let terminals = 0;
  for (let j = 0; j < n; j++) if (tree.child0[j] < 0) terminals++;
  const terminalSegments = new Int32Array(terminals);
  const terminalCounts = new Uint32Array(terminals);
  for (let j = 0, t = 0; j < n; j++) {
    if (tree.child0[j] >= 0) continue;
    terminalSegments[t] = j;
    terminalCounts[t++] = totals[j];
  }
  const segmentLodged = Uint32Array.from(totals);
  void state;
  return {
    seed,
    algorithm: r.algorithm,
    spheresInjected: r.spheres,
    spheres: spheresRecord(keys, counts),
    terminalSegments,
    terminalCounts,
    segmentLodged,
    tumourToNormalRatio: tumourToNormalRatio(counts, context.perfusedVolumeMl),
    clusters: {
      distanceMm: r.clusterDistanceMm,
      histogram: clusterHistogram(tree, segmentLodged, r.clusterDistanceMm, context.entry, context.entryEnd),
    },
    stasis,
    refluxStartedAtSpheres: refluxStartedAt,
    batches,
    timeline,
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

/**
 * simulateTransport: inject a treatment's spheres at a segment of the tree and return where they
 * lodged. Algorithms: "cascade" (binomial cascade, batched with flow re-solves between batches
 * when embolic feedback is on) and "walk" (per-sphere reference walk, exact feedback).
 */
import type { ArterialTree } from "../vascular/tree.js";
import { InputError, checkRange } from "../errors.js";
import type { TruncatedNormalParameters } from "../random/truncatedNormal.js";
import { LOCAL_MEMORY, createTransportContext, treeFacts, type TransportMemory } from "./context.js";
import { createFlowState, solveSplits } from "./flowSolve.js";
import { compartmentShuntFractions } from "./lung.js";
import { clusterHistogram } from "./clusters.js";
import { runWalk } from "./walk.js";
import { runSubtreeWork, type SubtreeResult, type SubtreeWork } from "./subtrees.js";
import { runCascadeDriver } from "./cascadeDriver.js";
import { resolveCapacity, type CapacityModel } from "./models/capacity.js";
import { PRODUCTS } from "../physics/products.js";
import { HETEROGENEITY_MODEL_NAMES, resolveHeterogeneity, splitOdds, type HeterogeneityModel, type HeterogeneityOptions } from "./models/heterogeneity.js";
import { assembleResult, createRecorder } from "./record.js";
import { productDiameterUm } from "./population.js";
import type { TransportResult } from "./result.js";
import { EMBOLIC_DEFAULTS as E, EMBOLIC_RANGES as ER, SUBTERMINAL_RANGES, TRANSPORT_DEFAULTS as T, TRANSPORT_RANGES as TR } from "./defaults.js";

/** Capacity model's sphere size when the run has none (no size exclusion, no product): resin's. */
const RESIN_DIAMETER_UM: TruncatedNormalParameters = productDiameterUm(PRODUCTS["sir-spheres"]);

export interface EmbolicOptions {
  /** Lodged spheres choke their vessel and flows are re-solved. Default false. */
  readonly enabled?: boolean;
  /**
   * Length of a stopping site's feeding vessel that spheres fill (single file) before it is
   * occluded, mm: the capacity model's calibrated number (models/capacity.ts). Default 1.24
   * (defaults.ts).
   */
  readonly plugLengthMm?: number;
  /** Portal tracts per mg of tissue: the most stopping sites a terminal's subtree ends in. Default 1 (reference anatomy). */
  readonly portalTractsPerMg?: number;
  /** Sphere diameters for the capacity model, µm; default: those of size exclusion, else resin 32 ± 10. */
  readonly sphereDiameterUm?: TruncatedNormalParameters | null;
  /** Numerical override: every vessel plugs at this many spheres; null = from geometry. Default null. */
  readonly capacitySpheres?: number | null;
  /** Numerical override: a terminal's unresolved subtree holds this many spheres per mL; null = from geometry. Default null. */
  readonly capacitySpheresPerMl?: number | null;
  /** Adaptive batch size: the largest flow drift within a batch that batchRule allows, fraction (default 0.01: src/transport/defaults.ts). */
  readonly batchTolerance?: number;
  /**
   * What batchTolerance bounds (embolicLoad.ts): "subtree" (default), the sphere-weighted drift of
   * the vessels' flows within every subtree BATCH_GROUP_DEPTH (6) generations below the entry;
   * "vessel", every vessel's own conductance change.
   */
  readonly batchRule?: "subtree" | "vessel";
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
  /** Walrand bias s: odds s/(1 − s) for one daughter per bifurcation, chosen at random once per tree (heterogeneity model "walrand-bias"). Default 0.5. */
  readonly bias?: number;
  /** Perfusion heterogeneity model (models/heterogeneity.ts). Default TRANSPORT_DEFAULTS.heterogeneityModel, "fractal" ("walrand-bias" when bias ≠ 0.5). */
  readonly heterogeneity?: HeterogeneityOptions;
  /** Beta streamline-noise concentration κ per bifurcation and batch; 0 = none. Default 0. */
  readonly noiseConcentration?: number;
  /** Whole-injection lung shunt fraction. Default 0. */
  readonly lungShuntFraction?: number;
  /** Intratumoral AV shunt fraction by tumour name. Default {}. */
  readonly tumourShuntFractions?: Readonly<Record<string, number>>;
  readonly embolic?: EmbolicOptions;
  /** "cascade" (default) or "walk" (per-sphere reference). */
  readonly algorithm?: "cascade" | "walk";
  /** Generations below the entry where the cascade is cut into work units (splits work only: bit-identical results up to STREAM_DEPTH 9, cascade.ts). Default 6. */
  readonly cutDepth?: number;
  /** Lodging points of connected vessels within this distance form one cluster, mm. Default 0. */
  readonly clusterDistanceMm?: number;
  /** Without feedback: split the injection into this many equal batches for the timeline. Default 10 (defaults.ts). */
  readonly timelinePoints?: number;
  /** Activity per sphere, Bq, reported in provenance only. */
  readonly activityPerSphereBq?: number;
  /**
   * Per segment, the compartment of the tissue at a non-terminal segment's proximal point, where
   * the spheres wedged at its inlet sit (positions.ts wedgeCompartments; −1: no perfused
   * compartment): their lodgings count for it (−1, or a compartment the injection perfuses
   * nothing of: what the larger-territory daughter's count for; context.ts lodgeCompartmentRange).
   * Without it (no domain), every non-terminal by its larger-territory daughter. Not mutated.
   */
  readonly wedgeCompartment?: Int32Array | null;
}

/** The options with their defaults, validated (what the drivers read). */
export interface Resolved {
  spheres: number;
  entry: number;
  diameterUm: TruncatedNormalParameters | null;
  bias: number;
  heterogeneity: HeterogeneityModel;
  /** Fixed odds multiplier of child0 at every bifurcation (from the heterogeneity model). */
  splitOdds: Float64Array;
  noise: number;
  lsf: number;
  shunt: Float64Array;
  feedback: boolean;
  capacity: CapacityModel;
  tolerance: number;
  batchRule: "subtree" | "vessel";
  batchSpheres: number;
  refluxThreshold: number;
  algorithm: "cascade" | "walk";
  cutDepth: number;
  clusterDistanceMm: number;
  timelinePoints: number;
  wedgeCompartment: Int32Array | null;
}

/** The options with their defaults (defaults.ts), validated; exported for the defaults test. */
export function resolveOptions(tree: ArterialTree, o: TransportOptions): Resolved {
  const e = o.embolic ?? {};
  if (!Number.isSafeInteger(o.spheres) || o.spheres < 0 || o.spheres > 2 ** 32 - 1) {
    throw new InputError("spheres", `spheres must be an integer in [0, ${2 ** 32 - 1}], got ${o.spheres}`);
  }
  const entry = o.entrySegment ?? 0;
  if (!Number.isInteger(entry) || entry < 0 || entry >= tree.segmentCount) {
    throw new InputError("entrySegment", `entrySegment must be an integer in [0, ${tree.segmentCount - 1}], got ${entry}`);
  }
  const algorithm = o.algorithm ?? T.algorithm;
  if (algorithm !== "cascade" && algorithm !== "walk") {
    throw new InputError("algorithm", `algorithm must be "cascade" or "walk", got ${JSON.stringify(algorithm)}`);
  }
  const noise = checkRange("noiseConcentration", o.noiseConcentration ?? T.streamlineNoiseConcentration, TR.streamlineNoiseConcentration.min, TR.streamlineNoiseConcentration.max);
  if (algorithm === "walk" && noise > 0) {
    throw new InputError("noiseConcentration", "noiseConcentration must be 0 with algorithm \"walk\" (noise is a property of a cascade batch)");
  }
  const bias = checkRange("bias", o.bias ?? T.bias, TR.bias.min, TR.bias.max, TR.bias);
  const heterogeneity = resolveHeterogeneity(o.heterogeneity, bias);
  const h = o.heterogeneity ?? {};
  if (h.model !== undefined && !HETEROGENEITY_MODEL_NAMES.includes(h.model)) {
    throw new InputError("heterogeneity.model", `heterogeneity.model must be one of ${HETEROGENEITY_MODEL_NAMES.map((m) => JSON.stringify(m)).join(", ")}, got ${JSON.stringify(h.model)}`);
  }
  if ((h.model === "custom") !== (h.splitOdds !== undefined) && !(h.model === undefined && h.splitOdds !== undefined)) {
    throw new InputError("heterogeneity.splitOdds", "heterogeneity.splitOdds is given with model \"custom\" (and only then)");
  }
  if (h.splitOdds !== undefined && (h.splitOdds.length !== tree.segmentCount || h.splitOdds.some((w) => !(w > 0 && Number.isFinite(w))))) {
    throw new InputError("heterogeneity.splitOdds", `heterogeneity.splitOdds must hold ${tree.segmentCount} positive finite odds (one per segment)`);
  }
  if (heterogeneity.model !== "walrand-bias" && bias !== 0.5) {
    throw new InputError("bias", `bias ${bias} applies to the "walrand-bias" heterogeneity model only (model is "${heterogeneity.model}")`);
  }
  checkRange("heterogeneity.relativeDispersionAt1g", heterogeneity.relativeDispersionAt1g, 0, 10);
  checkRange("heterogeneity.fractalDimension", heterogeneity.fractalDimension, 1, 1.5, { maxOpen: true });
  checkRange("heterogeneity.seed", heterogeneity.seed, 0, 0xffffffff);
  if (!Number.isInteger(heterogeneity.seed)) throw new InputError("heterogeneity.seed", `heterogeneity.seed must be an integer, got ${heterogeneity.seed}`);
  checkRange("heterogeneity.unitMassMg", heterogeneity.unitMassMg, SUBTERMINAL_RANGES.unitMassMg.min, SUBTERMINAL_RANGES.unitMassMg.max);
  // Validated here; the context keeps a copy restricted to the compartments the entry perfuses.
  const wedgeCompartment = o.wedgeCompartment ?? null;
  if (wedgeCompartment !== null) {
    const compartments = tree.compartmentNames.length;
    if (!(wedgeCompartment instanceof Int32Array) || wedgeCompartment.length !== tree.segmentCount || wedgeCompartment.some((c) => !(c >= -1 && c < compartments))) {
      throw new InputError("wedgeCompartment", `wedgeCompartment must be an Int32Array of ${tree.segmentCount} compartment indices in [-1, ${compartments - 1}] (one per segment)`);
    }
  }
  return {
    wedgeCompartment,
    spheres: o.spheres,
    entry,
    diameterUm: o.diameterUm ?? null,
    bias,
    heterogeneity,
    splitOdds: splitOdds(tree, heterogeneity),
    noise,
    lsf: checkRange("lungShuntFraction", o.lungShuntFraction ?? T.lungShuntFraction, TR.lungShuntFraction.min, TR.lungShuntFraction.max),
    shunt: compartmentShuntFractions(tree.compartmentNames, o.tumourShuntFractions ?? {}),
    feedback: e.enabled ?? E.enabled,
    capacity: resolveCapacity(e, o.diameterUm ?? RESIN_DIAMETER_UM, tree),
    tolerance: checkRange("embolic.batchTolerance", e.batchTolerance ?? E.batchTolerance, ER.batchTolerance.min, ER.batchTolerance.max, ER.batchTolerance),
    batchRule: batchRuleOf(e.batchRule),
    batchSpheres: checkRange("embolic.batchSpheres", e.batchSpheres ?? E.batchSpheres, ER.batchSpheres.min, ER.batchSpheres.max),
    refluxThreshold: checkRange("embolic.refluxThresholdFraction", e.refluxThresholdFraction ?? E.refluxThresholdFraction, ER.refluxThresholdFraction.min, ER.refluxThresholdFraction.max),
    algorithm,
    cutDepth: checkRange("cutDepth", o.cutDepth ?? T.cutDepth, TR.cutDepth.min, TR.cutDepth.max),
    clusterDistanceMm: checkRange("clusterDistanceMm", o.clusterDistanceMm ?? T.clusterDistanceMm, TR.clusterDistanceMm.min, TR.clusterDistanceMm.max),
    timelinePoints: checkRange("timelinePoints", o.timelinePoints ?? T.timelinePoints, TR.timelinePoints.min, TR.timelinePoints.max),
  };
}

function batchRuleOf(rule: EmbolicOptions["batchRule"]): "subtree" | "vessel" {
  const r = rule ?? E.batchRule;
  if (r !== "subtree" && r !== "vessel") throw new InputError("embolic.batchRule", `embolic.batchRule must be "subtree" or "vessel", got ${JSON.stringify(r)}`);
  return r;
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

function runWalkDriver(tree: ArterialTree, r: Resolved, seed: number, options: TransportOptions): TransportResult {
  const n = tree.segmentCount;
  const nComp = tree.compartmentNames.length;
  const context = createTransportContext(tree, r.entry, r.diameterUm, r.shunt, r.cutDepth, r.wedgeCompartment);
  const state = createFlowState(tree, r.capacity);
  const path = new Int32Array(state.maxDepth + 1);
  const split0 = new Float64Array(n);
  const baselineEntryFlow = solveSplits(split0, state, context, r.splitOdds, path);
  const recorder = createRecorder(tree, context, baselineEntryFlow);
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
      splitOdds: r.splitOdds,
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
      recorder.record(injected, solveSplits(split0, state, context, r.splitOdds, path));
      break;
    }
    recorder.record(injected, r.feedback ? solveSplits(split0, state, context, r.splitOdds, path) : baselineEntryFlow);
  }
  const segmentLodged = Uint32Array.from(totals);
  const terminalSegments = treeFacts(tree).terminalSegments.slice();
  const terminalCounts = new Uint32Array(terminalSegments.length);
  for (let t = 0; t < terminalSegments.length; t++) terminalCounts[t] = segmentLodged[terminalSegments[t]];
  const histogram = clusterHistogram(tree, segmentLodged, r.clusterDistanceMm, context.entry, context.entryEnd);
  return assembleResult(context, r, seed, { terminalSegments, terminalCounts, segmentLodged }, recorder, histogram, refluxStartedAt, batches, options);
}

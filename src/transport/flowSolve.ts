/**
 * The flow solve: Poiseuille resistances of the tree's segments, their Thévenin equivalents
 * (src/vascular/hemodynamics.ts), and the top-down pass that turns the current equivalents into
 * flows and sphere split probabilities within the injected subtree. After a batch of the embolic
 * feedback (embolicLoad.ts) the changed segments' equivalents are updated with updatePathToRoot
 * (O(depth) each) or, when that would cost more, with one O(N) reduceSubtrees, and the pass is run
 * again: only the cut subtrees' flows are re-solved.
 *
 * Nothing here knows why a resistance changed: the embolic load (embolicLoad.ts) sets
 * `resistance`, the capacity model (models/capacity.ts) sets `capacity`, the heterogeneity models
 * (models/heterogeneity.ts) give the split odds. The same range functions run on the main thread and
 * in workers, on views of shared memory.
 */
import type { ArterialTree } from "../vascular/tree.js";
import {
  poiseuilleCoefficient,
  poiseuilleResistance,
  reduceSubtrees,
  type SubtreeEquivalents,
} from "../vascular/hemodynamics.js";
import { LOCAL_MEMORY, treeFacts, type TransportContext, type TransportMemory } from "./context.js";
import { splitProbability0 } from "./split.js";
import { vesselEmbolicLaw, type CapacityModel } from "./models/capacity.js";
import type { ExpectedLodgingOutput } from "./embolicLoad.js";

export interface FlowState {
  /** Baseline Poiseuille resistance of every segment, Pa·s/m³. */
  readonly resistance0: Float64Array;
  /** Current resistance (baseline / (1 − k/C)), Pa·s/m³. */
  readonly resistance: Float64Array;
  readonly eq: SubtreeEquivalents;
  /** Spheres lodged so far in every segment (the feedback's k_j). */
  readonly lodged: Float64Array;
  /** Capacity C_j of every segment, spheres (see createFlowState). */
  readonly capacity: Float64Array;
  /** Conductance law of every segment (embolicLoad.ts chokedResistance): the share 1/G and the linear term λ. */
  readonly chokeShare: Float64Array;
  readonly chokeLinear: Float64Array;
  /** Scratch of the top-down pass: flow (m³/s) and distal pressure (Pa) within the injected subtree. */
  readonly flow: Float64Array;
  readonly distalPressurePa: Float64Array;
  /** Length of the longest root-to-terminal path, for the re-solve cost estimate. */
  readonly maxDepth: number;
}

/**
 * Flow state at baseline. Capacities from the vessels' lumens and the terminals' unresolved
 * subtrees (models/capacity.ts), so the embolic load a territory tolerates does not depend on how
 * finely the tree resolves it.
 */
export function createFlowState(tree: ArterialTree, capacity: CapacityModel): FlowState {
  const state = allocateFlowState(tree);
  const a = { ...tree, ...state };
  const coefficient = poiseuilleCoefficient(tree.params.viscosityPaS);
  baselineFlowRange(a, coefficient, capacity, 0, tree.segmentCount);
  reduceSubtrees(state.eq, tree, state.resistance);
  return state;
}

/** A flow state with its arrays allocated in `memory` (zeros): baselineFlowRange and a reduction fill it. */
export function allocateFlowState(tree: ArterialTree, memory: TransportMemory = LOCAL_MEMORY): FlowState {
  const n = tree.segmentCount;
  return {
    resistance0: memory.float64(n),
    resistance: memory.float64(n),
    eq: { conductance: memory.float64(n), pressurePa: memory.float64(n) },
    lodged: memory.float64(n),
    capacity: memory.float64(n),
    chokeShare: memory.float64(n),
    chokeLinear: memory.float64(n),
    flow: memory.float64(n),
    distalPressurePa: memory.float64(n),
    maxDepth: treeFacts(tree).maxGeneration + 1,
  };
}

/** Arrays baselineFlowRange reads and writes. */
export interface BaselineFlowArrays {
  readonly parent: Int32Array;
  readonly child0: Int32Array;
  readonly lengthMm: Float64Array;
  readonly radiusMm: Float64Array;
  readonly territoryMl: Float64Array;
  readonly flowMlPerMin: Float64Array;
  readonly resistance0: Float64Array;
  readonly resistance: Float64Array;
  readonly capacity: Float64Array;
  readonly chokeShare: Float64Array;
  readonly chokeLinear: Float64Array;
}

const lawScratch = new Float64Array(3);

/** Segments [first, end) at baseline: Poiseuille resistance (coefficient from poiseuilleCoefficient) and capacity. */
export function baselineFlowRange(a: BaselineFlowArrays, coefficient: number, model: CapacityModel, first: number, end: number): void {
  const { parent, child0, lengthMm, radiusMm, territoryMl, flowMlPerMin, resistance0, resistance, capacity, chokeShare, chokeLinear } = a;
  const law = lawScratch;
  for (let j = first; j < end; j++) {
    const r = poiseuilleResistance(coefficient, lengthMm[j], radiusMm[j]);
    resistance0[j] = r;
    resistance[j] = r;
    const p = parent[j];
    vesselEmbolicLaw(model, radiusMm[j], p >= 0 ? radiusMm[p] : Infinity, territoryMl[j], flowMlPerMin[j], child0[j] < 0, law);
    capacity[j] = law[0];
    chokeShare[j] = law[1];
    chokeLinear[j] = law[2];
  }
}

/** Pressure at the proximal end of `segment`, Pa, from the inlet down the path: O(depth). */
export function proximalPressurePa(state: FlowState, tree: ArterialTree, segment: number, path: Int32Array): number {
  let len = 0;
  for (let i = tree.parent[segment]; i >= 0; i = tree.parent[i]) path[len++] = i;
  let pressure = tree.params.inletPressurePa;
  const G = state.eq.conductance;
  const P = state.eq.pressurePa;
  for (let k = len - 1; k >= 0; k--) {
    const i = path[k];
    const flow = G[i] * (pressure - P[i]);
    pressure = flow === 0 ? P[i] : pressure - flow * state.resistance[i];
  }
  return pressure;
}

/**
 * Top-down pass over the injected subtree: flows into `state.flow`, split probabilities into
 * `outSplit0` (non-terminals) and, when `lodging` is given, the expected lodging fractions in the
 * same pass (same numbers as expectedLodging). Returns the flow into the entry segment, m³/s.
 */
export function solveSplits(
  outSplit0: Float64Array,
  state: FlowState,
  context: TransportContext,
  splitOdds: Float64Array,
  path: Int32Array,
  lodging: ExpectedLodgingOutput | null = null,
): number {
  const { entry, entryEnd } = context;
  const a = splitArrays(outSplit0, state, context, splitOdds, lodging === null ? null : lodging.reach);
  const entryFlow = entrySplitStart(a, state, context, path, lodging === null ? 0 : lodging.lungShuntFraction);
  const maxExpected = splitRange(a, entry, entryEnd, entry, entryFlow.proximalPa);
  if (lodging !== null) lodging.max = maxExpected;
  return entryFlow.flow;
}

/** Arrays splitRange reads and writes; reach null: no expected lodging. */
export interface SplitArrays {
  readonly parent: Int32Array;
  readonly child0: Int32Array;
  readonly child1: Int32Array;
  readonly compartment: Int32Array;
  /** Generation of every segment (the batch rule's groups, embolicLoad.ts). */
  readonly generation: Int32Array;
  readonly conductance: Float64Array;
  readonly pressurePa: Float64Array;
  readonly resistance: Float64Array;
  readonly capacity: Float64Array;
  readonly flow: Float64Array;
  readonly distalPressurePa: Float64Array;
  readonly split0: Float64Array;
  /** Fixed odds multiplier of child0 at every bifurcation (models/heterogeneity.ts; 1 = flow). */
  readonly splitOdds: Float64Array;
  readonly passFraction: Float64Array | null;
  readonly shuntFraction: Float64Array;
  readonly reach: Float64Array | null;
  /** One past the last segment of each segment's subtree (the batch rule's groups, embolicLoad.ts). */
  readonly subtreeEnd: Int32Array;
}

/** The split arrays of a state and context (views, not copies). */
export function splitArrays(split0: Float64Array, state: FlowState, context: TransportContext, splitOdds: Float64Array, reach: Float64Array | null): SplitArrays {
  const tree = context.tree;
  return {
    parent: tree.parent,
    child0: tree.child0,
    child1: tree.child1,
    compartment: tree.compartment,
    generation: tree.generation,
    conductance: state.eq.conductance,
    pressurePa: state.eq.pressurePa,
    resistance: state.resistance,
    capacity: state.capacity,
    flow: state.flow,
    distalPressurePa: state.distalPressurePa,
    split0,
    splitOdds,
    passFraction: context.passFraction,
    shuntFraction: context.shuntFraction,
    reach,
    subtreeEnd: tree.subtreeEnd,
  };
}

/**
 * Start of the top-down pass: the entry's proximal pressure from the inlet down its path, its
 * flow, and (with reach) the fraction of injected spheres that reach it (1 − LSF).
 */
export function entrySplitStart(a: SplitArrays, state: FlowState, context: TransportContext, path: Int32Array, lungShuntFraction: number): { proximalPa: number; flow: number } {
  const entry = context.entry;
  const proximalPa = proximalPressurePa(state, context.tree, entry, path);
  a.flow[entry] = a.conductance[entry] * (proximalPa - a.pressurePa[entry]);
  if (a.reach !== null) a.reach[entry] = 1 - lungShuntFraction;
  return { proximalPa, flow: a.flow[entry] };
}

/** groupGeneration of splitRange without batch groups (rule "vessel", or no feedback): beyond any generation. */
export const NO_GROUPS = 0x7fffffff;

/**
 * Segments [first, end) of the top-down pass, in pre-order (each segment's flow already set by its
 * parent, or for `entry` by entrySplitStart, whose proximal pressure is `entryProximalPa`): distal
 * pressures, both daughters' flows and the splits; with reach, the daughters' reach and the batch
 * bound's measure, returned (0 without reach): the largest expected lodging per injected sphere
 * relative to capacity, e_j / C_j, over the segments above `groupGeneration` (all of them with
 * NO_GROUPS), and the largest sphere-weighted drift D_k of the groups rooted at generation
 * `groupGeneration` (rule "subtree", embolicLoad.ts). D_k is summed in pre-order from the group's
 * root to its end in this one loop: a range must hold every group it enters whole (the splits
 * pass is cut no deeper than the groups, cascadeDriver.ts), so the sum is the same double for any
 * work-unit cut. A segment of a group the range entered below its root (never, in the drivers)
 * counts as above. The arrays are read into locals once: the same loop runs on the main thread
 * and in workers, on views of shared memory.
 */
export function splitRange(a: SplitArrays, first: number, end: number, entry: number, entryProximalPa: number, groupGeneration = NO_GROUPS): number {
  const { parent, child0, child1, compartment, generation, subtreeEnd, resistance, capacity, flow, split0, splitOdds, passFraction, shuntFraction, reach } = a;
  const G = a.conductance;
  const P = a.pressurePa;
  const distal = a.distalPressurePa;
  // The entry's proximal pressure is read from a Float64Array like every other segment's: merged
  // with the tagged parameter, the loaded double was boxed on every iteration (a heap number per
  // segment: one scavenge per 60 000 segments, measured with --trace-gc).
  const entryProximal = Float64Array.of(entryProximalPa);
  let max = 0;
  // The open group: its root, one past its last segment, and its drift so far.
  let groupRoot = -1;
  let groupEnd = -1;
  let groupDrift = 0;
  for (let j = first; j < end; j++) {
    if (j === groupEnd && reach !== null) {
      const r = reach[groupRoot];
      const drift = r > 0 ? groupDrift / r : 0;
      if (drift > max) max = drift;
      groupRoot = -1;
    }
    const f = flow[j];
    const proximal = j === entry ? entryProximal[0] : distal[parent[j]];
    const d = f === 0 ? P[j] : proximal - f * resistance[j];
    distal[j] = d;
    const c0 = child0[j];
    let inside = 0;
    if (reach !== null) {
      const arrive = reach[j];
      inside = passFraction === null ? arrive : arrive * passFraction[j];
      const e = (c0 < 0 ? arrive - inside * shuntFraction[compartment[j]] : arrive - inside) / capacity[j];
      const g = generation[j];
      if (g === groupGeneration) {
        groupRoot = j;
        groupEnd = subtreeEnd[j];
        groupDrift = 0;
      }
      if (g >= groupGeneration && groupRoot >= 0) {
        // Drift of the branch's flow per injected sphere: s_j·e_j/C_j with s_j = R_j·G_j, the share
        // of the branch's pressure drop in the vessel itself (1 for a terminal), weighted by the
        // spheres that enter it (embolicLoad.ts, rule "subtree").
        if (e > 0) {
          const share = resistance[j] * G[j];
          groupDrift += arrive * (share < 1 ? share : 1) * e;
        }
      } else if (e > max) {
        max = e;
      }
    }
    if (c0 < 0) continue;
    const c1 = child1[j];
    const f0 = G[c0] * (d - P[c0]);
    const f1 = G[c1] * (d - P[c1]);
    flow[c0] = f0;
    flow[c1] = f1;
    const p0 = splitProbability0(f0, f1, splitOdds[j]);
    split0[j] = p0;
    if (reach !== null) {
      reach[c0] = inside * p0;
      reach[c1] = inside * (1 - p0);
    }
  }
  if (groupRoot >= 0 && reach !== null) {
    const r = reach[groupRoot];
    const drift = r > 0 ? groupDrift / r : 0;
    if (drift > max) max = drift;
  }
  return max;
}

/**
 * Embolic feedback: lodged spheres choke the vessels they sit in, and the flow — hence where the
 * next spheres go — is re-solved.
 *
 * Model: segment j holding k_j spheres has conductance g_j = g_j⁰ · max(0, 1 − k_j / C), i.e.
 * resistance R_j⁰ / (1 − k_j/C_j), infinite (plugged) once k_j ≥ C_j. C_j is the capacity in spheres
 * (≈ 50 per portal tract, the figure; configurable). Flows follow from the Thévenin
 * recursion of src/vascular/hemodynamics.ts: after a batch, the changed segments are updated with
 * updatePathToRoot (O(depth) each) or, when that would cost more, with one O(N) reduceSubtrees.
 *
 * Batch size: between re-solves the flows are frozen. A batch of B spheres puts B·e_j spheres on
 * average into segment j (e_j = expected lodging fraction per injected sphere under the current
 * flows), changing g_j by B·e_j/C of its baseline. Choosing B ≤ tol · C / max_j e_j bounds every
 * segment's conductance change within a batch by tol of its baseline; a subtree's equivalent
 * conductance is a series/parallel combination, monotone and homogeneous of degree 1 in the
 * segment conductances, so its change is bounded by the same tol.
 *
 * Reflux: when the flow into the injected segment falls below refluxThreshold × its baseline
 * flow, the territory is in stasis and every remaining sphere refluxes to the non-target branch.
 */
import type { ArterialTree } from "../vascular/tree.js";
import {
  createSubtreeEquivalents,
  reduceSubtrees,
  segmentResistances,
  updatePathToRoot,
  type SubtreeEquivalents,
} from "../vascular/hemodynamics.js";
import type { TransportContext } from "./context.js";
import { splitProbability0 } from "./split.js";

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
  /** Scratch of the top-down pass: flow (m³/s) and distal pressure (Pa) within the injected subtree. */
  readonly flow: Float64Array;
  readonly distalPressurePa: Float64Array;
  /** Length of the longest root-to-terminal path, for the re-solve cost estimate. */
  readonly maxDepth: number;
}

/**
 * Flow state at baseline. Every segment plugs at `capacitySpheres`; with `capacitySpheresPerMl`, a
 * terminal's capacity is that density times its territory volume instead (at least one sphere),
 * so the embolic load a territory tolerates does not depend on how finely the tree resolves it
 * (≈ 50 spheres per portal tract of ≈ 1 mg of tissue ≈ 5e4 spheres per mL).
 */
export function createFlowState(tree: ArterialTree, capacitySpheres: number, capacitySpheresPerMl: number | null = null): FlowState {
  const n = tree.segmentCount;
  const capacity = new Float64Array(n).fill(capacitySpheres);
  if (capacitySpheresPerMl !== null) {
    for (let j = 0; j < n; j++) if (tree.child0[j] < 0) capacity[j] = Math.max(1, capacitySpheresPerMl * tree.territoryMl[j]);
  }
  const resistance0 = segmentResistances(new Float64Array(n), tree, tree.params.viscosityPaS);
  const resistance = resistance0.slice();
  const eq = reduceSubtrees(createSubtreeEquivalents(n), tree, resistance);
  let maxDepth = 0;
  const generation = tree.generation;
  for (let i = 0; i < n; i++) if (generation[i] > maxDepth) maxDepth = generation[i];
  return {
    resistance0,
    resistance,
    eq,
    lodged: new Float64Array(n),
    capacity,
    flow: new Float64Array(n),
    distalPressurePa: new Float64Array(n),
    maxDepth: maxDepth + 1,
  };
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

/** Optional outputs of solveSplits for the adaptive batch size (see expectedLodging). */
export interface ExpectedLodgingOutput {
  /** Scratch: expected fraction of injected spheres arriving at each segment's inlet. */
  readonly reach: Float64Array;
  readonly lungShuntFraction: number;
  /**
   * Set by solveSplits: max over segments of the expected lodging per injected sphere relative to
   * the segment's capacity, max_j e_j / C_j (the batch size bound is tol / max).
   */
  max: number;
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
  bias: number,
  path: Int32Array,
  lodging: ExpectedLodgingOutput | null = null,
): number {
  const tree = context.tree;
  const { entry, entryEnd } = context;
  const G = state.eq.conductance;
  const P = state.eq.pressurePa;
  const R = state.resistance;
  const flow = state.flow;
  const distal = state.distalPressurePa;
  const parent = tree.parent;
  const child0 = tree.child0;
  const child1 = tree.child1;
  // One pre-order pass: a segment's flow is set by its parent (the entry's from the inlet path),
  // its distal pressure follows, and with it both daughters' flows and the split.
  const entryProximal = proximalPressurePa(state, tree, entry, path);
  flow[entry] = G[entry] * (entryProximal - P[entry]);
  const passFraction = context.passFraction;
  const shunt = context.shuntFraction;
  const compartment = tree.compartment;
  const reach = lodging === null ? null : lodging.reach;
  const capacity = state.capacity;
  let maxExpected = 0;
  if (reach !== null) reach[entry] = 1 - (lodging as ExpectedLodgingOutput).lungShuntFraction;
  for (let j = entry; j < entryEnd; j++) {
    const f = flow[j];
    const proximal = j === entry ? entryProximal : distal[parent[j]];
    const d = f === 0 ? P[j] : proximal - f * R[j];
    distal[j] = d;
    const c0 = child0[j];
    let inside = 0;
    if (reach !== null) {
      const arrive = reach[j];
      inside = passFraction === null ? arrive : arrive * passFraction[j];
      const e = (c0 < 0 ? arrive - inside * shunt[compartment[j]] : arrive - inside) / capacity[j];
      if (e > maxExpected) maxExpected = e;
    }
    if (c0 < 0) continue;
    const c1 = child1[j];
    const f0 = G[c0] * (d - P[c0]);
    const f1 = G[c1] * (d - P[c1]);
    flow[c0] = f0;
    flow[c1] = f1;
    const p0 = splitProbability0(f0, f1, bias);
    outSplit0[j] = p0;
    if (reach !== null) {
      reach[c0] = inside * p0;
      reach[c1] = inside * (1 - p0);
    }
  }
  if (lodging !== null) lodging.max = maxExpected;
  return flow[entry];
}

/**
 * Expected number of spheres lodging in each segment per injected sphere under the current splits
 * (`outExpected`, within the injected subtree); returns its maximum. `reach` is scratch.
 */
export function expectedLodging(
  outExpected: Float64Array,
  reach: Float64Array,
  context: TransportContext,
  split0: Float64Array,
  lungShuntFraction: number,
): number {
  const tree = context.tree;
  const { entry, entryEnd, passFraction, shuntFraction } = context;
  const child0 = tree.child0;
  const child1 = tree.child1;
  let max = 0;
  reach[entry] = 1 - lungShuntFraction;
  for (let j = entry; j < entryEnd; j++) {
    const arrive = reach[j];
    const pass = passFraction === null ? 1 : passFraction[j];
    const inside = arrive * pass;
    let e = arrive - inside;
    const c0 = child0[j];
    if (c0 < 0) {
      e += inside * (1 - shuntFraction[tree.compartment[j]]);
    } else {
      reach[c0] = inside * split0[j];
      reach[child1[j]] = inside * (1 - split0[j]);
    }
    outExpected[j] = e;
    if (e > max) max = e;
  }
  return max;
}

/** Add `count` spheres to segment j's load and update its resistance (not yet re-solved). */
export function addLodged(state: FlowState, segment: number, count: number): void {
  const k = (state.lodged[segment] += count);
  const open = 1 - k / state.capacity[segment];
  state.resistance[segment] = open > 0 ? state.resistance0[segment] / open : Infinity;
}

/**
 * Re-solve the equivalents after the segments `changed[0..count)` changed: path updates when
 * count × depth is below N, else one full bottom-up pass (same result either way).
 */
export function resolveChanged(state: FlowState, tree: ArterialTree, changed: Int32Array, count: number): void {
  if (count === 0) return;
  if (count * state.maxDepth < tree.segmentCount) {
    for (let k = 0; k < count; k++) updatePathToRoot(state.eq, tree, state.resistance, null, changed[k]);
  } else {
    reduceSubtrees(state.eq, tree, state.resistance);
  }
}

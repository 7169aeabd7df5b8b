/**
 * The embolic load: lodged spheres choke the vessels they sit in, and the flow — hence where the
 * next spheres go — is re-solved (flowSolve.ts). This file holds the load side: the conductance
 * loss of a vessel holding k spheres, the expected lodging per injected sphere that sets the batch
 * size; capacities come from models/capacity.ts, the reflux rule is applied by the drivers
 * (simulate.ts, cascadeDriver.ts).
 *
 * Model: a resolved vessel j holding k_j spheres has conductance g_j = g_j⁰ · max(0, 1 − k_j / C_j),
 * i.e. resistance R_j⁰ / (1 − k_j/C_j), infinite (plugged) once k_j ≥ C_j. C_j is the capacity in
 * spheres from geometry (models/capacity.ts: one stopping site, or a terminal's unresolved
 * subtree). A terminal chokes as that subtree would, G generations of equal resistance in series
 * of which the first to fill goes as 1/(1 − x) and the others to first order (chokedResistance);
 * its initial rate of change, (1 + λ)/G ≤ 1 of a single vessel's, keeps both batch rules below
 * conservative. The flows are re-solved after every batch (flowSolve.ts).
 *
 * Batch size: between re-solves the flows are frozen. A batch of B spheres puts B·e_j spheres on
 * average into segment j (e_j = expected lodging fraction per injected sphere under the current
 * flows), changing g_j by x_j = B·e_j/C_j of its baseline. Two rules (embolic.batchRule):
 *
 * - "vessel": B ≤ tol / max_j (e_j/C_j) bounds every segment's conductance change within a batch
 *   by tol of its baseline; a subtree's equivalent conductance is a series/parallel combination,
 *   monotone and homogeneous of degree 1 in the segment conductances, so its change is bounded by
 *   the same tol. The smallest vessels set B: at 1.5e6 terminals the size-excluding arterioles
 *   hold 1–3 spheres, and the batch count grows with the resolution (bench/README.md).
 * - "subtree" (default): the flow of the branch a segment feeds (the segment and its subtree, in
 *   series) drifts within the batch by s_j·x_j to first order, s_j = R_j·G_j ≤ 1 the segment's
 *   share of the branch's pressure drop (1 for a terminal); every sphere entering the segment in
 *   the batch is routed with the flows of the batch's start. The injected subtree is grouped by
 *   the tree alone: every segment BATCH_GROUP_DEPTH generations below the entry roots one group
 *   (its whole subtree). For every group k the rule keeps the sphere-weighted drift
 *   Σ_{j∈k} reach_j·s_j·x_j ≤ tol·reach_k (reach_j: the expected spheres entering j per injected
 *   sphere), i.e. B ≤ tol / max_k D_k with D_k = Σ_{j∈k} reach_j·s_j·(e_j/C_j) / reach_k; above
 *   the groups, every segment as "vessel". So the spheres entering a group see, summed over the
 *   vessels they pass, a flow drift of at most tol per batch (tol/2 on average over the batch),
 *   whatever the sizes of the vessels: a vessel of a few spheres may fill, and overshoot its
 *   capacity, within one batch. The linear drift underestimates a vessel that plugs within the
 *   batch (its branch flow falls to 0, not by s_j·x_j): measured, the error grows about linearly
 *   with tol (default case at 1.5e6 terminals: T/N +8 % at tol 0.2, +1.6 % at 0.05, +0.1 % at 0.01
 *   against rule "vessel" at 0.05), hence the default tol 0.01 (defaults.ts; docs/transport.md
 *   "Batch rule"). The groups do not depend on the work-unit cut (transport.cutDepth): D_k is
 *   summed in pre-order over the group in one loop (flowSolve.ts splitRange), the flow solve being
 *   cut no deeper than the groups (cascadeDriver.ts), so the same double comes out for any cut
 *   depth and any worker count (test/transport/batchGroups.test.ts).
 *
 * Reflux: when the flow into the injected segment falls below refluxThreshold × its baseline
 * flow, the territory is in stasis and every remaining sphere refluxes to the non-target branch.
 */
import type { FlowState } from "./flowSolve.js";
import type { TransportContext } from "./context.js";

/**
 * Generations below the entry at which rule "subtree" groups its drift: each segment this deep
 * roots one group. 6: the work-unit cut (transport.cutDepth, default 6) at which the rule and its
 * default tol 0.01 were measured when the groups were the cut subtrees (bench/README.md "Batch
 * rule"); now fixed here, so that the cut only splits work. Deeper groups bound smaller
 * territories (more, smaller batches: at 1e5 terminals, 30 / 46 / 81 batches for groups 3 / 6 / 9
 * generations deep, bench/scale-transport.ts with cutDepth 3 / 6 / 9 before the groups were fixed).
 */
export const BATCH_GROUP_DEPTH = 6;

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
export function addLodged(state: Pick<FlowState, "lodged" | "capacity" | "resistance" | "resistance0" | "chokeShare" | "chokeLinear">, segment: number, count: number): void {
  const k = (state.lodged[segment] += count);
  state.resistance[segment] = chokedResistance(state.resistance0[segment], k, state.capacity[segment], state.chokeShare[segment], state.chokeLinear[segment]);
}

/**
 * Resistance of a vessel of baseline resistance r0 holding k spheres of its capacity C, x = k/C:
 * r0·(1 + ((1/(1 − x) − 1) + λx)·w), Infinity once plugged (x ≥ 1). A resolved vessel chokes
 * alone, w = 1, λ = 0: r0 / (1 − x). A terminal stands for G generations of equal resistance in
 * series (models/capacity.ts terminalSubtree), w = 1/G: the generation that fills first carries
 * 1/G of the resistance and goes as 1/(1 − x); the others, loaded a_g·x (Σ_g a_g = 1 + λ), to
 * first order as a_g·x. So a coarse terminal chokes as its resolved subtree would, not from its
 * first sphere as a single vessel.
 */
export function chokedResistance(r0: number, k: number, capacity: number, share = 1, linear = 0): number {
  const x = k / capacity;
  const open = 1 - x;
  return open > 0 ? r0 * (1 + (1 / open - 1 + linear * x) * share) : Infinity;
}

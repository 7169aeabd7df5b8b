/**
 * The per-sphere reference walk: every sphere travels down from the entry on its own, choosing a
 * daughter at each bifurcation with the flow-following probability computed from the flows at
 * that moment, until it lodges (too wide for the next vessel, or at a terminal) or shunts to the
 * lungs. With embolic feedback the flows are updated after EVERY sphere (updatePathToRoot,
 * O(depth)), so this is the exact sequential model that the batched cascade approximates.
 * Cost O(spheres × depth); it is the reference, not the production path.
 *
 * Flows are evaluated along the sphere's path only: the pressure at the entry's inlet is carried
 * down from the root (O(depth)), then each daughter's flow is G_c · (p_distal − P_c) from the
 * Thévenin equivalents. Streamline noise is a property of a batch (split.ts), so the walk has none.
 */
import { updatePathToRoot } from "../vascular/hemodynamics.js";
import { createStream } from "../random/stream.js";
import { truncatedNormal, type TruncatedNormalParameters } from "../random/truncatedNormal.js";
import type { TransportContext } from "./context.js";
import { proximalPressurePa, type FlowState } from "./flowSolve.js";
import { addLodged } from "./embolicLoad.js";
import { splitProbability0 } from "./split.js";

export interface WalkOptions {
  /** Fixed odds multiplier of child0 per bifurcation (models/heterogeneity.ts). */
  readonly splitOdds: Float64Array;
  readonly lungShuntFraction: number;
  readonly diameterUm: TruncatedNormalParameters | null;
  /** Update flows after every sphere. */
  readonly feedback: boolean;
  /** Stasis threshold on the entry flow, fraction of its baseline (feedback only). */
  readonly refluxThresholdFraction: number;
}

export interface WalkOutcome {
  lung: number;
  reflux: number;
  /** Spheres injected when reflux started, or −1. */
  refluxStartedAt: number;
}

const WALK_STREAM_TAG = 0x57n << 56n;

/**
 * Walk spheres [first, first + count) of the injection; lodged spheres are added to `outLodged`.
 * `state` carries the flows (and, with feedback, is updated). `path` is scratch of length ≥ depth.
 */
export function runWalk(
  outLodged: Float64Array,
  state: FlowState,
  context: TransportContext,
  options: WalkOptions,
  first: number,
  count: number,
  seed: number,
  baselineEntryFlow: number,
  path: Int32Array,
): WalkOutcome {
  const tree = context.tree;
  const { child0, child1, radiusMm, compartment } = tree;
  const G = state.eq.conductance;
  const P = state.eq.pressurePa;
  const { entry, shuntFraction } = context;
  const stream = createStream(seed, WALK_STREAM_TAG + BigInt(first));
  const outcome: WalkOutcome = { lung: 0, reflux: 0, refluxStartedAt: -1 };
  for (let s = 0; s < count; s++) {
    const entryProximal = proximalPressurePa(state, tree, entry, path);
    if (options.feedback) {
      const entryFlow = G[entry] * (entryProximal - P[entry]);
      if (!(entryFlow >= options.refluxThresholdFraction * baselineEntryFlow) || entryFlow <= 0) {
        outcome.reflux += count - s;
        outcome.refluxStartedAt = first + s;
        return outcome;
      }
    }
    if (options.lungShuntFraction > 0 && stream.nextFloat() < options.lungShuntFraction) {
      outcome.lung++;
      continue;
    }
    const diameterUm = options.diameterUm === null ? 0 : truncatedNormal(stream, options.diameterUm);
    let j = entry;
    let lodgeAt = -1;
    if (diameterUm > 2000 * radiusMm[j]) lodgeAt = j;
    let proximal = entryProximal;
    while (lodgeAt < 0) {
      const c0 = child0[j];
      if (c0 < 0) {
        const shunt = shuntFraction[compartment[j]];
        if (shunt > 0 && stream.nextFloat() < shunt) {
          outcome.lung++;
          break;
        }
        lodgeAt = j;
        break;
      }
      const c1 = child1[j];
      const flow = G[j] * (proximal - P[j]);
      const distal = flow === 0 ? P[j] : proximal - flow * state.resistance[j];
      const p0 = splitProbability0(G[c0] * (distal - P[c0]), G[c1] * (distal - P[c1]), options.splitOdds[j]);
      const c = stream.nextFloat() < p0 ? c0 : c1;
      if (diameterUm > 2000 * radiusMm[c]) {
        lodgeAt = c;
        break;
      }
      proximal = distal;
      j = c;
    }
    if (lodgeAt < 0) continue;
    outLodged[lodgeAt] += 1;
    if (options.feedback) {
      addLodged(state, lodgeAt, 1);
      updatePathToRoot(state.eq, tree, state.resistance, null, lodgeAt);
    }
  }
  return outcome;
}

/**
 * Poiseuille flow in a bifurcating tree, solved by the reduced-resistance recursion in O(N).
 *
 * Each subtree, seen from its inlet, is a Thévenin equivalent: Q = G_eq · (P_inlet − P_eq).
 * A terminal segment i with resistance R_i (+ an extra resistance downstream, e.g. a plugged
 * arteriole or a capillary bed) draining at pressure P_t has G_eq = 1/(R_i + R_extra), P_eq = P_t.
 * At a bifurcation the two daughter subtrees are in parallel — G_p = G_0 + G_1,
 * P_p = (G_0 P_0 + G_1 P_1)/G_p — and in series with the parent segment:
 * G_eq = G_p / (1 + R_i G_p), P_eq = P_p. When every terminal drains at the same pressure this is
 * the classic reduced resistance of Karch et al. 1999 (Comput Biol Med 29:19).
 *
 * Resistances use Poiseuille's law R = 8 μ L / (π r⁴) in SI (Pa·s/m³). Conductances (not
 * resistances) are stored so that a plugged subtree is exactly G = 0.
 */
import type { ArterialTree } from "./tree.js";

/** Thévenin equivalent of every subtree, seen from the segment's proximal end. */
export interface SubtreeEquivalents {
  /** Equivalent conductance, m³/(Pa·s). */
  readonly conductance: Float64Array;
  /** Equivalent outflow pressure, Pa. */
  readonly pressurePa: Float64Array;
}

/** Poiseuille resistance of every segment, Pa·s/m³, into `out`. */
export function segmentResistances(out: Float64Array, tree: ArterialTree, viscosityPaS: number): Float64Array {
  const n = tree.segmentCount;
  const length = tree.lengthMm;
  const radius = tree.radiusMm;
  const coefficient = poiseuilleCoefficient(viscosityPaS);
  for (let i = 0; i < n; i++) out[i] = poiseuilleResistance(coefficient, length[i], radius[i]);
  return out;
}

/** 8μ/π of Poiseuille's law for viscosity μ (Pa·s). */
export function poiseuilleCoefficient(viscosityPaS: number): number {
  return (8 * viscosityPaS) / Math.PI;
}

/** Poiseuille resistance (Pa·s/m³) of one vessel: coefficient · L / r⁴ in SI, from mm. */
export function poiseuilleResistance(coefficient: number, lengthMm: number, radiusMm: number): number {
  const rM = radiusMm * 1e-3;
  return (coefficient * lengthMm * 1e-3) / (rM * rM * rM * rM);
}

/** Allocate the equivalents arrays for a tree. */
export function createSubtreeEquivalents(segmentCount: number): SubtreeEquivalents {
  return { conductance: new Float64Array(segmentCount), pressurePa: new Float64Array(segmentCount) };
}

/** The tree arrays the reduction reads (an ArterialTree, or views on its arrays in shared memory). */
export type ReductionTree = Pick<ArterialTree, "child0" | "child1" | "terminalPressurePa">;

/**
 * Recompute the equivalents of segments [first, end), last first: each from its own resistance and
 * its children's equivalents (children before parents; any order that visits a segment after its
 * children gives the same numbers). The arrays are read into locals once per call.
 */
export function reduceRange(
  eq: SubtreeEquivalents,
  tree: ReductionTree,
  resistance: Float64Array,
  extraTerminalResistance: Float64Array | null,
  first: number,
  end: number,
): void {
  const { child0, child1, terminalPressurePa } = tree;
  const G = eq.conductance;
  const P = eq.pressurePa;
  for (let i = end - 1; i >= first; i--) {
    const c0 = child0[i];
    if (c0 < 0) {
      const extra = extraTerminalResistance === null ? 0 : extraTerminalResistance[i];
      const total = resistance[i] + extra;
      G[i] = total === Infinity ? 0 : 1 / total;
      P[i] = terminalPressurePa[i];
      continue;
    }
    const c1 = child1[i];
    const gp = G[c0] + G[c1];
    if (gp === 0) {
      G[i] = 0;
      P[i] = 0.5 * (P[c0] + P[c1]);
      continue;
    }
    P[i] = (G[c0] * P[c0] + G[c1] * P[c1]) / gp;
    G[i] = resistance[i] === Infinity ? 0 : gp / (1 + resistance[i] * gp);
  }
}

/**
 * Bottom-up pass: the equivalent of every subtree, O(N). `extraTerminalResistance` (Pa·s/m³,
 * may be Infinity for a plugged terminal) is added to terminals; pass null for none.
 */
export function reduceSubtrees(
  out: SubtreeEquivalents,
  tree: ArterialTree,
  resistance: Float64Array,
  extraTerminalResistance: Float64Array | null = null,
): SubtreeEquivalents {
  reduceRange(out, tree, resistance, extraTerminalResistance, 0, tree.segmentCount);
  return out;
}

/**
 * After the resistance of segment `segment` (or its terminal extra resistance) changed, update
 * the equivalents of it and its ancestors, up to and including `top` (default: the root): O(depth).
 */
export function updatePathToRoot(
  eq: SubtreeEquivalents,
  tree: ReductionTree & Pick<ArterialTree, "parent">,
  resistance: Float64Array,
  extraTerminalResistance: Float64Array | null,
  segment: number,
  top = 0,
): void {
  for (let i = segment; i >= 0; i = tree.parent[i]) {
    reduceRange(eq, tree, resistance, extraTerminalResistance, i, i + 1);
    if (i === top) break;
  }
}

/**
 * Top-down pass: flow in every segment (m³/s) and pressure at every segment's distal end (Pa)
 * for an inlet pressure at the root, O(N). Either output may be null.
 */
export function distributeFlows(
  outFlowM3PerS: Float64Array | null,
  outDistalPressurePa: Float64Array | null,
  tree: ArterialTree,
  resistance: Float64Array,
  eq: SubtreeEquivalents,
  inletPressurePa: number,
): void {
  const n = tree.segmentCount;
  const G = eq.conductance;
  const P = eq.pressurePa;
  const parent = tree.parent;
  // Proximal pressure of segment i is the distal pressure of its parent; keep distal pressures in a
  // scratch array when the caller does not want them.
  const distal = outDistalPressurePa ?? new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const proximal = i === 0 ? inletPressurePa : distal[parent[i]];
    const flow = G[i] * (proximal - P[i]);
    if (outFlowM3PerS !== null) outFlowM3PerS[i] = flow;
    // A segment without flow (plugged) sits at the pressure of what lies downstream of it.
    distal[i] = flow === 0 ? P[i] : proximal - flow * resistance[i];
  }
}

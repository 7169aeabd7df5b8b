/**
 * The arterial tree as plain data: struct-of-arrays typed arrays, one entry per segment, segments
 * in pre-order (a parent comes before its children, and the subtree of segment i is the index
 * range [i, subtreeEnd[i])). So a top-down pass is one forward scan and a bottom-up pass one
 * backward scan, with no recursion and no pointers.
 *
 * Segment i runs from its proximal point (its parent's distal point; for the root, the inlet) to
 * its distal point. Bifurcations only: a segment has 0 or 2 children. Terminals (no children)
 * are the arterioles that feed a tissue territory; their territory's compartment and volume are
 * stored with them.
 *
 * This is the contract between the vascular stage (which grows and sizes the tree), the transport
 * stage (which reads it and never changes it) and the exporters.
 */

export interface TreeParameters {
  /** Murray exponent γ in r_p^γ = r_1^γ + r_2^γ. */
  readonly murrayExponent: number;
  /** Blood dynamic viscosity, Pa·s. */
  readonly viscosityPaS: number;
  /** Pressure at the inlet of the root segment, Pa. */
  readonly inletPressurePa: number;
  /** Pressure at normal-liver terminals, Pa. */
  readonly terminalPressurePa: number;
  /** Target flow into the root, mL/min. */
  readonly rootFlowMlPerMin: number;
  /** Seed of the growth. */
  readonly seed: number;
}

export interface ArterialTree {
  readonly segmentCount: number;
  /** Parent segment, −1 for the root (segment 0). parent[i] < i. */
  readonly parent: Int32Array;
  /** First child (always i + 1 in pre-order) and second child; −1 for a terminal. */
  readonly child0: Int32Array;
  readonly child1: Int32Array;
  /** One past the last segment of the subtree rooted at i. */
  readonly subtreeEnd: Int32Array;
  /** Generation: 0 for the root, parent's + 1 otherwise. */
  readonly generation: Int32Array;
  /** Proximal end point, mm, xyz interleaved (3 per segment). */
  readonly proximalMm: Float64Array;
  /** Distal end point, mm, xyz interleaved (3 per segment). */
  readonly distalMm: Float64Array;
  /** Lumen radius, mm. */
  readonly radiusMm: Float64Array;
  /** Segment length, mm (|distal − proximal|). */
  readonly lengthMm: Float64Array;
  /** Blood flow through the segment at baseline, mL/min. */
  readonly flowMlPerMin: Float64Array;
  /**
   * For terminals: index into `compartmentNames` of the tissue the terminal perfuses
   * (0 = normal liver, then the tumours in case-file order). −1 for non-terminals.
   */
  readonly compartment: Int32Array;
  /** For terminals: volume of tissue the terminal supplies, mL; 0 for non-terminals. */
  readonly territoryMl: Float64Array;
  /**
   * For terminals: pressure at the terminal's outflow, Pa (normal liver: params.terminalPressurePa;
   * tumour terminals may have their own). Unused for non-terminals.
   */
  readonly terminalPressurePa: Float64Array;
  /** Compartment names, index-aligned with `compartment` values. */
  readonly compartmentNames: readonly string[];
  /** Named injection sites → segment index (e.g. "proper-hepatic", "right-hepatic", "S5"). */
  readonly entryPoints: Readonly<Record<string, number>>;
  readonly params: TreeParameters;
  /**
   * (Added by the vascular stage.) 1 for segments of the optimised part (named arteries and the
   * constrained-constructive-optimisation tree), 0 for the statistically generated subtrees.
   */
  readonly optimised?: Uint8Array;
  /**
   * (Added by the vascular stage.) Non-target branches that leave the tree upstream of the liver,
   * where refluxing spheres go (e.g. the gastroduodenal artery). They are not segments of the tree.
   */
  readonly nonTargetBranches?: readonly NonTargetBranch[];
}

/** A branch outside the tree where reflux goes (see ArterialTree.nonTargetBranches). */
export interface NonTargetBranch {
  readonly name: string;
  /** Segment at whose proximal end (inlet) the branch leaves; 0 = the proper hepatic inlet. */
  readonly attachedToSegment: number;
  /** Baseline flow into the branch, mL/min (not part of the tree's root flow). */
  readonly flowMlPerMin: number;
  /** Lumen radius, mm. */
  readonly radiusMm: number;
}

/** True when segment i has no children. */
export function isTerminal(tree: ArterialTree, i: number): boolean {
  return tree.child0[i] < 0;
}

/** Number of terminals. */
export function terminalCount(tree: ArterialTree): number {
  let n = 0;
  for (let i = 0; i < tree.segmentCount; i++) if (tree.child0[i] < 0) n++;
  return n;
}

/** Conversion factors between the tree's reporting units and SI. */
export const M3_PER_S_PER_ML_PER_MIN = 1e-6 / 60;
export const PA_PER_MMHG = 133.322387415;

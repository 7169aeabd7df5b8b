/**
 * A synthetic arterial tree for transport tests and benchmarks, independent of the vascular
 * stage's growth: a random binary tree over `terminals` terminals (each node splits its terminal
 * count at a uniform fraction in [0.3, 0.7]), radii by Murray's law from the terminal radius up,
 * lengths 20 radii, Poiseuille flows from src/vascular/hemodynamics.ts. Tumours take contiguous
 * pre-order ranges of terminals (so each is a few subtrees) with a wider terminal radius, which
 * makes them hypervascular: flow ∝ r⁴/L ∝ r³.
 */
import { createStream } from "../../../src/random/stream.js";
import type { ArterialTree } from "../../../src/vascular/tree.js";
import { PA_PER_MMHG, M3_PER_S_PER_ML_PER_MIN } from "../../../src/vascular/tree.js";
import {
  createSubtreeEquivalents,
  distributeFlows,
  reduceSubtrees,
  segmentResistances,
} from "../../../src/vascular/hemodynamics.js";

export interface SyntheticTumour {
  readonly name: string;
  /** First terminal (pre-order terminal index) and number of terminals of the tumour. */
  readonly firstTerminal: number;
  readonly terminals: number;
  /** Terminal radius multiplier (> 1: hypervascular). */
  readonly radiusScale: number;
}

export interface SyntheticTreeOptions {
  readonly terminals: number;
  readonly terminalRadiusMm?: number;
  readonly murrayExponent?: number;
  readonly territoryMl?: number;
  readonly tumours?: readonly SyntheticTumour[];
  readonly seed?: number;
  /** Split fraction range of terminal counts at each node; [0.5, 0.5] gives a balanced tree. */
  readonly splitRange?: readonly [number, number];
}

export function buildSyntheticTree(options: SyntheticTreeOptions): ArterialTree {
  const T = options.terminals;
  const rTerm = options.terminalRadiusMm ?? 0.035;
  const gamma = options.murrayExponent ?? 3;
  const territoryMl = options.territoryMl ?? 0.001;
  const tumours = options.tumours ?? [];
  const [lo, hi] = options.splitRange ?? [0.3, 0.7];
  const stream = createStream(options.seed ?? 1, 0);
  const n = 2 * T - 1;
  const parent = new Int32Array(n);
  const child0 = new Int32Array(n).fill(-1);
  const child1 = new Int32Array(n).fill(-1);
  const subtreeEnd = new Int32Array(n);
  const generation = new Int32Array(n);
  const proximalMm = new Float64Array(3 * n);
  const distalMm = new Float64Array(3 * n);
  const radiusMm = new Float64Array(n);
  const lengthMm = new Float64Array(n);
  const flow = new Float64Array(n);
  const compartment = new Int32Array(n).fill(-1);
  const territory = new Float64Array(n);
  const terminalPressurePa = new Float64Array(n).fill(25 * PA_PER_MMHG);
  const terminalsBelow = new Int32Array(n);
  const firstTerminalBelow = new Int32Array(n);

  // Pre-order construction with an explicit stack: segment i covers terminals
  // [firstTerminalBelow[i], firstTerminalBelow[i] + terminalsBelow[i]).
  parent[0] = -1;
  terminalsBelow[0] = T;
  firstTerminalBelow[0] = 0;
  const stack: number[] = [0];
  while (stack.length > 0) {
    const i = stack.pop() as number;
    const t = terminalsBelow[i];
    if (t === 1) continue;
    const split = lo + (hi - lo) * stream.nextFloat();
    const t0 = Math.min(t - 1, Math.max(1, Math.round(t * split)));
    // Pre-order: child0 = next index, child1 after child0's whole subtree (2·t0 − 1 segments).
    const c0 = i + 1;
    const c1 = c0 + 2 * t0 - 1;
    child0[i] = c0;
    child1[i] = c1;
    parent[c0] = i;
    parent[c1] = i;
    generation[c0] = generation[i] + 1;
    generation[c1] = generation[i] + 1;
    terminalsBelow[c0] = t0;
    terminalsBelow[c1] = t - t0;
    firstTerminalBelow[c0] = firstTerminalBelow[i];
    firstTerminalBelow[c1] = firstTerminalBelow[i] + t0;
    stack.push(c1, c0);
  }
  for (let i = n - 1; i >= 0; i--) {
    const c0 = child0[i];
    subtreeEnd[i] = c0 < 0 ? i + 1 : subtreeEnd[child1[i]];
    if (c0 < 0) {
      const term = firstTerminalBelow[i];
      let comp = 0;
      let scale = 1;
      for (let k = 0; k < tumours.length; k++) {
        const tu = tumours[k];
        if (term >= tu.firstTerminal && term < tu.firstTerminal + tu.terminals) {
          comp = k + 1;
          scale = tu.radiusScale;
        }
      }
      compartment[i] = comp;
      territory[i] = territoryMl;
      radiusMm[i] = rTerm * scale;
    } else {
      radiusMm[i] = Math.pow(radiusMm[c0] ** gamma + radiusMm[child1[i]] ** gamma, 1 / gamma);
    }
    lengthMm[i] = 20 * radiusMm[i];
  }
  // Geometry: each segment turns by a random direction from its parent's.
  for (let i = 0; i < n; i++) {
    const p = parent[i];
    for (let a = 0; a < 3; a++) proximalMm[3 * i + a] = p < 0 ? 0 : distalMm[3 * p + a];
    let dx = stream.nextNormal();
    let dy = stream.nextNormal();
    let dz = stream.nextNormal();
    const norm = Math.hypot(dx, dy, dz) || 1;
    dx /= norm;
    dy /= norm;
    dz /= norm;
    distalMm[3 * i] = proximalMm[3 * i] + dx * lengthMm[i];
    distalMm[3 * i + 1] = proximalMm[3 * i + 1] + dy * lengthMm[i];
    distalMm[3 * i + 2] = proximalMm[3 * i + 2] + dz * lengthMm[i];
  }
  const params = {
    murrayExponent: gamma,
    viscosityPaS: 3.5e-3,
    inletPressurePa: 98 * PA_PER_MMHG,
    terminalPressurePa: 25 * PA_PER_MMHG,
    rootFlowMlPerMin: 0,
    seed: options.seed ?? 1,
  };
  const tree: ArterialTree = {
    segmentCount: n,
    parent,
    child0,
    child1,
    subtreeEnd,
    generation,
    proximalMm,
    distalMm,
    radiusMm,
    lengthMm,
    flowMlPerMin: flow,
    compartment,
    territoryMl: territory,
    terminalPressurePa,
    compartmentNames: ["normal", ...tumours.map((t) => t.name)],
    entryPoints: { root: 0 },
    params,
  };
  const resistance = segmentResistances(new Float64Array(n), tree, params.viscosityPaS);
  const eq = reduceSubtrees(createSubtreeEquivalents(n), tree, resistance);
  const flowM3 = new Float64Array(n);
  distributeFlows(flowM3, null, tree, resistance, eq, params.inletPressurePa);
  for (let i = 0; i < n; i++) flow[i] = flowM3[i] / M3_PER_S_PER_ML_PER_MIN;
  return tree;
}

/** Baseline flow fraction of each compartment among the terminals of the subtree of `entry`. */
export function compartmentFlowFractions(tree: ArterialTree, entry = 0): number[] {
  const out = new Array<number>(tree.compartmentNames.length).fill(0);
  let total = 0;
  for (let i = entry; i < tree.subtreeEnd[entry]; i++) {
    if (tree.child0[i] >= 0) continue;
    out[tree.compartment[i]] += tree.flowMlPerMin[i];
    total += tree.flowMlPerMin[i];
  }
  return out.map((f) => f / total);
}

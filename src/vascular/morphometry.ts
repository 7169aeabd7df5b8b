/**
 * Morphometry of a tree for comparison with published casts: Strahler orders (terminals are
 * order 1; a parent takes the larger order of its daughters, +1 when they are equal), counts,
 * mean radius, length and length/radius per order, Horton ratios (branching R_B = N_k / N_{k+1},
 * radius R_r = r_{k+1} / r_k, length R_L = L_{k+1} / L_k, geometric means over orders), and the
 * mean radius per generation.
 */
import type { ArterialTree } from "./tree.js";

export interface OrderStats {
  readonly order: number;
  readonly segments: number;
  readonly meanRadiusMm: number;
  readonly meanLengthMm: number;
  readonly meanLengthOverRadius: number;
}

export interface Morphometry {
  readonly orders: readonly OrderStats[];
  readonly branchingRatio: number;
  readonly radiusRatio: number;
  readonly lengthRatio: number;
  /** Mean radius per generation (index = generation), mm. */
  readonly meanRadiusByGenerationMm: readonly number[];
}

/** Strahler order of every segment (pre-order tree: one backward pass). */
export function strahlerOrders(tree: ArterialTree): Int32Array {
  const n = tree.segmentCount;
  const order = new Int32Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const a = tree.child0[i];
    if (a < 0) {
      order[i] = 1;
      continue;
    }
    const oa = order[a], ob = order[tree.child1[i]];
    order[i] = oa === ob ? oa + 1 : Math.max(oa, ob);
  }
  return order;
}

export function morphometry(tree: ArterialTree): Morphometry {
  const n = tree.segmentCount;
  const order = strahlerOrders(tree);
  const maxOrder = order[0];
  const count = new Float64Array(maxOrder + 1), r = new Float64Array(maxOrder + 1), l = new Float64Array(maxOrder + 1), lr = new Float64Array(maxOrder + 1);
  let maxGen = 0;
  for (let i = 0; i < n; i++) maxGen = Math.max(maxGen, tree.generation[i]);
  const genR = new Float64Array(maxGen + 1), genN = new Float64Array(maxGen + 1);
  for (let i = 0; i < n; i++) {
    const o = order[i];
    count[o]++;
    r[o] += tree.radiusMm[i];
    l[o] += tree.lengthMm[i];
    lr[o] += tree.lengthMm[i] / tree.radiusMm[i];
    genR[tree.generation[i]] += tree.radiusMm[i];
    genN[tree.generation[i]]++;
  }
  const orders: OrderStats[] = [];
  for (let o = 1; o <= maxOrder; o++) {
    orders.push({ order: o, segments: count[o], meanRadiusMm: r[o] / count[o], meanLengthMm: l[o] / count[o], meanLengthOverRadius: lr[o] / count[o] });
  }
  // Horton ratios as geometric means of consecutive-order ratios (orders with ≥ 10 segments).
  const ratio = (f: (s: OrderStats) => number, inverse: boolean) => {
    let logSum = 0, k = 0;
    for (let o = 0; o + 1 < orders.length; o++) {
      if (orders[o + 1].segments < 10) break;
      const a = f(orders[o]), b = f(orders[o + 1]);
      logSum += Math.log(inverse ? a / b : b / a);
      k++;
    }
    return k > 0 ? Math.exp(logSum / k) : NaN;
  };
  return {
    orders,
    branchingRatio: ratio((s) => s.segments, true),
    radiusRatio: ratio((s) => s.meanRadiusMm, false),
    lengthRatio: ratio((s) => s.meanLengthMm, false),
    meanRadiusByGenerationMm: Array.from(genR, (v, g) => v / genN[g]),
  };
}

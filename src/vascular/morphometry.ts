/**
 * Morphometry of a tree for comparison with published casts, by the diameter-independent
 * Strahler ordering of Horton (1945) and Strahler (1957) as used for arterial casts (Kassab et
 * al., Am J Physiol 1993;265:H350): terminals are order 1; a parent takes the larger order of its
 * daughters, +1 when they are equal. An **element** is a maximal chain of segments of the same
 * order (a trunk with side branches of lower order is one element of several segments); Horton's
 * laws are stated for elements: branching ratio R_B = N_k / N_{k+1}, radius ratio
 * R_r = r_{k+1} / r_k, length ratio R_L = L_{k+1} / L_k, each the exponential of the least-squares
 * slope of log(quantity) against order (Kassab 1993) over orders 1…K with ≥ 10 elements.
 * Per order: segments, elements, segments per element, mean segment radius, mean element length,
 * mean element length / mean segment radius; and the mean radius per generation.
 */
import type { ArterialTree } from "./tree.js";

export interface OrderStats {
  readonly order: number;
  readonly segments: number;
  readonly elements: number;
  /** Mean radius of the segments of this order, mm. */
  readonly meanRadiusMm: number;
  /** Mean length of a segment of this order, mm. */
  readonly meanLengthMm: number;
  /** Mean length/radius of the segments of this order. */
  readonly meanLengthOverRadius: number;
  /** Mean length of an element (chain of same-order segments), mm. */
  readonly meanElementLengthMm: number;
  /** Mean element length / mean segment radius of the order. */
  readonly elementLengthOverRadius: number;
}

export interface Morphometry {
  readonly orders: readonly OrderStats[];
  /** Horton ratios over elements (see the file comment). */
  readonly branchingRatio: number;
  readonly radiusRatio: number;
  readonly lengthRatio: number;
  /** Mean radius per generation (index = generation), mm. */
  readonly meanRadiusByGenerationMm: readonly number[];
  /** Mean smaller/larger daughter flow ratio over all bifurcations (Zamir's flow asymmetry). */
  readonly meanFlowSplitRatio: number;
  /** Median smaller/larger daughter radius ratio over all bifurcations. */
  readonly medianDaughterRadiusRatio: number;
  /** Mean area expansion ratio (r₀² + r₁²) / r_p² over all bifurcations. */
  readonly meanAreaExpansionRatio: number;
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

/** exp of the least-squares slope of log(y_k) against k over the first `count` entries. */
function hortonRatio(y: readonly number[], count: number): number {
  if (count < 2) return NaN;
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let k = 0; k < count; k++) {
    const ly = Math.log(y[k]);
    sx += k;
    sy += ly;
    sxx += k * k;
    sxy += k * ly;
  }
  return Math.exp((count * sxy - sx * sy) / (count * sxx - sx * sx));
}

export function morphometry(tree: ArterialTree): Morphometry {
  const n = tree.segmentCount;
  const order = strahlerOrders(tree);
  const maxOrder = order[0];
  const count = new Float64Array(maxOrder + 1), elems = new Float64Array(maxOrder + 1);
  const r = new Float64Array(maxOrder + 1), l = new Float64Array(maxOrder + 1), lr = new Float64Array(maxOrder + 1);
  let maxGen = 0;
  for (let i = 0; i < n; i++) maxGen = Math.max(maxGen, tree.generation[i]);
  const genR = new Float64Array(maxGen + 1), genN = new Float64Array(maxGen + 1);
  let splitSum = 0, bifurcations = 0, areaSum = 0;
  const radiusRatios = new Float64Array((n - 1) >>> 1);
  for (let i = 0; i < n; i++) {
    const o = order[i];
    count[o]++;
    // A segment starts a new element unless its parent has the same order.
    const p = tree.parent[i];
    if (p < 0 || order[p] !== o) elems[o]++;
    r[o] += tree.radiusMm[i];
    l[o] += tree.lengthMm[i];
    lr[o] += tree.lengthMm[i] / tree.radiusMm[i];
    genR[tree.generation[i]] += tree.radiusMm[i];
    genN[tree.generation[i]]++;
    const a = tree.child0[i];
    if (a >= 0) {
      const qa = tree.flowMlPerMin[a], qb = tree.flowMlPerMin[tree.child1[i]];
      splitSum += Math.min(qa, qb) / Math.max(qa, qb);
      const ra = tree.radiusMm[a], rb = tree.radiusMm[tree.child1[i]], rp = tree.radiusMm[i];
      areaSum += (ra * ra + rb * rb) / (rp * rp);
      if (bifurcations < radiusRatios.length) radiusRatios[bifurcations] = Math.min(ra, rb) / Math.max(ra, rb);
      bifurcations++;
    }
  }
  const orders: OrderStats[] = [];
  for (let o = 1; o <= maxOrder; o++) {
    const meanR = r[o] / count[o];
    const elementL = l[o] / elems[o];
    orders.push({
      order: o,
      segments: count[o],
      elements: elems[o],
      meanRadiusMm: meanR,
      meanLengthMm: l[o] / count[o],
      meanLengthOverRadius: lr[o] / count[o],
      meanElementLengthMm: elementL,
      elementLengthOverRadius: elementL / meanR,
    });
  }
  let fit = 0;
  while (fit < orders.length && orders[fit].elements >= 10) fit++;
  return {
    orders,
    branchingRatio: 1 / hortonRatio(orders.map((s) => s.elements), fit),
    radiusRatio: hortonRatio(orders.map((s) => s.meanRadiusMm), fit),
    lengthRatio: hortonRatio(orders.map((s) => s.meanElementLengthMm), fit),
    meanRadiusByGenerationMm: Array.from(genR, (v, g) => v / genN[g]),
    meanFlowSplitRatio: bifurcations > 0 ? splitSum / bifurcations : NaN,
    medianDaughterRadiusRatio: bifurcations > 0 ? radiusRatios.subarray(0, bifurcations).sort()[bifurcations >>> 1] : NaN,
    meanAreaExpansionRatio: bifurcations > 0 ? areaSum / bifurcations : NaN,
  };
}

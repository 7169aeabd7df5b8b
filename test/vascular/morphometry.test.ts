import { beforeAll, describe, expect, it } from "vitest";
import { buildDomain, DEFAULT_LIVER_ELLIPSOIDS } from "../../src/geometry/build.js";
import type { Domain } from "../../src/geometry/domain.js";
import { growTree } from "../../src/vascular/grow.js";
import { parseTreeSection } from "../../src/vascular/config.js";
import { morphometry, strahlerOrders } from "../../src/vascular/morphometry.js";
import { murrayResidual } from "../../src/vascular/murray.js";
import type { ArterialTree } from "../../src/vascular/tree.js";
import { InputError } from "../../src/errors.js";

/** A hand-built tree with only the fields morphometry reads (pre-order; children after parents). */
function handTree(parent: number[], radiusMm: number[], lengthMm: number[], flowMlPerMin?: number[]): ArterialTree {
  const n = parent.length;
  const child0 = new Int32Array(n).fill(-1), child1 = new Int32Array(n).fill(-1), generation = new Int32Array(n);
  for (let i = 1; i < n; i++) {
    if (child0[parent[i]] < 0) child0[parent[i]] = i;
    else child1[parent[i]] = i;
    generation[i] = generation[parent[i]] + 1;
  }
  const flow = flowMlPerMin ?? radiusMm.map((r) => r ** 3);
  return {
    segmentCount: n,
    parent: Int32Array.from(parent),
    child0,
    child1,
    generation,
    radiusMm: Float64Array.from(radiusMm),
    lengthMm: Float64Array.from(lengthMm),
    flowMlPerMin: Float64Array.from(flow),
  } as unknown as ArterialTree;
}

/** Complete binary tree of `levels` generations in pre-order, radius 2^(−g/3), length 2^(−g/3)·4. */
function completeTree(levels: number): ArterialTree {
  const parent: number[] = [], r: number[] = [], l: number[] = [];
  const visit = (p: number, g: number) => {
    const i = parent.length;
    parent.push(p);
    r.push(2 ** (-g / 3));
    l.push(4 * 2 ** (-g / 3));
    if (g + 1 < levels) {
      visit(i, g + 1);
      visit(i, g + 1);
    }
  };
  visit(-1, 0);
  return handTree(parent, r, l);
}

/** Number of terminals below segment i of a grown tree (pre-order: (subtree size + 1) / 2). */
const terminalsBelow = (t: ArterialTree, i: number) => (t.subtreeEnd[i] - i + 1) / 2;

describe("morphometry on trees with closed-form Strahler statistics", () => {
  it("gives R_B = 2, R_r = 2^(1/3) and R_L = 2^(1/3) for a complete binary tree with r ∝ 2^(−g/3)", () => {
    const m = morphometry(completeTree(12));
    expect(m.orders.length).toBe(12);
    // 12 orders, 2^(12−k) elements of one segment each; the fit uses the orders with ≥ 10 elements (1…8).
    for (const o of m.orders) {
      expect(o.elements).toBe(2 ** (12 - o.order));
      expect(o.segments).toBe(o.elements);
    }
    expect(m.branchingRatio).toBeCloseTo(2, 12);
    expect(m.radiusRatio).toBeCloseTo(2 ** (1 / 3), 12);
    expect(m.lengthRatio).toBeCloseTo(2 ** (1 / 3), 12);
    expect(m.medianDaughterRadiusRatio).toBe(1);
    expect(m.meanAreaExpansionRatio).toBeCloseTo(2 * 2 ** (-2 / 3), 12);
  });

  it("counts a trunk with side branches (a comb) as one element of several segments", () => {
    // 0 → (1 terminal, 2 trunk) → (3 terminal, 4 trunk) → (5, 6 terminals): trunk 0, 2, 4 is order 2.
    const t = handTree([-1, 0, 0, 2, 2, 4, 4], [3, 1, 2.5, 1, 2, 1, 1], [10, 1, 4, 1, 3, 1, 1]);
    expect(Array.from(strahlerOrders(t))).toEqual([2, 1, 2, 1, 2, 1, 1]);
    const m = morphometry(t);
    expect(m.orders[1]).toMatchObject({ order: 2, segments: 3, elements: 1, meanElementLengthMm: 17 });
    expect(m.orders[0]).toMatchObject({ order: 1, segments: 4, elements: 4, meanElementLengthMm: 1 });
  });
});

describe("bisection subtree asymmetry (tree.asymmetry)", () => {
  let domain: Domain;
  let asymmetric: ArterialTree;
  let symmetric: ArterialTree;
  beforeAll(() => {
    domain = buildDomain({ liver: { ellipsoids: DEFAULT_LIVER_ELLIPSOIDS }, tumours: [] });
    asymmetric = growTree(domain, { terminals: 20_000, optimisedTerminals: 400 }, 1);
    symmetric = growTree(domain, { terminals: 20_000, optimisedTerminals: 400, asymmetry: 0 }, 1);
  });

  it("asymmetry 0 splits every bisection node at the median: daughters' terminal counts differ by at most 1", () => {
    let checked = 0;
    for (let i = 0; i < symmetric.segmentCount; i++) {
      const a = symmetric.child0[i];
      if (a < 0 || symmetric.optimised![a] === 1) continue;
      expect(Math.abs(terminalsBelow(symmetric, a) - terminalsBelow(symmetric, symmetric.child1[i]))).toBeLessThanOrEqual(1);
      checked++;
    }
    expect(checked).toBeGreaterThan(15_000);
  });

  it("the default (asymmetry 1) makes unequal splits, and Murray's law and flow conservation still hold exactly", () => {
    let lopsided = 0, worstMurray = 0, worstFlow = 0;
    for (let i = 0; i < asymmetric.segmentCount; i++) {
      const a = asymmetric.child0[i];
      if (a < 0) continue;
      const b = asymmetric.child1[i];
      const na = terminalsBelow(asymmetric, a), nb = terminalsBelow(asymmetric, b);
      if (asymmetric.optimised![a] === 0 && Math.min(na, nb) / Math.max(na, nb) < 0.1) lopsided++;
      worstMurray = Math.max(worstMurray, murrayResidual(asymmetric, i, 3));
      const q = asymmetric.flowMlPerMin;
      worstFlow = Math.max(worstFlow, Math.abs(q[i] - q[a] - q[b]) / q[i]);
    }
    expect(lopsided).toBeGreaterThan(100);
    expect(worstMurray).toBeLessThan(1e-9);
    expect(worstFlow).toBeLessThan(1e-9);
  });

  it("the default's Horton branching ratio lies in the 3.0–3.6 of arterial casts; the symmetric tree's does not", () => {
    // Arterial casts (Strahler elements): R_B ≈ 3–3.6 (Kassab et al., Am J Physiol 1993;265:H350).
    const m = morphometry(asymmetric);
    expect(m.branchingRatio).toBeGreaterThanOrEqual(3.0);
    expect(m.branchingRatio).toBeLessThanOrEqual(3.6);
    expect(morphometry(symmetric).branchingRatio).toBeLessThan(2.8);
  });

  it("the default's median daughter radius ratio is within 0.06 of the 0.76 of human coronary casts", () => {
    // Morphometry of human coronary arterial trees, Anat Rec 1998;251:50–59: median r_small/r_large 0.76.
    expect(Math.abs(morphometry(asymmetric).medianDaughterRadiusRatio - 0.76)).toBeLessThan(0.06);
    expect(morphometry(symmetric).medianDaughterRadiusRatio).toBeGreaterThan(0.85);
  });

  it("rejects an asymmetry outside [0, 4] naming the field", () => {
    expect(() => growTree(domain, { terminals: 100, optimisedTerminals: 10, asymmetry: -1 })).toThrow(InputError);
    expect(() => parseTreeSection({ asymmetry: 5 })).toThrow(/tree\.asymmetry/);
    expect(parseTreeSection({ terminals: 100 }).asymmetry).toBe(1);
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { buildDomain } from "../../src/geometry/build.js";
import type { TumourConfig } from "../../src/geometry/build.js";
import { InputError } from "../../src/errors.js";
import { growTree } from "../../src/vascular/grow.js";
import { parseGeometrySection } from "../../src/vascular/config.js";
import { murrayResidual } from "../../src/vascular/murray.js";
import { createSubtreeEquivalents, distributeFlows, reduceSubtrees, segmentResistances } from "../../src/vascular/hemodynamics.js";
import { treeSummary } from "../../src/vascular/export.js";
import type { ArterialTree } from "../../src/vascular/tree.js";
import { PA_PER_MMHG } from "../../src/vascular/tree.js";

// Closed-form volumes: an 80 × 70 × 60 mm ellipsoid liver with a 25 mm tumour of T/N 4.
const A = [80, 70, 60] as const;
const LIVER_ML = ((4 / 3) * Math.PI * A[0] * A[1] * A[2]) / 1000;
const TUMOUR_ML = ((4 / 3) * Math.PI * 25 ** 3) / 1000;
const TN = 4;
const TUMOUR_P_MMHG = 35;

function domainWith(extra: Partial<TumourConfig>) {
  return buildDomain({ liver: { ellipsoids: [{ centerMm: [0, 0, 0], semiAxesMm: [...A] }] }, tumours: [{ name: "met", centerMm: [20, 0, 0], radiusMm: 25, tnRatio: TN, ...extra }] });
}

// Equal terminal flows (not the default tessellation, src/vascular/territories.ts): the test checks
// that each terminal gets its demand, which is then the same for every terminal of a compartment.
const OPTIONS = { terminals: 3000, optimisedTerminals: 500, terminalFlows: "equal" as const };

describe("tumour terminals with their own outflow pressure (geometry.tumours[].terminalPressureMmHg)", () => {
  let tree: ArterialTree;
  let reference: ArterialTree;
  beforeAll(() => {
    tree = growTree(domainWith({ terminalPressureMmHg: TUMOUR_P_MMHG }), OPTIONS, 4);
    reference = growTree(domainWith({}), OPTIONS, 4);
  });

  it("drains every tumour terminal at 35 mmHg and every normal one at 25 mmHg in the Poiseuille solution (within 1e-9 of the drop)", () => {
    const n = tree.segmentCount;
    const resistance = segmentResistances(new Float64Array(n), tree, tree.params.viscosityPaS);
    const eq = reduceSubtrees(createSubtreeEquivalents(n), tree, resistance);
    const flow = new Float64Array(n), distal = new Float64Array(n);
    distributeFlows(flow, distal, tree, resistance, eq, tree.params.inletPressurePa);
    const dropPa = tree.params.inletPressurePa - tree.params.terminalPressurePa;
    let tumourTerminals = 0;
    for (let i = 0; i < n; i++) {
      if (tree.child0[i] >= 0) continue;
      const expectedPa = (tree.compartment[i] === 1 ? TUMOUR_P_MMHG : 25) * PA_PER_MMHG;
      expect(tree.terminalPressurePa[i]).toBe(expectedPa);
      expect(Math.abs(distal[i] - expectedPa)).toBeLessThan(1e-9 * dropPa);
      if (tree.compartment[i] === 1) tumourTerminals++;
    }
    expect(tumourTerminals).toBeGreaterThan(100);
  });

  it("still gives every terminal its demand: equal flow per terminal in a compartment, the same tumour fraction as with equal pressures, T/N·V_T/(T/N·V_T + V_N) within 2 %", () => {
    const lo = [Infinity, Infinity], hi = [0, 0];
    for (let i = 0; i < tree.segmentCount; i++) {
      if (tree.child0[i] >= 0) continue;
      const c = tree.compartment[i];
      lo[c] = Math.min(lo[c], tree.flowMlPerMin[i]);
      hi[c] = Math.max(hi[c], tree.flowMlPerMin[i]);
    }
    for (const c of [0, 1]) expect(hi[c] / lo[c] - 1).toBeLessThan(1e-9);
    const got = treeSummary(tree).tumourFlowFraction;
    expect(Math.abs(got - treeSummary(reference).tumourFlowFraction)).toBeLessThan(1e-9);
    const expected = (TN * TUMOUR_ML) / (TN * TUMOUR_ML + LIVER_ML - TUMOUR_ML);
    expect(Math.abs(got - expected) / expected).toBeLessThan(0.02);
    expect(tree.flowMlPerMin[0]).toBeCloseTo(400, 9);
    // Flow conservation at every node.
    let worst = 0;
    for (let i = 0; i < tree.segmentCount; i++) {
      if (tree.child0[i] < 0) continue;
      worst = Math.max(worst, Math.abs(tree.flowMlPerMin[i] - tree.flowMlPerMin[tree.child0[i]] - tree.flowMlPerMin[tree.child1[i]]) / tree.flowMlPerMin[i]);
    }
    expect(worst).toBeLessThan(1e-9);
  });

  it("keeps Murray's law exact and widens the tumour terminals (less driving pressure for the same flow)", () => {
    let worst = 0;
    for (let i = 0; i < tree.segmentCount; i++) if (tree.child0[i] >= 0) worst = Math.max(worst, murrayResidual(tree, i, 3));
    expect(worst).toBeLessThan(1e-9);
    const meanTumourRadius = (t: ArterialTree) => {
      let s = 0, k = 0;
      for (let i = 0; i < t.segmentCount; i++) if (t.child0[i] < 0 && t.compartment[i] === 1) { s += t.radiusMm[i]; k++; }
      return s / k;
    };
    expect(meanTumourRadius(tree)).toBeGreaterThan(1.02 * meanTumourRadius(reference));
  });

  it("rejects an outflow pressure at or above the inlet, or too high for a forward-flow sizing, naming the field", () => {
    expect(() => growTree(domainWith({ terminalPressureMmHg: 98 }), OPTIONS, 4)).toThrow(/geometry\.tumours\[0\]\.terminalPressureMmHg/);
    expect(() => growTree(domainWith({ terminalPressureMmHg: 90 }), OPTIONS, 4)).toThrow(InputError);
    expect(() => parseGeometrySection({ tumours: [{ name: "m", centerMm: [0, 0, 0], radiusMm: 5, terminalPressureMmHg: -1 }] })).toThrow(/terminalPressureMmHg/);
    expect(parseGeometrySection({ tumours: [{ name: "m", centerMm: [0, 0, 0], radiusMm: 5, terminalPressureMmHg: 30 }] }).tumours[0].terminalPressureMmHg).toBe(30);
  });
});

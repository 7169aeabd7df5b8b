import { describe, expect, it } from "vitest";
import { runCascadeUnit } from "../../src/transport/cascade.js";
import { createTransportContext } from "../../src/transport/context.js";
import { cascadeArraysOf } from "../../src/transport/subtrees.js";
import { createFlowState, solveSplits } from "../../src/transport/embolic.js";
import { buildSyntheticTree } from "./helpers/syntheticTree.js";

describe("cascade work units", () => {
  const tree = buildSyntheticTree({
    terminals: 3000,
    terminalRadiusMm: 0.016,
    tumours: [{ name: "T1", firstTerminal: 500, terminals: 100, radiusScale: 1.4 }],
    seed: 12,
  });
  const shunt = Float64Array.of(0, 0.1);
  const context = createTransportContext(tree, 0, { mean: 32, sd: 10, min: 20, max: 60 }, shunt, 5);
  const split0 = new Float64Array(tree.segmentCount);
  solveSplits(split0, createFlowState(tree, 50), context, 0.6, new Int32Array(64));
  const arrays = cascadeArraysOf({ ...tree, ...context, split0 }, 30, 0.07);

  it("add up exactly to the inline batch when run separately, in reverse order, each with its own buffers (as workers would)", () => {
    const spheres = 2_000_000;
    // One thread, one set of arrays: the top unit, then every cut subtree in pre-order.
    const inline = new Float64Array(tree.segmentCount);
    const arrivals = new Float64Array(tree.segmentCount);
    const zeros = new Float64Array(tree.segmentCount);
    let lungInline = runCascadeUnit(inline, arrivals, zeros, arrays, { batch: 3, root: 0, spheres, top: true }, 99);
    for (const root of context.cutRoots) {
      if (arrivals[root] > 0) lungInline += runCascadeUnit(inline, zeros, zeros, arrays, { batch: 3, root, spheres: arrivals[root], top: false }, 99);
    }

    // "Worker" runs: the top unit first (it decides the spheres per cut root), then each cut
    // subtree on fresh arrays, in reverse order; partial counts are summed at the end.
    const n = tree.segmentCount;
    const top = new Float64Array(n);
    const cutArrivals = new Float64Array(n);
    let lung = runCascadeUnit(top, cutArrivals, new Float64Array(n), arrays, { batch: 3, root: 0, spheres, top: true }, 99);
    const merged = Float64Array.from(top);
    expect(context.cutRoots.length).toBeGreaterThan(10);
    for (let k = context.cutRoots.length - 1; k >= 0; k--) {
      const root = context.cutRoots[k];
      if (cutArrivals[root] === 0) continue;
      const partial = new Float64Array(n);
      lung += runCascadeUnit(partial, new Float64Array(n), new Float64Array(n), arrays, { batch: 3, root, spheres: cutArrivals[root], top: false }, 99);
      for (let j = root; j < tree.subtreeEnd[root]; j++) merged[j] += partial[j];
      // A unit writes only inside its own subtree.
      for (let j = 0; j < root; j++) expect(partial[j]).toBe(0);
    }
    expect(lung).toBe(lungInline);
    expect(merged).toEqual(inline);
    let total = lung;
    for (let j = 0; j < n; j++) total += merged[j];
    expect(total).toBe(spheres);
  });
});

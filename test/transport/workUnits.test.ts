import { fixedCapacity } from "../../src/transport/models/capacity.js";
import { resolveHeterogeneity, splitOdds } from "../../src/transport/models/heterogeneity.js";
import { describe, expect, it } from "vitest";
import { cascadeStreamId, runCascadeUnit, STREAM_DEPTH, type CascadeArrays } from "../../src/transport/cascade.js";
import { binomial } from "../../src/random/binomial.js";
import { beta } from "../../src/random/beta.js";
import { createStream, type RandomStream } from "../../src/random/stream.js";
import { createTransportContext } from "../../src/transport/context.js";
import { cascadeArraysOf } from "../../src/transport/subtrees.js";
import { createFlowState, solveSplits } from "../../src/transport/flowSolve.js";
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
  solveSplits(split0, createFlowState(tree, fixedCapacity(50)), context, splitOdds(tree, resolveHeterogeneity(undefined, 0.6)), new Int32Array(64));
  const arrays = cascadeArraysOf({ ...tree, ...context, split0 }, tree.generation[0] + STREAM_DEPTH, 30, 0.07);

  it("add up exactly to the inline batch when run separately, in reverse order, each with its own buffers (as workers would)", () => {
    const spheres = 2_000_000;
    // One thread, one set of arrays: the top unit, then every cut subtree in pre-order.
    const inline = new Float64Array(tree.segmentCount);
    const arrivals = new Float64Array(tree.segmentCount);
    const zeros = new Float64Array(tree.segmentCount);
    let lungInline = runCascadeUnit(inline, arrivals, arrays, { batch: 3, root: 0, spheres, top: true }, 99);
    for (const root of context.cutRoots) {
      if (arrivals[root] > 0) lungInline += runCascadeUnit(inline, zeros, arrays, { batch: 3, root, spheres: arrivals[root], top: false }, 99);
    }

    // "Worker" runs: the top unit first (it decides the spheres per cut root), then each cut
    // subtree on fresh arrays, in reverse order; partial counts are summed at the end.
    const n = tree.segmentCount;
    const top = new Float64Array(n);
    const cutArrivals = new Float64Array(n);
    let lung = runCascadeUnit(top, cutArrivals, arrays, { batch: 3, root: 0, spheres, top: true }, 99);
    const merged = Float64Array.from(top);
    expect(context.cutRoots.length).toBeGreaterThan(10);
    for (let k = context.cutRoots.length - 1; k >= 0; k--) {
      const root = context.cutRoots[k];
      if (cutArrivals[root] === 0) continue;
      const partial = new Float64Array(n);
      lung += runCascadeUnit(partial, new Float64Array(n), arrays, { batch: 3, root, spheres: cutArrivals[root], top: false }, 99);
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

  it("visit the segments that receive spheres in pre-order: equal to the cascade written as a recursion over the tree", () => {
    // The definition the unit implements with an explicit stack: at a segment, draw the lung shunt
    // (terminal) or the split and both daughters' size blocks, then walk the first daughter's
    // subtree, then the second's. A segment at most STREAM_DEPTH generations below the entry
    // draws from its own stream (keyed by batch and segment), a deeper one from its parent's
    // stream, the unit's root from its own: the same draws in the same order.
    const reference = (out: Float64Array, a: CascadeArrays, root: number, spheres: number, seed: number, batch: number): number => {
      const stream = createStream(seed, cascadeStreamId(batch, root, a.child0.length));
      let lung = 0;
      const visit = (j: number, n: number, parentStream: RandomStream): void => {
        if (n === 0) return;
        const s = j !== root && a.generation[j] <= a.streamGeneration ? createStream(seed, cascadeStreamId(batch, j, a.child0.length)) : parentStream;
        const c0 = a.child0[j];
        if (c0 < 0) {
          const m = a.shuntFraction[a.compartment[j]] > 0 ? binomial(s, n, a.shuntFraction[a.compartment[j]]) : 0;
          lung += m;
          out[j] += n - m;
          return;
        }
        const c1 = a.child1[j];
        const p = a.split0[j];
        const q = a.noiseConcentration > 0 && p > 0 && p < 1 ? beta(s, a.noiseConcentration * p, a.noiseConcentration * (1 - p)) : p;
        let n0 = binomial(s, n, q);
        let n1 = n - n0;
        const pass = a.passFraction as Float64Array;
        if (pass[c0] < 1 && n0 > 0) {
          const b = binomial(s, n0, 1 - pass[c0]);
          out[c0] += b;
          n0 -= b;
        }
        if (pass[c1] < 1 && n1 > 0) {
          const b = binomial(s, n1, 1 - pass[c1]);
          out[c1] += b;
          n1 -= b;
        }
        if (c0 < c1) {
          visit(c0, n0, s);
          visit(c1, n1, s);
        } else {
          visit(c1, n1, s);
          visit(c0, n0, s);
        }
      };
      visit(root, spheres, stream);
      return lung;
    };
    const n = tree.segmentCount;
    let checked = 0;
    for (const root of context.cutRoots.slice(0, 12)) {
      for (const spheres of [3, 700, 250_000]) {
        const expected = new Float64Array(n);
        const got = new Float64Array(n);
        const lungExpected = reference(expected, arrays, root, spheres, 41, 2);
        const lungGot = runCascadeUnit(got, new Float64Array(0), arrays, { batch: 2, root, spheres, top: false }, 41);
        expect(lungGot).toBe(lungExpected);
        expect(got).toEqual(expected);
        checked += lungGot > 0 ? 1 : 0;
      }
    }
    // The tumour's terminals shunt (shunt 0.1 in compartment 1): the lung branch was exercised.
    expect(checked).toBeGreaterThan(0);
  });
});

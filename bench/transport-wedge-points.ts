/**
 * Where the 1 mm spread comes from (issue 14, the distribution below the dose voxel): spheres per
 * 1 mm cube of normal liver split into W, the spheres wedged above the leaves (resolved vessels'
 * inlets and the sub-terminal cascade's branch points), and S, the spheres spread over leaves (a
 * cascade's unit-mass pieces, or a resolved terminal's); W's variance is split into the "self"
 * term Σ c² over distinct wedge points (c spheres at one point: a branch point's vessels share
 * it) and the "cross" term (distinct wedge points in one cube: spatial aggregation). All per
 * mean² (so they add to RD²). Placement unclipped (uniform in each leaf box, a vessel's wedged
 * spheres at its proximal point). Small case of test/pipeline, feedback off, tree seed 100 + r,
 * seed 200 + r (bench/transport-resolution.ts's runs). bench/transport.md "Where the 1 mm spread comes from".
 *
 *   npx tsx bench/transport-wedge-points.ts [--terminals 120000,1500000] [--runs 1] [--unit-mg 1]
 */
import { loadSimulationCase } from "../src/pipeline/caseInput.js";
import { simulateCore } from "../src/pipeline/simulate.js";
import { subTerminalOf } from "../src/pipeline/core.js";
import { SubTerminalCascade } from "../src/transport/models/subTerminal.js";
import { ballLabel } from "../src/geometry/domain.js";
import { createStream } from "../src/random/stream.js";
import { smallCase } from "../test/pipeline/smallCase.js";
import { optionOf } from "./setOptions.js";

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => optionOf(args, name, fallback);
const counts = arg("terminals", "120000,1500000").split(",").map(Number);
const runs = Number(arg("runs", "1"));
const unitMassMg = Number(arg("unit-mg", "1"));
console.log(`| terminals, run | W mean | S mean | RD | W var | S var | 2 cov | W self | W cross | wedge points per cube | spheres per point |`);
console.log(`|---|---|---|---|---|---|---|---|---|---|---|`);
for (const terminals of counts) {
  for (let r = 0; r < runs; r++) {
    const c = smallCase({ seed: 200 + r, tree: { terminals, seed: 100 + r }, transport: { embolic: { enabled: false }, heterogeneity: { model: "fractal", unitMassMg } } });
    const simCase = loadSimulationCase(c);
    const core = simulateCore(simCase);
    const tree = core.tree;
    const { subTerminal, territoryCells } = subTerminalOf(core, simCase.domain);
    if (subTerminal === null) throw new Error("the fractal model has a sub-terminal cascade");
    // 1 mm bins over the tree's extent (+ 8 mm).
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    for (let j = 0; j < tree.segmentCount; j++) for (let a = 0; a < 3; a++) {
      lo[a] = Math.min(lo[a], Math.floor(tree.distalMm[3 * j + a]) - 8);
      hi[a] = Math.max(hi[a], Math.ceil(tree.distalMm[3 * j + a]) + 8);
    }
    const nx = hi[0] - lo[0], ny = hi[1] - lo[1], nz = hi[2] - lo[2];
    const binOf = (x: number, y: number, z: number) => {
      const i = Math.floor(x - lo[0]), j = Math.floor(y - lo[1]), k = Math.floor(z - lo[2]);
      return i >= 0 && i < nx && j >= 0 && j < ny && k >= 0 && k < nz ? i + nx * (j + ny * k) : -1;
    };
    const normal = new Uint8Array(nx * ny * nz);
    for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
      if (ballLabel(simCase.domain, lo[0] + i + 0.5, lo[1] + j + 0.5, lo[2] + k + 0.5, Math.sqrt(3) / 2) === 1) normal[i + nx * (j + ny * k)] = 1;
    }
    const W = new Float32Array(nx * ny * nz), S = new Float32Array(nx * ny * nz);
    const uniform = createStream(12345 + r, 1n);
    // Wedged spheres per distinct point, keyed by the point's coordinates.
    const points = new Map<string, number>();
    const wedge = (x: number, y: number, z: number, k: number) => {
      const b = binOf(x, y, z);
      if (b >= 0) W[b] += k;
      const key = `${x},${y},${z}`;
      points.set(key, (points.get(key) ?? 0) + k);
    };
    const cascade = new SubTerminalCascade(subTerminal);
    const box = cascade.leafBox;
    for (let j = 0; j < tree.segmentCount; j++) {
      const k = core.transport.segmentLodged[j];
      if (k === 0) continue;
      if (tree.child0[j] >= 0) {
        wedge(tree.proximalMm[3 * j], tree.proximalMm[3 * j + 1], tree.proximalMm[3 * j + 2], k);
        continue;
      }
      cascade.spreadTerminal(tree, territoryCells, j, k, simCase.seed, (n) => {
        if (cascade.leafShare[0] === 0) {
          wedge((box[0] + box[3]) / 2, (box[1] + box[4]) / 2, (box[2] + box[5]) / 2, n);
          return;
        }
        for (let s = 0; s < n; s++) {
          const b = binOf(box[0] + (box[3] - box[0]) * uniform.nextFloat(), box[1] + (box[4] - box[1]) * uniform.nextFloat(), box[2] + (box[5] - box[2]) * uniform.nextFloat());
          if (b >= 0) S[b]++;
        }
      });
    }
    let n = 0, sw = 0, ss = 0, sww = 0, sss = 0, sws = 0;
    for (let b = 0; b < normal.length; b++) {
      if (normal[b] === 0) continue;
      n++;
      sw += W[b];
      ss += S[b];
      sww += W[b] * W[b];
      sss += S[b] * S[b];
      sws += W[b] * S[b];
    }
    let self = 0, pointsInNormal = 0;
    for (const [key, k] of points) {
      const [x, y, z] = key.split(",").map(Number);
      const b = binOf(x, y, z);
      if (b < 0 || normal[b] === 0) continue;
      self += k * k;
      pointsInNormal++;
    }
    const mw = sw / n, ms = ss / n, m2 = (mw + ms) ** 2;
    const vw = sww / n - mw * mw, vs = sss / n - ms * ms, cov = sws / n - mw * ms;
    const f = (x: number) => x.toFixed(3);
    console.log(`| ${terminals.toLocaleString("en")}, ${r} | ${mw.toFixed(2)} | ${ms.toFixed(2)} | ${f(Math.sqrt(vw + vs + 2 * cov) / (mw + ms))} | ${f(vw / m2)} | ${f(vs / m2)} | ${f((2 * cov) / m2)} | ${f(self / n / m2)} | ${f((vw - self / n) / m2)} | ${f(pointsInNormal / n)} | ${(sw / pointsInNormal).toFixed(1)} |`);
  }
}

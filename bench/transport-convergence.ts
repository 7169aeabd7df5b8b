/**
 * Convergence of the batched cascade to the per-sphere walk with embolic feedback, as the batch
 * shrinks (fixed batch sizes and both adaptive rules, embolic.batchRule "vessel" and "subtree", at
 * several tolerances). Metric: the share of
 * spheres in the tumour and the realised T/N, mean over seeds; the walk re-solves flows after
 * every sphere (exact sequential model). Run: npx tsx bench/transport-convergence.ts
 */
import { simulateTransport, type TransportOptions } from "../src/transport/simulate.js";
import { buildSyntheticTree } from "../test/transport/helpers/syntheticTree.js";

const tree = buildSyntheticTree({
  terminals: 256,
  tumours: [{ name: "T1", firstTerminal: 40, terminals: 24, radiusScale: 1.5 }],
  seed: 5,
});
const spheres = 2000; // 256 terminals × capacity 20 = 5120: the injection fills ~40 %, the tumour (480) not quite
const seeds = [...Array(40).keys()];
// Flow-following (the recorded study's model; the library default is now "fractal", defaults.ts).
const base: TransportOptions = { spheres, heterogeneity: { model: "flow" }, embolic: { enabled: true, capacitySpheres: 20, refluxThresholdFraction: 0 } };
function stats(run: (seed: number) => { share: number; tn: number; batches: number }) {
  const xs = seeds.map(run);
  const mean = (f: (x: { share: number; tn: number; batches: number }) => number) => xs.reduce((a, x) => a + f(x), 0) / xs.length;
  const m = mean((x) => x.share);
  const se = Math.sqrt(xs.reduce((a, x) => a + (x.share - m) ** 2, 0) / (xs.length - 1) / xs.length);
  return { share: m, se, tn: mean((x) => x.tn), batches: mean((x) => x.batches) };
}
const summarize = (o: TransportOptions, seedOffset: number) => (seed: number) => {
  const r = simulateTransport(tree, o, seedOffset + seed);
  return { share: r.spheres.T1 / spheres, tn: r.tumourToNormalRatio ?? NaN, batches: r.batches };
};
const walk = stats(summarize({ ...base, algorithm: "walk" }, 0));
console.log(`tree 256 terminals, tumour 24 terminals (hypervascular), capacity 20 spheres/vessel, ${spheres} spheres, ${seeds.length} seeds`);
console.log("");
console.log("| batching | batches | tumour share (mean ± se) | gap to walk | T/N |");
console.log("|---|---|---|---|---|");
console.log(`| per-sphere walk (reference) | ${spheres} | ${walk.share.toFixed(4)} ± ${walk.se.toFixed(4)} | — | ${walk.tn.toFixed(3)} |`);
const cases: Array<[string, TransportOptions]> = [
  ["one batch (no feedback within)", { ...base, embolic: { ...base.embolic, batchSpheres: spheres } }],
  ["fixed 1000", { ...base, embolic: { ...base.embolic, batchSpheres: 1000 } }],
  ["fixed 300", { ...base, embolic: { ...base.embolic, batchSpheres: 300 } }],
  ["fixed 100", { ...base, embolic: { ...base.embolic, batchSpheres: 100 } }],
  ["fixed 30", { ...base, embolic: { ...base.embolic, batchSpheres: 30 } }],
  ["fixed 10", { ...base, embolic: { ...base.embolic, batchSpheres: 10 } }],
  ["adaptive \"vessel\" tol 0.2", { ...base, embolic: { ...base.embolic, batchRule: "vessel", batchTolerance: 0.2 } }],
  ["adaptive \"vessel\" tol 0.05", { ...base, embolic: { ...base.embolic, batchRule: "vessel", batchTolerance: 0.05 } }],
  ["adaptive \"vessel\" tol 0.01", { ...base, embolic: { ...base.embolic, batchRule: "vessel", batchTolerance: 0.01 } }],
  ["adaptive \"subtree\" tol 0.2", { ...base, embolic: { ...base.embolic, batchRule: "subtree", batchTolerance: 0.2 } }],
  ["adaptive \"subtree\" tol 0.05", { ...base, embolic: { ...base.embolic, batchRule: "subtree", batchTolerance: 0.05 } }],
  ["adaptive \"subtree\" tol 0.01 (default)", { ...base, embolic: { ...base.embolic, batchRule: "subtree", batchTolerance: 0.01 } }],
  ["adaptive \"subtree\" tol 0.002", { ...base, embolic: { ...base.embolic, batchRule: "subtree", batchTolerance: 0.002 } }],
];
for (const [label, o] of cases) {
  const c = stats(summarize(o, 1000));
  console.log(`| ${label} | ${c.batches.toFixed(0)} | ${c.share.toFixed(4)} ± ${c.se.toFixed(4)} | ${(c.share - walk.share).toFixed(4)} | ${c.tn.toFixed(3)} |`);
}

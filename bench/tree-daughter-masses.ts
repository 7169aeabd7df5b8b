/**
 * How unequal the grown tree's bifurcations are (issue 14, the sub-terminal continuation): for
 * every bifurcation whose subtree perfuses a given tissue mass, the smaller daughter's share of
 * that mass. The continuation bisects a terminal's tissue across the middle of its longest axis
 * (daughters of about equal mass); the tree it stands for does not. The small case of
 * test/pipeline (1.5 L liver), one tree (tree.seed 100), feedback and transport not run.
 * bench/transport.md "Unequal daughters in the continuation".
 *
 *   npx tsx bench/tree-daughter-masses.ts [--terminals 1500000] [--tree-seed 100]
 */
import { DEFAULT_TISSUE_DENSITY_G_PER_ML } from "../src/physics/units.js";
import { smallCaseTree, treeOptions } from "./benchCases.js";
import { subtreeMassMg } from "./subtreeMass.js";

const { terminals, treeSeed } = treeOptions(process.argv.slice(2));
// Grown once per tree inputs and reused (bench/treeCache.ts; tree-branch-fraction.ts reads the same tree).
const { tree } = smallCaseTree(terminals, treeSeed);
const n = tree.segmentCount;
const massMg = subtreeMassMg(tree, DEFAULT_TISSUE_DENSITY_G_PER_ML);
console.log(`small case, ${terminals.toLocaleString("en")} terminals, tree seed ${treeSeed}\n`);
console.log("| subtree mass (mg) | bifurcations | smaller daughter's mass share: mean | 10th | 25th | median | 75th | 90th percentile |");
console.log("|---|---|---|---|---|---|---|---|");
for (const [lo, hi] of [[2, 4], [4, 8], [8, 16], [16, 32], [32, 64], [64, 256]]) {
  const shares: number[] = [];
  for (let j = 0; j < n; j++) {
    if (tree.child0[j] < 0 || massMg[j] < lo || massMg[j] >= hi) continue;
    const a = massMg[tree.child0[j]];
    const b = massMg[tree.child1[j]];
    shares.push(Math.min(a, b) / (a + b));
  }
  shares.sort((x, y) => x - y);
  const q = (p: number) => shares[Math.floor(p * (shares.length - 1))].toFixed(3);
  const mean = shares.reduce((s, x) => s + x, 0) / shares.length;
  console.log(`| ${lo}–${hi} | ${shares.length} | ${mean.toFixed(3)} | ${q(0.1)} | ${q(0.25)} | ${q(0.5)} | ${q(0.75)} | ${q(0.9)} |`);
}

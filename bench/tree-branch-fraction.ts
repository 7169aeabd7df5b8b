/**
 * Where the grown tree's bifurcations lie along a subtree (issue 14, the sub-terminal continuation's
 * branch points, models/subTerminal.ts BRANCH_POINT_FRACTION): for every non-terminal segment c of
 * mass m, the fraction f = |D_c − P_c| / |C_c − P_c| of the way from its proximal point P_c (its
 * parent's bifurcation) to its territory's centroid C_c (territory-weighted over its terminals) at
 * which its own bifurcation, the distal point D_c, lies, and how far off that line D_c is (per
 * |C_c − P_c|). src/vascular/bisect.ts builds its bisection subtrees with f = ½ on the line, and the
 * continuation copies that rule (BRANCH_POINT_FRACTION): this bench confirms the grown tree follows
 * it (f = 0.500 at every percentile, 0 off the line, 2026-12-07) — a check of the construction,
 * not a measurement of anatomy (bench/transport.md "Self and cross terms by resolution").
 *
 *   npx tsx bench/tree-branch-fraction.ts [--terminals 1500000] [--tree-seed 100]
 */
import { DEFAULT_TISSUE_DENSITY_G_PER_ML } from "../src/physics/units.js";
import { smallCaseTree, treeOptions } from "./benchCases.js";
import { subtreeMassMg } from "./subtreeMass.js";

const { terminals, treeSeed } = treeOptions(process.argv.slice(2));
const { tree } = smallCaseTree(terminals, treeSeed);
const n = tree.segmentCount;
const massMg = subtreeMassMg(tree, DEFAULT_TISSUE_DENSITY_G_PER_ML);
// Territory-weighted centroid of every subtree (reverse pre-order sums).
const vol = new Float64Array(n), cx = new Float64Array(n), cy = new Float64Array(n), cz = new Float64Array(n);
for (let j = n - 1; j >= 0; j--) {
  const a = tree.child0[j];
  if (a < 0) {
    const t = tree.territoryMl[j];
    vol[j] = t;
    cx[j] = t * tree.distalMm[3 * j];
    cy[j] = t * tree.distalMm[3 * j + 1];
    cz[j] = t * tree.distalMm[3 * j + 2];
  } else {
    const b = tree.child1[j];
    vol[j] = vol[a] + vol[b];
    cx[j] = cx[a] + cx[b];
    cy[j] = cy[a] + cy[b];
    cz[j] = cz[a] + cz[b];
  }
}
console.log(`small case, ${terminals.toLocaleString("en")} terminals, tree seed ${treeSeed}: f = |D − P| / |C − P| of non-terminal segments (D its bifurcation, P its proximal point, C its territory's centroid), and the distance of D from the line P→C per |C − P|\n`);
console.log("| subtree mass (mg) | segments | f: mean | 10th | 25th | median | 75th | 90th percentile | off the line: median |");
console.log("|---|---|---|---|---|---|---|---|---|");
for (const [lo, hi] of [[1, 2], [2, 4], [4, 8], [8, 16], [16, 64], [64, 256]]) {
  const f: number[] = [];
  const off: number[] = [];
  for (let j = 1; j < n; j++) {
    if (tree.child0[j] < 0 || massMg[j] < lo || massMg[j] >= hi) continue;
    const px = tree.proximalMm[3 * j], py = tree.proximalMm[3 * j + 1], pz = tree.proximalMm[3 * j + 2];
    const ux = cx[j] / vol[j] - px, uy = cy[j] / vol[j] - py, uz = cz[j] / vol[j] - pz;
    const len = Math.hypot(ux, uy, uz);
    if (!(len > 0)) continue;
    const dx = tree.distalMm[3 * j] - px, dy = tree.distalMm[3 * j + 1] - py, dz = tree.distalMm[3 * j + 2] - pz;
    f.push(Math.hypot(dx, dy, dz) / len);
    const along = (dx * ux + dy * uy + dz * uz) / len;
    off.push(Math.sqrt(Math.max(0, dx * dx + dy * dy + dz * dz - along * along)) / len);
  }
  f.sort((x, y) => x - y);
  off.sort((x, y) => x - y);
  const q = (xs: number[], p: number) => xs[Math.floor(p * (xs.length - 1))].toFixed(3);
  const mean = f.reduce((s, x) => s + x, 0) / f.length;
  console.log(`| ${lo}–${hi} | ${f.length} | ${mean.toFixed(3)} | ${q(f, 0.1)} | ${q(f, 0.25)} | ${q(f, 0.5)} | ${q(f, 0.75)} | ${q(f, 0.9)} | ${q(off, 0.5)} |`);
}

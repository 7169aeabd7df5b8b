/**
 * How the grown tree's lumens narrow below a given tissue mass, against the sub-terminal
 * continuation's rule (issue 14, the 1 mm dip): the continuation gives a piece of mass m below a
 * terminal of lumen D and mass M the lumen D·(m/M)^(1/γ) (mean flow share), which is the tree's
 * Murray sizing for equal daughters; the tree's reduced-resistance sizing (murray.ts, Karch 1999)
 * gives unequal daughters radii in the ratio (q_a R*_a / q_b R*_b)^(1/4), not (q_a/q_b)^(1/γ).
 * For every segment of < 16 mg whose nearest ancestor of ≥ 16 mg (and < 32 mg) is A: r_j / (r_A·(m_j/m_A)^(1/γ)),
 * by the segment's mass; and per bifurcation of 2–64 mg the daughters' r/r_parent against the
 * mass-share rule, by the smaller daughter's share. The small case, one tree (tree.seed 100).
 *
 *   npx tsx bench/tree-daughter-lumens.ts [--terminals 1500000] [--tree-seed 100]
 */
import { DEFAULT_TISSUE_DENSITY_G_PER_ML } from "../src/physics/units.js";
import { smallCaseTree, treeOptions } from "./benchCases.js";
import { subtreeMassMg } from "./subtreeMass.js";

const { terminals, treeSeed } = treeOptions(process.argv.slice(2));
const { tree } = smallCaseTree(terminals, treeSeed);
const n = tree.segmentCount;
const gamma = tree.params.murrayExponent;
const massMg = subtreeMassMg(tree, DEFAULT_TISSUE_DENSITY_G_PER_ML);
const pct = (xs: number[], p: number) => xs[Math.floor(p * (xs.length - 1))];
const row = (label: string, xs: number[]) => {
  xs.sort((x, y) => x - y);
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  return `| ${label} | ${xs.length} | ${mean.toFixed(3)} | ${pct(xs, 0.1).toFixed(3)} | ${pct(xs, 0.5).toFixed(3)} | ${pct(xs, 0.9).toFixed(3)} |`;
};
console.log(`small case, ${terminals.toLocaleString("en")} terminals, tree seed ${treeSeed}, γ = ${gamma}\n`);
console.log("Lumen of a segment of mass m against the continuation's D_A·(m/m_A)^(1/γ), A its nearest ancestor of ≥ 16 mg:\n");
console.log("| segment mass (mg) | segments | mean ratio | 10th | median | 90th |");
console.log("|---|---|---|---|---|---|");
const bins: [number, number][] = [[0, 0.5], [0.5, 1], [1, 2], [2, 4], [4, 8], [8, 16]];
const byBin = bins.map(() => [] as number[]);
const byBinTerminal = bins.map(() => [] as number[]);
for (let j = 0; j < n; j++) {
  if (massMg[j] >= 16) continue;
  let a = tree.parent[j];
  while (a >= 0 && massMg[a] < 16) a = tree.parent[a];
  if (a < 0 || massMg[a] >= 32) continue;
  const ratio = tree.radiusMm[j] / (tree.radiusMm[a] * Math.pow(massMg[j] / massMg[a], 1 / gamma));
  const b = bins.findIndex(([lo, hi]) => massMg[j] >= lo && massMg[j] < hi);
  if (b >= 0) (tree.child0[j] < 0 ? byBinTerminal : byBin)[b].push(ratio);
}
bins.forEach(([lo, hi], b) => {
  if (byBin[b].length > 0) console.log(row(`${lo}–${hi} (vessels)`, byBin[b]));
  if (byBinTerminal[b].length > 0) console.log(row(`${lo}–${hi} (terminals)`, byBinTerminal[b]));
});
console.log("\nDaughters of bifurcations of 2–64 mg: r_daughter / r_parent over the mass-share rule q^(1/γ):\n");
console.log("| smaller daughter's mass share | daughter | bifurcations | mean ratio | 10th | median | 90th |");
console.log("|---|---|---|---|---|---|---|");
const qBins: [number, number][] = [[0, 0.05], [0.05, 0.15], [0.15, 0.3], [0.3, 0.5001]];
for (const [lo, hi] of qBins) {
  const small: number[] = [];
  const large: number[] = [];
  for (let j = 0; j < n; j++) {
    if (tree.child0[j] < 0 || massMg[j] < 2 || massMg[j] >= 64) continue;
    const c0 = tree.child0[j], c1 = tree.child1[j];
    const [s, l] = massMg[c0] <= massMg[c1] ? [c0, c1] : [c1, c0];
    const q = massMg[s] / massMg[j];
    if (q < lo || q >= hi) continue;
    small.push(tree.radiusMm[s] / tree.radiusMm[j] / Math.pow(q, 1 / gamma));
    large.push(tree.radiusMm[l] / tree.radiusMm[j] / Math.pow(1 - q, 1 / gamma));
  }
  console.log(row(`${lo}–${Math.min(hi, 0.5)} | smaller`, small).replace(/^\| /, "| "));
  console.log(row(`${lo}–${Math.min(hi, 0.5)} | larger`, large));
}
console.log("\nThe last wedging level: a terminal's parent's perfused mass (its spheres fit the parent's lumen), terminal-mass-weighted:\n");
console.log("| terminal mass (mg) | terminals | share of tissue | parent mass: mean | 10th | median | 90th | parent / terminal mass, median |");
console.log("|---|---|---|---|---|---|---|---|");
let total = 0;
for (let j = 0; j < n; j++) if (tree.child0[j] < 0) total += massMg[j];
for (const [lo, hi] of [[0, 0.5], [0.5, 1], [1, 2], [2, 4], [4, 1e9]]) {
  if (!tree.child0.some((c, j) => c < 0 && massMg[j] >= lo && massMg[j] < hi)) continue;
  const parents: number[] = [];
  const ratios: number[] = [];
  let tissue = 0;
  for (let j = 0; j < n; j++) {
    if (tree.child0[j] >= 0 || massMg[j] < lo || massMg[j] >= hi || tree.parent[j] < 0) continue;
    parents.push(massMg[tree.parent[j]]);
    ratios.push(massMg[tree.parent[j]] / massMg[j]);
    tissue += massMg[j];
  }
  parents.sort((x, y) => x - y);
  ratios.sort((x, y) => x - y);
  const mean = parents.reduce((s, x) => s + x, 0) / parents.length;
  console.log(`| ${lo}–${hi} | ${parents.length} | ${(tissue / total).toFixed(3)} | ${mean.toFixed(2)} | ${pct(parents, 0.1).toFixed(2)} | ${pct(parents, 0.5).toFixed(2)} | ${pct(parents, 0.9).toFixed(2)} | ${pct(ratios, 0.5).toFixed(2)} |`);
}
console.log("\nLumens (µm, 2r) by perfused mass:\n");
console.log("| mass (mg) | segments | kind | 10th | median | 90th |");
console.log("|---|---|---|---|---|---|");
for (const [lo, hi] of [[0.5, 1], [1, 2], [2, 4], [4, 8], [8, 16]]) for (const term of [true, false]) {
  const xs: number[] = [];
  for (let j = 0; j < n; j++) if ((tree.child0[j] < 0) === term && massMg[j] >= lo && massMg[j] < hi) xs.push(2000 * tree.radiusMm[j]);
  if (xs.length === 0) continue;
  xs.sort((x, y) => x - y);
  console.log(`| ${lo}–${hi} | ${xs.length} | ${term ? "terminal" : "vessel"} | ${pct(xs, 0.1).toFixed(1)} | ${pct(xs, 0.5).toFixed(1)} | ${pct(xs, 0.9).toFixed(1)} |`);
}

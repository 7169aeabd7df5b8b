/**
 * How many of the portal-tract tree's subtrees a coarse terminal's tissue meets (issue 14: the
 * coarse terminal's one inlet, "Feedback at 3e5" and the 1 mm dip in bench/transport.md). The small
 * case's trees at a coarse count and at 1.5e6 terminals (same liver, tree seed 100); both trees'
 * 1 mg cells lie on the same lattice. For each coarse terminal of mass m: the cells it owns, the
 * fine terminals owning those cells, and their ancestors in the fine tree cut at m (the highest
 * ancestor of ≤ m mg); k = the number of distinct such ancestors, weighted by the cells each
 * covers (k_eff = 1 / Σ share², 1 when one fine subtree covers the terminal's tissue). Per mass bin
 * of the coarse terminals: the mean k and k_eff.
 *
 *   npx tsx bench/terminal-overlap.ts [--coarse 400000] [--fine 1500000] [--tree-seed 100] [--coarse-seed 100]
 */
import { territoryCells } from "../src/transport/models/territoryCells.js";
import { DEFAULT_TISSUE_DENSITY_G_PER_ML } from "../src/physics/units.js";
import { smallCaseTree } from "./benchCases.js";
import { optionOf } from "./setOptions.js";
import { subtreeMassMg } from "./subtreeMass.js";

const args = process.argv.slice(2);
const coarseCount = Number(optionOf(args, "coarse", "400000"));
const fineCount = Number(optionOf(args, "fine", "1500000"));
const treeSeed = Number(optionOf(args, "tree-seed", "100"));
/** The coarse tree's seed (default: the fine tree's): another seed at the same count is the control, two independent trees of one resolution. */
const coarseSeed = Number(optionOf(args, "coarse-seed", String(treeSeed)));
const load = (terminals: number, seed: number) => {
  const { simCase, tree } = smallCaseTree(terminals, seed);
  return { tree, cells: territoryCells(tree, simCase.domain, 1e-3, DEFAULT_TISSUE_DENSITY_G_PER_ML) };
};
const coarse = load(coarseCount, coarseSeed);
const fine = load(fineCount, treeSeed);
const fineMass = subtreeMassMg(fine.tree, DEFAULT_TISSUE_DENSITY_G_PER_ML);
const coarseMass = subtreeMassMg(coarse.tree, DEFAULT_TISSUE_DENSITY_G_PER_ML);
// Fine owner of every lattice cell.
const owner = new Map<number, number>();
for (let j = 0; j < fine.tree.segmentCount; j++) for (let q = fine.cells.offsets[j]; q < fine.cells.offsets[j + 1]; q++) owner.set(fine.cells.cells[q], j);
/** The fine tree's subtree root at scale m above fine segment j: the highest ancestor of ≤ m mg. */
const rootAt = (j: number, m: number) => {
  let r = j;
  while (fine.tree.parent[r] >= 0 && fineMass[fine.tree.parent[r]] <= m) r = fine.tree.parent[r];
  return r;
};
const bins: [number, number][] = [[0, 2], [2, 4], [4, 8], [8, 16], [16, 1e9]];
const sums = bins.map(() => ({ n: 0, k: 0, kEff: 0, cells: 0 }));
for (let t = 0; t < coarse.tree.segmentCount; t++) {
  if (coarse.tree.child0[t] >= 0) continue;
  const a = coarse.cells.offsets[t], b = coarse.cells.offsets[t + 1];
  if (b === a) continue;
  const m = coarseMass[t];
  const counts = new Map<number, number>();
  let covered = 0;
  for (let q = a; q < b; q++) {
    const f = owner.get(coarse.cells.cells[q]);
    if (f === undefined) continue;
    const r = rootAt(f, m);
    counts.set(r, (counts.get(r) ?? 0) + 1);
    covered++;
  }
  if (covered === 0) continue;
  let s2 = 0;
  for (const c of counts.values()) s2 += (c / covered) ** 2;
  const bin = bins.findIndex(([lo, hi]) => m >= lo && m < hi);
  sums[bin].n++;
  sums[bin].k += counts.size;
  sums[bin].kEff += 1 / s2;
  sums[bin].cells += b - a;
}
console.log(`small case: ${coarseCount.toLocaleString("en")}-terminal tree (seed ${coarseSeed}) against the ${fineCount.toLocaleString("en")}-terminal tree (seed ${treeSeed})\n`);
console.log("| coarse terminal mass (mg) | terminals | cells each | fine subtrees met, k | k_eff (1 / Σ share²) |");
console.log("|---|---|---|---|---|");
bins.forEach(([lo, hi], i) => {
  const s = sums[i];
  if (s.n > 0) console.log(`| ${lo}–${hi < 1e9 ? hi : "∞"} | ${s.n} | ${(s.cells / s.n).toFixed(1)} | ${(s.k / s.n).toFixed(2)} | ${(s.kEff / s.n).toFixed(2)} |`);
});

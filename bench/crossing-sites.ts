/**
 * Stopping sites per mL for a sphere of diameter d, by tree resolution (issue 14: the coarse
 * terminal's one inlet, bench/transport.md "Crossing sites by resolution"). A site for d is a
 * vessel narrower than d whose parent is not: where a sphere of diameter d coming down that path
 * stops. Counted as the capacity model sees the tree (models/capacity.ts): resolved vessels of the
 * tree; a terminal whose lumen is below d ≤ its parent's lumen is one site (its inlet); a terminal
 * wider than d contributes its unresolved generation that first falls below d (n_g = e^(gH)
 * vessels of lumen D_t·e^(−gH/γ), H the tree's branching entropy), at most its portal tracts. Per
 * mL of the compartment's territory, normal and tumours, on the default case's cached trees.
 *
 *   npx tsx bench/crossing-sites.ts [terminals=100000,300000,1500000] [treeSeed=7]
 */
import { resolveCapacity } from "../src/transport/models/capacity.js";
import { EMBOLIC_DEFAULTS } from "../src/transport/defaults.js";
import { netCaseTree } from "./benchCases.js";
import { productDiameterUm } from "../src/transport/population.js";
import { SIR_SPHERES } from "../src/physics/products.js";

const args = process.argv.slice(2);
const counts = (args[0] ?? "100000,300000,1500000").split(",").map(Number);
const treeSeed = Number(args[1] ?? "7");
const DIAMETERS = [25, 30, 35, 40, 45, 50, 55];
console.log(`default case, tree seed ${treeSeed}: stopping sites per mL of territory for a sphere of diameter d (µm)\n`);
console.log(`| terminals | compartment | ${DIAMETERS.map((d) => `d = ${d}`).join(" | ")} |`);
console.log(`|---|---|${DIAMETERS.map(() => "---|").join("")}`);
for (const terminals of counts) {
  const { tree } = netCaseTree(terminals, treeSeed);
  const m = resolveCapacity({ plugLengthMm: EMBOLIC_DEFAULTS.plugLengthMm }, productDiameterUm(SIR_SPHERES), tree);
  const normal = tree.compartmentNames.indexOf("normal");
  const h = m.splitEntropy;
  const shrink = Math.exp(-h / m.murrayExponent);
  // Per compartment (0 normal, 1 tumours): sites per diameter, and territory.
  const sites = [new Float64Array(DIAMETERS.length), new Float64Array(DIAMETERS.length)];
  const volume = [0, 0];
  // Each segment's compartment: a terminal's; a vessel's, the compartment of its subtree's first terminal (pre-order).
  const compartmentOf = new Int32Array(tree.segmentCount);
  for (let j = tree.segmentCount - 1; j >= 0; j--) compartmentOf[j] = tree.child0[j] < 0 ? (tree.compartment[j] === normal ? 0 : 1) : compartmentOf[tree.child0[j]];
  for (let j = 0; j < tree.segmentCount; j++) {
    const c = compartmentOf[j];
    const lumen = 2000 * tree.radiusMm[j];
    const parent = tree.parent[j] >= 0 ? 2000 * tree.radiusMm[tree.parent[j]] : Infinity;
    const terminal = tree.child0[j] < 0;
    if (terminal) volume[c] += tree.territoryMl[j];
    DIAMETERS.forEach((d, i) => {
      if (d > parent) return; // stopped above
      if (lumen < d) {
        sites[c][i] += 1; // this vessel's (or terminal's) inlet
        return;
      }
      if (!terminal) return;
      // The unresolved generations below a terminal wider than d: the first below d, capped by the tracts.
      const tracts = m.tractsPerMlPerMin * tree.flowMlPerMin[j];
      let n = 1, D = lumen;
      while (D >= d && n < tracts) {
        D *= shrink;
        n *= Math.exp(h);
      }
      sites[c][i] += Math.min(n, Math.max(1, tracts));
    });
  }
  for (const c of [0, 1]) console.log(`| ${terminals.toLocaleString("en")} | ${c === 0 ? "normal" : "tumours"} | ${DIAMETERS.map((_, i) => (sites[c][i] / volume[c]).toFixed(0)).join(" | ")} |`);
}

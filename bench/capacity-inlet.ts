/**
 * How much of a terminal's embolic capacity its own inlet sets (issue 14, feedback's T/N change at
 * 3e5 terminals): the default case's cached trees; per compartment (normal / tumours) the
 * terminals' geometric capacity per mL of territory as capacity.ts gives it, and the same with the
 * terminal's inlet band removed (its parent's lumen set to its own, so no sphere stops at the
 * inlet), and the share of terminals whose capacity the inlet limits (removing the band raises it
 * by more than 1 %). bench/transport.md "Feedback at 3e5: the terminals' inlets".
 *
 *   npx tsx bench/capacity-inlet.ts [terminals=100000,300000,1500000] [treeSeed=7]
 */
import { resolveCapacity, vesselCapacity } from "../src/transport/models/capacity.js";
import { EMBOLIC_DEFAULTS } from "../src/transport/defaults.js";
import { netCaseTree } from "./benchCases.js";
import { productDiameterUm } from "../src/transport/population.js";
import { SIR_SPHERES } from "../src/physics/products.js";
import { median } from "./median.js";

const args = process.argv.slice(2);
const counts = (args[0] ?? "100000,300000,1500000").split(",").map(Number);
const treeSeed = Number(args[1] ?? "7");
/** Resin, the default case's product. */
const RESIN = productDiameterUm(SIR_SPHERES);
console.log(`default case, tree seed ${treeSeed}, resin, plugLengthMm ${EMBOLIC_DEFAULTS.plugLengthMm}\n`);
console.log("| terminals | compartment | median terminal lumen (µm) | median parent lumen (µm) | capacity per mL | without the inlet band | terminals limited by their inlet |");
console.log("|---|---|---|---|---|---|---|");
for (const terminals of counts) {
  const { tree } = netCaseTree(terminals, treeSeed);
  const m = resolveCapacity({ plugLengthMm: EMBOLIC_DEFAULTS.plugLengthMm }, RESIN, tree);
  const normal = tree.compartmentNames.indexOf("normal");
  for (const tumour of [false, true]) {
    let c = 0, c0 = 0, v = 0, limited = 0, n = 0;
    const lumens: number[] = [], parents: number[] = [];
    for (let j = 0; j < tree.segmentCount; j++) {
      if (tree.child0[j] >= 0 || (tree.compartment[j] !== normal) !== tumour) continue;
      const p = tree.parent[j];
      const parent = p >= 0 ? tree.radiusMm[p] : Infinity;
      const full = vesselCapacity(m, tree.radiusMm[j], parent, tree.territoryMl[j], tree.flowMlPerMin[j], true);
      const noBand = vesselCapacity(m, tree.radiusMm[j], tree.radiusMm[j], tree.territoryMl[j], tree.flowMlPerMin[j], true);
      c += full;
      c0 += noBand;
      v += tree.territoryMl[j];
      n++;
      if (noBand > 1.01 * full) limited++;
      lumens.push(2000 * tree.radiusMm[j]);
      parents.push(2000 * parent);
    }
    console.log(`| ${terminals.toLocaleString("en")} | ${tumour ? "tumours" : "normal"} | ${median(lumens).toFixed(1)} | ${median(parents).toFixed(1)} | ${(c / v).toFixed(0)} | ${(c0 / v).toFixed(0)} | ${(limited / n).toFixed(3)} |`);
  }
}

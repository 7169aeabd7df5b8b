/**
 * The realised T/N counted two ways (issue 14): by the transport's attribution (context.ts
 * lodgeCompartmentRange: terminals for their own compartment, a sphere wedged at a non-terminal
 * inlet for the tissue at that inlet, or — `--fallback` — for the larger-territory daughter's
 * compartment, the rule before 2026-12-07) and by the tissue at each sphere's placed position
 * (positions.ts, clipped as the deposit places them: what the dose sees). Small case of
 * test/pipeline, feedback off, tree seed 100 + r, seed 200 + r. bench/transport.md "Realised T/N
 * by position".
 *
 *   npx tsx bench/transport-tn-position.ts [--terminals 120000,1500000] [--runs 1] [--fallback]
 */
import { loadSimulationCase } from "../src/pipeline/caseInput.js";
import { simulateCore } from "../src/pipeline/simulate.js";
import { forEachPlacedSphereChunk, runPlacement } from "../src/pipeline/core.js";
import { compartmentOfLabel, labelAt } from "../src/geometry/domain.js";
import { simulateTransport } from "../src/transport/simulate.js";
import { transportOptionsFromSections } from "../src/transport/config.js";
import { smallCase } from "../test/pipeline/smallCase.js";
import { optionOf } from "./setOptions.js";

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => optionOf(args, name, fallback);
const counts = arg("terminals", "120000,1500000").split(",").map(Number);
const runs = Number(arg("runs", "1"));
const fallback = args.includes("--fallback");
console.log(`attribution: ${fallback ? "larger-territory daughter (the earlier rule)" : "tissue at the inlet (the engine's)"}\n`);
console.log("| terminals, run | T/N, transport | tumour:normal spheres, transport | tumour:normal spheres, placed | spheres wedged in resolved vessels |");
console.log("|---|---|---|---|---|");
for (const terminals of counts) {
  for (let r = 0; r < runs; r++) {
    const simCase = loadSimulationCase(smallCase({ seed: 200 + r, tree: { terminals, seed: 100 + r }, transport: { embolic: { enabled: false }, heterogeneity: { model: "fractal" } } }));
    let core = simulateCore(simCase);
    if (fallback) {
      // The same tree and case, the transport without the geometry: the larger-daughter rule.
      const { options } = transportOptionsFromSections(core.tree, core.sections, null);
      core = { ...core, transport: simulateTransport(core.tree, options, simCase.seed) };
    }
    const tree = core.tree;
    const placed = new Float64Array(tree.compartmentNames.length);
    forEachPlacedSphereChunk(tree, core.transport.segmentLodged, simCase.seed, runPlacement(core, simCase.domain), (chunk) => {
      for (let k = 0; k < chunk.count; k++) {
        const c = compartmentOfLabel(simCase.domain, labelAt(simCase.domain, chunk.positionsMm[3 * k], chunk.positionsMm[3 * k + 1], chunk.positionsMm[3 * k + 2]));
        if (c >= 0) placed[c]++;
      }
    });
    const s = core.transport.spheres;
    let tumour = 0, tumourPlaced = 0;
    for (let c = 1; c < tree.compartmentNames.length; c++) {
      tumour += s[tree.compartmentNames[c]];
      tumourPlaced += placed[c];
    }
    let wedged = 0;
    for (let j = 0; j < tree.segmentCount; j++) if (tree.child0[j] >= 0) wedged += core.transport.segmentLodged[j];
    console.log(`| ${terminals.toLocaleString("en")}, ${r} | ${core.transport.tumourToNormalRatio?.toFixed(3)} | ${(tumour / s.normal).toFixed(4)} | ${(tumourPlaced / placed[0]).toFixed(4)} | ${wedged.toLocaleString("en")} |`);
  }
}

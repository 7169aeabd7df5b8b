/**
 * Where the 1 mm spread comes from (issue 14, the distribution below the dose voxel): spheres per
 * 1 mm cube of normal liver split into wedged (W) and spread (S) spheres, W's variance into the
 * per-point and the cross term (bench/wedgeCubes.ts). Small case of test/pipeline, feedback off,
 * tree seed 100 + r, seed 200 + r (bench/transport-resolution.ts's runs). bench/transport.md
 * "Where the 1 mm spread comes from".
 *
 *   npx tsx bench/transport-wedge-points.ts [--terminals 120000,1500000] [--runs 1] [--unit-mg 1]
 */
import { loadSimulationCase } from "../src/pipeline/caseInput.js";
import { simulateCore } from "../src/pipeline/simulate.js";
import { subTerminalOf } from "../src/pipeline/core.js";
import { SubTerminalCascade } from "../src/transport/models/subTerminal.js";
import { createStream } from "../src/random/stream.js";
import { smallCase } from "../test/pipeline/smallCase.js";
import { optionOf } from "./setOptions.js";
import { WEDGE_CUBE_HEADER, WedgeCubes, wedgeCubeCells } from "./wedgeCubes.js";

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => optionOf(args, name, fallback);
const counts = arg("terminals", "120000,1500000").split(",").map(Number);
const runs = Number(arg("runs", "1"));
const unitMassMg = Number(arg("unit-mg", "1"));
console.log(`| terminals, run ${WEDGE_CUBE_HEADER}`);
console.log(`|---|---|---|---|---|---|---|---|---|---|---|`);
for (const terminals of counts) {
  for (let r = 0; r < runs; r++) {
    const c = smallCase({ seed: 200 + r, tree: { terminals, seed: 100 + r }, transport: { embolic: { enabled: false }, heterogeneity: { model: "fractal", unitMassMg } } });
    const simCase = loadSimulationCase(c);
    const core = simulateCore(simCase);
    const tree = core.tree;
    const { subTerminal, territoryCells } = subTerminalOf(core, simCase.domain);
    if (subTerminal === null) throw new Error("the fractal model has a sub-terminal cascade");
    const cubes = new WedgeCubes(tree.distalMm, simCase.domain);
    const uniform = createStream(12345 + r, 1n);
    const cascade = new SubTerminalCascade(subTerminal);
    const box = cascade.leafBox;
    for (let j = 0; j < tree.segmentCount; j++) {
      const k = core.transport.segmentLodged[j];
      if (k === 0) continue;
      if (tree.child0[j] >= 0) {
        cubes.wedge(tree.proximalMm[3 * j], tree.proximalMm[3 * j + 1], tree.proximalMm[3 * j + 2], k);
        continue;
      }
      cascade.spreadTerminal(tree, territoryCells, j, k, simCase.seed, (n) => {
        if (cascade.leafShare[0] === 0) cubes.wedge((box[0] + box[3]) / 2, (box[1] + box[4]) / 2, (box[2] + box[5]) / 2, n);
        else cubes.spread(box, n, uniform);
      });
    }
    console.log(`| ${terminals.toLocaleString("en")}, ${r} | ${wedgeCubeCells(cubes.row())}`);
  }
}

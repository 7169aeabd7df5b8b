/**
 * Where a tumour's spheres go inside it (issue 14 point 1; the sub-terminal cells' weighting): the
 * small case's LEFT tumour (test/pipeline/smallCase.ts: radius 14 mm, necrotic core below normalised
 * radius 0.5, T/N 2 in the shell 0.5–0.75, a rim 0.75–1 of T/N 6) at several terminal counts.
 * Per shell: the share of the tumour's spheres (expected counts: each terminal's lodged spheres
 * times its leaves' shares of the sub-terminal cascade, the deposit's map), and the sphere density
 * relative to the geometry's (perfusion × volume) value, for the rim and the T/N-2 shell.
 *
 *   npx tsx bench/transport-tumour-shells.ts [--terminals 4000,40000,120000] [--runs 3]
 *
 * Run r: tree.seed 100 + r, seed 200 + r (as bench/transport-resolution.ts), heterogeneity
 * "fractal", feedback off.
 */
import { loadSimulationCase } from "../src/pipeline/caseInput.js";
import { simulateCore } from "../src/pipeline/simulate.js";
import { smallCase } from "../test/pipeline/smallCase.js";
import { subTerminalOf } from "../src/pipeline/core.js";
import { forEachSubTerminalLeaf } from "../src/transport/models/subTerminal.js";
import { normalizedRadius, type Solid } from "../src/geometry/shapes.js";
import { optionOf } from "./setOptions.js";

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => optionOf(args, name, fallback);
const counts = arg("terminals", "4000,40000,120000").split(",").map(Number);
const runs = Number(arg("runs", "3"));

// Geometry of the left tumour (smallCase): shell volumes ∝ ρ³ differences; perfusion 2 and 6.
const INNER = 0.75 ** 3 - 0.5 ** 3;
const RIM = 1 - 0.75 ** 3;
const rimShareExpected = (6 * RIM) / (6 * RIM + 2 * INNER);

console.log(`left tumour of the small case, heterogeneity fractal, ${runs} trees/seeds per count; geometry's rim share ${rimShareExpected.toFixed(4)}\n`);
console.log("| terminals | rim share of the tumour's spheres | T/N-2 shell share | rim / shell density ratio (geometry 3) | terminals in the tumour | mean cells per tumour terminal |");
console.log("|---|---|---|---|---|---|");
for (const terminals of counts) {
  const rim: number[] = [], inner: number[] = [], ratio: number[] = [], nTerm: number[] = [], cellsPer: number[] = [];
  for (let r = 0; r < runs; r++) {
    const c = smallCase();
    const simCase = loadSimulationCase({ ...c, seed: 200 + r, tree: { terminals, seed: 100 + r }, transport: { embolic: { enabled: false }, heterogeneity: { model: "fractal" } } });
    const core = simulateCore(simCase);
    const { subTerminal, territoryCells } = subTerminalOf(core, simCase.domain);
    if (subTerminal === null) throw new Error("no sub-terminal model");
    const tumour = simCase.domain.tumours.findIndex((t) => t.name === "left");
    const shape = simCase.domain.tumours[tumour].shape as Solid;
    const lodged = core.transport.segmentLodged;
    const tree = core.tree;
    let sRim = 0, sInner = 0, sCore = 0, terms = 0, cellSum = 0;
    for (let j = 0; j < tree.segmentCount; j++) {
      if (tree.child0[j] < 0 && tree.compartment[j] === 1 + tumour) {
        terms++;
        if (territoryCells !== null) cellSum += territoryCells.offsets[j + 1] - territoryCells.offsets[j];
      }
    }
    forEachSubTerminalLeaf(tree, subTerminal, (j, box, share) => {
      if (tree.compartment[j] !== 1 + tumour) return;
      const rho = normalizedRadius(shape, (box[0] + box[3]) / 2, (box[1] + box[4]) / 2, (box[2] + box[5]) / 2);
      const n = lodged[j] * share;
      if (rho >= 0.75) sRim += n;
      else if (rho >= 0.5) sInner += n;
      else sCore += n;
    }, territoryCells);
    const total = sRim + sInner + sCore;
    rim.push(sRim / total);
    inner.push(sInner / total);
    ratio.push(sRim / RIM / (sInner / INNER));
    nTerm.push(terms);
    cellsPer.push(cellSum / terms);
    process.stderr.write(`terminals ${terminals} run ${r}: rim ${sRim / total} inner ${sInner / total} core/outside ${sCore / total}\n`);
  }
  const ms = (xs: number[], d: number) => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
    return `${m.toFixed(d)} ± ${sd.toFixed(d)}`;
  };
  console.log(`| ${terminals.toLocaleString("en")} | ${ms(rim, 4)} | ${ms(inner, 4)} | ${ms(ratio, 2)} | ${ms(nTerm, 0)} | ${ms(cellsPer, 1)} |`);
}

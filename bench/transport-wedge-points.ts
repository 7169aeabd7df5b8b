/**
 * Where the 1 mm spread comes from (issue 14, the distribution below the dose voxel): spheres per
 * 1 mm cube of normal liver split into wedged (W) and spread (S) spheres, W's variance into the
 * per-point and the cross term (bench/wedgeCubes.ts). Small case of test/pipeline, feedback off,
 * tree seed 100 + r, seed 200 + r (bench/transport-resolution.ts's runs). bench/transport.md
 * "Where the 1 mm spread comes from".
 *
 * `--by-lumen`: also where the wedged spheres stop, by the lumen they could not enter and by place
 * (a resolved vessel's inlet, a terminal's inlet, a split of the sub-terminal continuation): share
 * of all lodged spheres and spheres per point (bench/transport.md "Where the coarse trees wedge").
 *
 *   npx tsx bench/transport-wedge-points.ts [--terminals 120000,1500000] [--runs 1] [--unit-mg 1] [--by-lumen]
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
const byLumen = args.includes("--by-lumen");
/** Lumen bins (µm, lower edges) and places of the --by-lumen table. */
const LUMEN_EDGES = [0, 20, 25, 30, 35, 40, 50, 70];
const PLACES = ["resolved vessel", "terminal inlet", "continuation split"] as const;
const lumenTables: string[] = [];
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
    // --by-lumen: [place][lumen bin] spheres and points.
    const spheresAt = PLACES.map(() => new Float64Array(LUMEN_EDGES.length));
    const pointsAt = PLACES.map(() => new Float64Array(LUMEN_EDGES.length));
    const binOf = (lumenUm: number) => {
      let b = 0;
      while (b + 1 < LUMEN_EDGES.length && lumenUm >= LUMEN_EDGES[b + 1]) b++;
      return b;
    };
    const record = (place: number, lumenUm: number, k: number) => {
      const b = binOf(lumenUm);
      spheresAt[place][b] += k;
      pointsAt[place][b]++;
    };
    let lodgedTotal = 0;
    for (let j = 0; j < tree.segmentCount; j++) {
      const k = core.transport.segmentLodged[j];
      if (k === 0) continue;
      lodgedTotal += k;
      if (tree.child0[j] >= 0) {
        cubes.wedge(tree.proximalMm[3 * j], tree.proximalMm[3 * j + 1], tree.proximalMm[3 * j + 2], k);
        record(0, 2000 * tree.radiusMm[j], k);
        continue;
      }
      cascade.spreadTerminal(tree, territoryCells, j, k, simCase.seed, (n) => {
        if (cascade.leafShare[0] === 0) {
          const x = (box[0] + box[3]) / 2, y = (box[1] + box[4]) / 2, z = (box[2] + box[5]) / 2;
          cubes.wedge(x, y, z, n);
          // A wedge at the terminal's own inlet sits at its proximal point; the cube is the lumen wide.
          const atInlet = Math.hypot(x - tree.proximalMm[3 * j], y - tree.proximalMm[3 * j + 1], z - tree.proximalMm[3 * j + 2]) < 1e-9;
          record(atInlet ? 1 : 2, 1000 * (box[3] - box[0]), n);
        } else cubes.spread(box, n, uniform);
      });
    }
    console.log(`| ${terminals.toLocaleString("en")}, ${r} | ${wedgeCubeCells(cubes.row())}`);
    if (byLumen) {
      const lines = [`${terminals.toLocaleString("en")} terminals, run ${r}: wedged spheres by the lumen they could not enter (µm), share of all lodged spheres / spheres per point`, "", `| place | ${LUMEN_EDGES.map((e, b) => (b + 1 < LUMEN_EDGES.length ? `${e}–${LUMEN_EDGES[b + 1]}` : `≥ ${e}`)).join(" | ")} | all |`, `|---|${LUMEN_EDGES.map(() => "---|").join("")}---|`];
      PLACES.forEach((place, p) => {
        const all = spheresAt[p].reduce((a, x) => a + x, 0), points = pointsAt[p].reduce((a, x) => a + x, 0);
        const cell = (sp: number, pt: number) => (pt > 0 ? `${(sp / lodgedTotal).toFixed(3)} / ${(sp / pt).toFixed(1)}` : "—");
        lines.push(`| ${place} | ${LUMEN_EDGES.map((_, b) => cell(spheresAt[p][b], pointsAt[p][b])).join(" | ")} | ${cell(all, points)} |`);
      });
      lumenTables.push(lines.join("\n"));
    }
  }
}
for (const t of lumenTables) console.log(`\n${t}`);

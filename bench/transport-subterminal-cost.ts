/**
 * CPU cost of the sub-terminal cascade in the deposit (issue 14 point 1): the default case
 * (fixtures/cases/net-default.json, heterogeneity "fractal"), one transport, then the inline deposit
 * of all its lodged spheres on the dose grid with the cascade in the terminals' cells (the default),
 * with the cascade in territory cubes, in cells without the unresolved size exclusion, and without any cascade (uniform balls: the other models'
 * placement) — ratios against the last, measured in this process (the machine is shared); and
 * the spheres-per-1 mg-piece histogram summary.json carries (transport.unitClusters: the cascade's
 * leaf counts again, without positions).
 *
 *   npx tsx bench/transport-subterminal-cost.ts [--rounds 3] [--terminals 20000]
 *
 * `--terminals`: the tree's terminal count (the playground's liver has 20,000).
 */
import { readFileSync } from "node:fs";
import { loadSimulationCase } from "../src/pipeline/caseInput.js";
import { simulateCore } from "../src/pipeline/simulate.js";
import { shardBlocks, subTerminalOf } from "../src/pipeline/core.js";
import { depositBlocks } from "../src/parallel/deposit.js";
import { compartmentAcceptance } from "../src/transport/positions.js";
import { doseGridGeometry, emptyGrid } from "../src/pipeline/doseStage.js";
import { territoryCells } from "../src/transport/models/territoryCells.js";
import { WHOLE_RUN } from "../src/parallel/shard.js";
import { unitClusterHistogram } from "../src/transport/clusters.js";

const args = process.argv.slice(2);
const k = args.indexOf("--rounds");
const rounds = k >= 0 ? Number(args[k + 1]) : 3;
const json = JSON.parse(readFileSync(new URL("../fixtures/cases/net-default.json", import.meta.url), "utf8")) as Record<string, unknown>;
const t = args.indexOf("--terminals");
if (t >= 0) json.tree = { ...(json.tree as Record<string, unknown>), terminals: Number(args[t + 1]) };
const simCase = loadSimulationCase(json);
const core = simulateCore(simCase);
const cpuSeconds = (f: () => void) => {
  const t0 = process.cpuUsage();
  f();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1e6;
};
const { subTerminal } = subTerminalOf(core, simCase.domain);
if (subTerminal === null) throw new Error("the default case is expected to use the fractal model");
let cells = null as ReturnType<typeof territoryCells> | null;
const cellsSeconds = cpuSeconds(() => (cells = territoryCells(core.tree, simCase.domain, subTerminal.unitMassG, subTerminal.densityGPerMl)));
const geometry = doseGridGeometry(simCase.domain, simCase.dose.voxelMm, simCase.dose.marginMm);
const blocks = shardBlocks(core.tree, WHOLE_RUN);
const accept = compartmentAcceptance(simCase.domain, core.tree.compartment);
let spheres = 0;
for (let j = 0; j < core.tree.segmentCount; j++) spheres += core.transport.segmentLodged[j];
const variants: Array<[string, () => void]> = [
  ["uniform balls (no cascade)", () => depositBlocks(emptyGrid(geometry, (n) => new Float64Array(n)), core.tree, core.transport.segmentLodged, blocks, simCase.seed, accept)],
  ["cascade in territory cubes", () => depositBlocks(emptyGrid(geometry, (n) => new Float64Array(n)), core.tree, core.transport.segmentLodged, blocks, simCase.seed, accept, undefined, subTerminal)],
  ["cascade in cells, factor 1 (before 2026-12-07), no unresolved exclusion", () => depositBlocks(emptyGrid(geometry, (n) => new Float64Array(n)), core.tree, core.transport.segmentLodged, blocks, simCase.seed, accept, undefined, { ...subTerminal, exclusion: null, varianceFactor: 1 }, cells)],
  ["cascade in cells, no unresolved exclusion", () => depositBlocks(emptyGrid(geometry, (n) => new Float64Array(n)), core.tree, core.transport.segmentLodged, blocks, simCase.seed, accept, undefined, { ...subTerminal, exclusion: null }, cells)],
  ["cascade in cells (default: with the unresolved exclusion)", () => depositBlocks(emptyGrid(geometry, (n) => new Float64Array(n)), core.tree, core.transport.segmentLodged, blocks, simCase.seed, accept, undefined, subTerminal, cells)],
];
const best = variants.map(() => Infinity);
for (let r = 0; r < rounds; r++) variants.forEach(([, f], i) => (best[i] = Math.min(best[i], cpuSeconds(f))));
console.log(`net-default: ${core.tree.segmentCount.toLocaleString("en")} segments, ${spheres.toLocaleString("en")} lodged spheres, ${(cells as unknown as { cells: Int32Array }).cells.length.toLocaleString("en")} cells of ${subTerminal.unitMassG * 1000} mg; best of ${rounds} rounds, CPU s (shared machine: ratios are what counts)\n`);
console.log("| deposit | CPU s | ratio |\n|---|---|---|");
variants.forEach(([name], i) => console.log(`| ${name} | ${best[i].toFixed(2)} | ${(best[i] / best[0]).toFixed(2)} |`));
let unitSeconds = Infinity;
for (let r = 0; r < rounds; r++) unitSeconds = Math.min(unitSeconds, cpuSeconds(() => unitClusterHistogram(core.tree, core.transport.segmentLodged, simCase.seed, subTerminal, cells)));
console.log(`| spheres per 1 mg piece (summary.json transport.unitClusters) | ${unitSeconds.toFixed(2)} | ${(unitSeconds / best[0]).toFixed(2)} |`);
console.log(`| building the cells (once per tree) | ${cellsSeconds.toFixed(2)} | ${(cellsSeconds / best[0]).toFixed(2)} |`);

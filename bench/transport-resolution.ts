/**
 * Resolution study (issue 14): the same case at several terminal counts, several trees and seeds
 * per count; per count the mean ± sd over the runs of the tissue-level shares, the realised T/N,
 * per-VOI D70 / D90 / V100 on the dose grid, the mean cluster size per vessel within 1 mm (resolution
 * dependent by definition), the cluster sizes at a fixed scale (spheres per 1 mg piece, "fractal"),
 * and the RD of lodged spheres per cube of 4, 8 and 16 mm (1, 2³, 4³ dose voxels) over the cubes
 * whose circumscribed ball lies in normal liver — the heterogeneity the dose grid sees.
 *
 *   npx tsx bench/transport-resolution.ts [--case net|small] [--terminals 20000,50000] [--runs 5]
 *       [--model fractal|flow|walrand-bias] [--tree-seeds 7,8,9] [--feedback] [--workers 2]
 *       [--set transport.sizeExclusion=false ...]
 *
 * Each run r uses tree.seed = 100 + r (or the r-th of --tree-seeds) and seed = 200 + r (a
 * different tree AND Monte Carlo seed), embolic feedback off unless --feedback (then on, with the
 * case's other embolic settings). `--case net`: the default case's trees come from
 * bench/treeCache.ts (grown once, reused for the same tree inputs), so a 1.5e6-terminal study
 * grows each tree once. `--workers N` runs transport and deposit on a pool (same results, bit for
 * bit). Output: a markdown table on stdout, then (two counts or more) each count's difference from
 * the last count's mean with its standard error, and the per-pair differences of the normal-liver
 * and liver D70 / D90 (bench/resolutionStudy.ts). `--json PATH` also writes every run's row, the
 * command and the commit (bench/resolution/*.json: docs/transport.md's resolution tables are
 * rendered from them by `npx tsx bench/resolution-docs.ts`, and test/docs re-checks them).
 *
 * The default case at the portal-tract limit (docs/transport.md "Resolution study"; every study the
 * docs render, with its command: bench/resolution/README.md):
 *   npm run build && npx tsx bench/transport-resolution.ts --case net --terminals 100000,150000,300000,1500000 \
 *       --tree-seeds 7,8,9,10,11,12,13,14,15,16 --feedback --workers 2 --json bench/resolution/net-feedback.json
 */
import { readFileSync, writeFileSync } from "node:fs";
import { loadSimulationCase } from "../src/pipeline/caseInput.js";
import { depositLodgedSpheresParallel, simulateCoreParallel } from "../src/pipeline/simulate.js";
import { createPool } from "../src/parallel/pool.js";
import { runCommit } from "./provenance.js";
import { applySetOptions, optionOf, setOptionsOf } from "./setOptions.js";
import { cachedCaseTree } from "./treeCache.js";
import { finishSimulation } from "../src/pipeline/finish.js";
import { smallCase } from "../test/pipeline/smallCase.js";
import { subTerminalOf } from "../src/pipeline/core.js";
import { normalMmCubes } from "./mmCubes.js";
import { differenceTables, meanTable, type ResolutionStudy } from "./resolutionStudy.js";
import { unitClusterHistogram } from "../src/transport/clusters.js";
import { ballLabel, type Domain } from "../src/geometry/domain.js";
import type { Grid } from "../src/geometry/grid.js";

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => optionOf(args, name, fallback);
const which = arg("case", "small");
const counts = arg("terminals", "4000,40000").split(",").map(Number);
const runs = Number(arg("runs", "5"));
const model = arg("model", "fractal");
const treeSeeds = arg("tree-seeds", "").split(",").filter((x) => x !== "").map(Number);
const feedback = args.includes("--feedback");
const jsonPath = arg("json", "");
const workers = Number(arg("workers", "1"));
const sets = setOptionsOf(args);
const runCount = treeSeeds.length > 0 ? treeSeeds.length : runs;

function baseCase(): Record<string, unknown> {
  if (which === "net") return JSON.parse(readFileSync(new URL("../fixtures/cases/net-default.json", import.meta.url), "utf8")) as Record<string, unknown>;
  // test/pipeline/smallCase.ts's case (two tumours, feedback off, 4 mm voxels); its tree and
  // transport sections are overridden below.
  return smallCase();
}

type Row = Record<string, number>;

/** RD (sd/mean) of the counts summed over f³ voxels, over the blocks whose ball (radius f voxels) is normal liver. */
function normalCubeRd(counts: Grid<Float64Array>, domain: Domain, f: number): number {
  const [nx, ny, nz] = counts.dims;
  const h = counts.spacingMm[0];
  let n = 0, sum = 0, sumSq = 0;
  for (let k = 0; k + f <= nz; k += f) for (let j = 0; j + f <= ny; j += f) for (let i = 0; i + f <= nx; i += f) {
    // originMm is the centre of voxel 0.
    const cx = counts.originMm[0] + (i + (f - 1) / 2) * h, cy = counts.originMm[1] + (j + (f - 1) / 2) * h, cz = counts.originMm[2] + (k + (f - 1) / 2) * h;
    if (ballLabel(domain, cx, cy, cz, f * h) !== 1) continue;
    let s = 0;
    for (let c = 0; c < f; c++) for (let b = 0; b < f; b++) for (let a = 0; a < f; a++) s += counts.data[i + a + nx * (j + b + ny * (k + c))];
    n++;
    sum += s;
    sumSq += s * s;
  }
  const mean = sum / n;
  return Math.sqrt(Math.max(0, sumSq / n - mean * mean)) / mean;
}
// Taken before the run (bench/provenance.ts).
const commit = runCommit();
const pool = createPool({ workers });
const table: Array<{ terminals: number; rows: Row[]; seconds: number }> = [];
for (const terminals of counts) {
  const rows: Row[] = [];
  const t0 = Date.now();
  for (let r = 0; r < runCount; r++) {
    const c = baseCase();
    const caseTransport = c.transport as Record<string, unknown> | undefined;
    // --feedback turns it on (with the case's other embolic settings) whatever the case says.
    const embolic = { ...(caseTransport?.embolic as Record<string, unknown> | undefined), enabled: feedback };
    const transport = { ...caseTransport, embolic, clusterDistanceMm: 1, heterogeneity: { model } };
    const tree = { ...(c.tree as Record<string, unknown> | undefined), terminals, seed: treeSeeds.length > 0 ? treeSeeds[r] : 100 + r };
    const json = { ...c, seed: 200 + r, tree, transport };
    applySetOptions(json, sets);
    const simCase = loadSimulationCase(json);
    // The net case's trees are cached (bench/treeCache.ts: reused only for the same tree inputs).
    const grown = which === "net" ? cachedCaseTree(simCase) : undefined;
    const core = await simulateCoreParallel(simCase, { pool, ...(grown ? { stages: { tree: grown } } : {}) });
    const part = await depositLodgedSpheresParallel(simCase, core, pool);
    const { summary } = await finishSimulation(simCase, core, part.counts, part.outsideGrid, {}, part.unitClusters ?? null);
    const row: Row = {};
    const injected = summary.spheresInjected;
    for (const [name, s] of Object.entries(summary.compartments)) {
      row[`${name} share`] = s.spheres / injected;
      row[`${name} D70`] = s.D70Gy;
      row[`${name} D90`] = s.D90Gy;
      row[`${name} V100`] = s.V100;
      // The shape of the VOI's dose–volume histogram, its share divided out: D70 and D90 over the
      // VOI's mean dose. A tumour's share scatters by 3–14 % from tree to tree (where its few large
      // subtrees go); these ratios are what the resolution (the sub-terminal cascade) acts on.
      row[`${name} D70 / mean`] = s.D70Gy / s.meanDoseGy;
      row[`${name} D90 / mean`] = s.D90Gy / s.meanDoseGy;
    }
    row["T/N"] = summary.tumourToNormalRatio.realisedSpheres ?? NaN;
    const histogram = core.transport.clusters.histogram;
    let clusters = 0, spheres = 0;
    for (const [size, number] of histogram) {
      clusters += number;
      spheres += size * number;
    }
    row["spheres per cluster (per vessel, 1 mm)"] = spheres / clusters;
    // Fixed physical scale (clusters.ts unitClusterHistogram): spheres per 1 mg piece of tissue.
    const { subTerminal, territoryCells } = subTerminalOf(core, simCase.domain);
    if (subTerminal !== null) {
      const unit = part.unitClusters ?? unitClusterHistogram(core.tree, core.transport.segmentLodged, simCase.seed, subTerminal, territoryCells);
      let pieces = 0, inPieces = 0, largest = 0;
      for (const [size, number] of unit) {
        pieces += number;
        inPieces += size * number;
        largest = Math.max(largest, size);
      }
      let below = 0, p99 = 0;
      for (const [size, number] of unit) {
        below += number;
        if (below >= 0.99 * pieces) {
          p99 = size;
          break;
        }
      }
      row["spheres per occupied 1 mg piece"] = inPieces / pieces;
      row["99th percentile spheres per 1 mg piece"] = p99;
      row["largest 1 mg cluster"] = largest;
    }
    // Spheres per 1 mm cube of normal liver (bench/mmCubes.ts): a fixed physical scale.
    const mm = normalMmCubes(simCase, core);
    row["spheres per 1 mm cube of normal liver, mean"] = mm.mean;
    row["spheres per 1 mm cube of normal liver, RD"] = mm.rd;
    row["spheres per 1 mm cube of normal liver, 99th percentile"] = mm.percentile99;
    row["spheres per 1 mm cube of normal liver, largest"] = mm.largest;
    for (const f of [1, 2, 4]) row[`RD of spheres per ${f * simCase.dose.voxelMm} mm cube, normal liver`] = normalCubeRd(part.counts, simCase.domain, f);
    rows.push(row);
    process.stderr.write(`terminals ${terminals} run ${r}: ${JSON.stringify(row)}\n`);
  }
  table.push({ terminals, rows, seconds: (Date.now() - t0) / 1000 / runCount });
}
await pool.destroy();
console.log(`case ${which}, heterogeneity ${model}, ${runCount} trees/seeds per count${treeSeeds.length > 0 ? ` (tree seeds ${treeSeeds.join(", ")})` : ""}, feedback ${feedback ? "on" : "off"}, ${workers} worker(s)${sets.map((x) => `, ${x}`).join("")}\n`);
console.log(meanTable(table));
console.log(differenceTables(table, ["normal D70", "normal D90", "liver D70", "liver D90"]));

if (jsonPath !== "") {
  const study: ResolutionStudy = {
    generatedBy: `npx tsx bench/transport-resolution.ts ${args.join(" ")}`,
    commit,
    date: new Date().toISOString().slice(0, 10),
    case: which,
    model,
    feedback,
    sets,
    treeSeeds: Array.from({ length: runCount }, (_, r) => (treeSeeds.length > 0 ? treeSeeds[r] : 100 + r)),
    seeds: Array.from({ length: runCount }, (_, r) => 200 + r),
    counts: table,
  };
  writeFileSync(jsonPath, `${JSON.stringify(study, null, 1)}\n`);
  console.error(`wrote ${jsonPath}`);
}

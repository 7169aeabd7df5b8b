/**
 * Resolution independence with embolic feedback (issue 14): the small case of
 * test/pipeline/resolution.test.ts (two tumours in the default liver, 4 mm voxels, "fractal") at
 * 10,000 and 100,000 terminals, feedback off and on (the geometric capacity), tree/seed pairs
 * 100/200, 101/201, 102/202: normal-liver and liver D70/D90, realised T/N, batches, reflux.
 * Recorded in bench/transport.md "Resolution with feedback". That was the test's pair until
 * 2026-12-07; it now checks 40,000 against 400,000 terminals, measured with
 * `bench/transport-resolution.ts --terminals 40000,400000 --runs 6 --feedback` (bench/resolution/
 * small-feedback.json, docs/transport.md "The test's pair").
 *
 *   npx tsx bench/transport-resolution-feedback.ts [runs=3]
 */
import { loadSimulationCase } from "../src/pipeline/caseInput.js";
import { depositLodgedSpheres, simulateCore } from "../src/pipeline/simulate.js";
import { finishSimulation } from "../src/pipeline/finish.js";
import { smallCase } from "../test/pipeline/smallCase.js";

const runs = Number(process.argv[2] ?? 3);
console.log("| run | terminals | feedback | normal D70 | normal D90 | liver D70 | liver D90 | T/N | batches | reflux |");
console.log("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|");
for (let run = 0; run < runs; run++) {
  for (const terminals of [10_000, 100_000]) {
    for (const enabled of [false, true]) {
      const simCase = loadSimulationCase(smallCase({ seed: 200 + run, tree: { terminals, seed: 100 + run }, transport: { embolic: { enabled }, heterogeneity: { model: "fractal" } } }));
      const core = simulateCore(simCase);
      const part = depositLodgedSpheres(simCase, core);
      const { summary } = await finishSimulation(simCase, core, part.counts, part.outsideGrid, {}, part.unitClusters ?? null);
      const c = summary.compartments;
      const f = (x: number) => x.toFixed(2);
      console.log(`| ${run} | ${terminals.toLocaleString("en-US")} | ${enabled ? "on" : "off"} | ${f(c.normal.D70Gy)} | ${f(c.normal.D90Gy)} | ${f(c.liver.D70Gy)} | ${f(c.liver.D90Gy)} | ${summary.tumourToNormalRatio.realisedSpheres?.toFixed(3)} | ${summary.transport.batches} | ${(100 * summary.reflux.fraction).toFixed(1)} % |`);
    }
  }
}

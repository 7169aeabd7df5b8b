/**
 * Resolution independence of the dose–volume metrics (issue 14, "How it is checked": D-metrics of a
 * small liver within 2 % across a 10× change of terminal count). A CONVERGENCE TEST of the model
 * (the answer does not depend on a numerical knob), not a validation against measurements.
 *
 * The small case of test/pipeline (two tumours in the 1.5 L default liver, 4 mm dose voxels,
 * feedback off, and on in the second test) with the default heterogeneity model ("fractal": the tree's fixed split
 * fractions and the sub-terminal cascade in perfusion-weighted 1 mg cells), one tree/seed pair per
 * resolution (tree.seed 100, seed 200: run 0 of bench/transport-resolution.ts), 10,000 and
 * 100,000 terminals (a terminal of 130 mg and of 13 mg).
 *
 * Tolerance 2 % (the issue's). The spread it must cover, measured by
 * `npx tsx bench/transport-resolution.ts --terminals 10000,100000 --runs 5` (bench/transport.md):
 * sd over 5 trees/seeds of one run, 10,000 / 100,000 terminals: normal D70 0.3 / 0.3 Gy of 35.0,
 * D90 0.1 / 0.4 Gy of 29.3; liver D70 0.3 / 0.3 Gy of 35.2, D90 0.2 / 0.4 Gy of 29.5. The
 * difference of two single runs then has an sd of 0.42 Gy (D70, 1.2 %) and 0.41–0.45 Gy (D90,
 * 1.4–1.5 %): 2 % is 1.3–1.7 of those sd, the mean differences over the 5 runs are 0.0 Gy (< 0.1)
 * for all four, and this pair of runs passes (its values are in the assertion messages). A 2 %
 * check of single runs cannot be tighter than that spread allows; means over more runs would
 * cost a full simulation each (≈ 5 CPU s).
 *
 * Not tested here, with the measured reason:
 * - coarser pairs: 4,000 vs 40,000 terminals gives normal D90 28.6 vs 29.3 Gy (5-run means,
 *   −2.4 %): at 0.4 g per terminal the dose voxels lie inside one or two terminals whose
 *   tree-level variance (fractal.ts SUBTREE_TO_CUBE_VARIANCE, calibrated on cubes that straddle
 *   several subtrees) is not averaged out — RD of spheres per 8 mm cube of normal liver 0.161 at
 *   4,000 terminals vs 0.144 at 40,000 (bench/transport.md, docs/transport.md "Resolution study");
 * - tumour D-metrics: their tree-to-tree sd is 3–13 % per run (where a tumour's few large
 *   subtrees go), so a 2 % check would need ~50 runs per count; their means over 5 runs no longer
 *   drift with the resolution since the cells are weighted by perfusion (the left tumour's D90
 *   74.6 → 59.1 Gy from 4k to 120k before, 59.3 / 63.9 / 62.4 / 58.1 Gy after; bench/transport.md).
 */
import { describe, expect, it } from "vitest";
import { loadSimulationCase } from "../../src/pipeline/caseInput.js";
import { depositLodgedSpheres, simulateCore } from "../../src/pipeline/simulate.js";
import { finishSimulation } from "../../src/pipeline/finish.js";
import { smallCase } from "./smallCase.js";

async function metrics(terminals: number, feedback = false): Promise<Record<string, number>> {
  const simCase = loadSimulationCase(smallCase({ seed: 200, tree: { terminals, seed: 100 }, transport: { embolic: { enabled: feedback }, heterogeneity: { model: "fractal" } } }));
  const core = simulateCore(simCase);
  const part = depositLodgedSpheres(simCase, core);
  const { summary } = await finishSimulation(simCase, core, part.counts, part.outsideGrid);
  const out: Record<string, number> = {};
  for (const voi of ["normal", "liver"]) {
    out[`${voi} D70`] = summary.compartments[voi].D70Gy;
    out[`${voi} D90`] = summary.compartments[voi].D90Gy;
  }
  return out;
}

describe("resolution independence (issue 14)", () => {
  it("liver and normal-liver D70 and D90 agree within 2 % at 10,000 and 100,000 terminals", async () => {
    const coarse = await metrics(10_000);
    const fine = await metrics(100_000);
    for (const key of Object.keys(coarse)) {
      const difference = coarse[key] / fine[key] - 1;
      expect(Math.abs(difference), `${key}: ${coarse[key].toFixed(2)} Gy at 10,000 terminals, ${fine[key].toFixed(2)} Gy at 100,000`).toBeLessThan(0.02);
    }
  });

  it("and with embolic feedback on (the geometric capacity): the same within 2 %", async () => {
    // Measured over 3 tree/seed pairs (bench/transport-resolution-feedback.ts, bench/transport.md
    // "Resolution with feedback"): single-pair differences −1.1 % to +0.4 %, as without feedback.
    const coarse = await metrics(10_000, true);
    const fine = await metrics(100_000, true);
    for (const key of Object.keys(coarse)) {
      const difference = coarse[key] / fine[key] - 1;
      expect(Math.abs(difference), `${key} with feedback: ${coarse[key].toFixed(2)} Gy at 10,000 terminals, ${fine[key].toFixed(2)} Gy at 100,000`).toBeLessThan(0.02);
    }
  });
});

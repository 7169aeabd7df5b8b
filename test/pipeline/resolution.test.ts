/**
 * Resolution independence of the dose–volume metrics (issue 14, "How it is checked": D-metrics of a
 * small liver within 2 % across a 10× change of terminal count). A CONVERGENCE TEST of the model
 * (the answer does not depend on a numerical knob), not a validation against measurements.
 *
 * The small case of test/pipeline (two tumours in the 1.59 L default liver, 4 mm dose voxels,
 * feedback off, and on in the second test) with the default heterogeneity model ("fractal": the tree's fixed split
 * fractions and the sub-terminal cascade in perfusion-weighted 1 mg cells), one tree/seed pair per
 * resolution (tree.seed 100, seed 200: run 0 of bench/transport-resolution.ts), 40,000 and
 * 400,000 terminals (a terminal of 40.9 mg and of 4.1 mg: the band's upper edge and the finer
 * side, where the D70 / D90 stay within 0.6 % of the portal-tract tree's while the 1 mm spread dips;
 * docs/transport.md "Resolution study").
 *
 * Tolerance 2 % (the issue's). The spread it must cover, measured by the resolution studies of
 * bench/resolution/ (small.json: runs 0–9 at 40,000 and 400,000 among other counts;
 * small-feedback.json: 6 runs with feedback) and tabled in docs/transport.md "The test's pair"
 * (test/docs/resolution-study.test.ts keeps the table equal to the data): the difference 40,000 vs
 * 400,000 of one tree/seed pair, feedback off, normal D70 −0.16 % on average with sd 0.68 % over
 * the 10 pairs, D90 −0.47 % (sd 0.93 %), liver the same (−0.16 % / −0.45 %); every pair within
 * 2 % (largest −1.84 %, liver D90); run 0 −1.0 / −1.4 / −1.0 / −1.5 %. With feedback, 6 pairs:
 * −0.61 % (sd 0.55 %) / −1.00 % (sd 1.04 %), largest −1.79 %; run 0 −1.3 / −1.7 / −1.2 / −1.8 %:
 * run 0 is the worst of the 6 pairs for D90, 0.2 % inside the tolerance (with a mean of −1.0 % and
 * sd 1.0 %, about 1 pair in 6 would fall beyond 2 %): with feedback the comparison is at the
 * criterion's edge, and a change that moves positions may need the pairs remeasured.
 * A 2 % check of single runs cannot be tighter than that spread allows (the tree-to-tree sd of
 * normal D90 is 0.8–1 % per run); means over more runs would cost a full pair each (≈ 30 CPU s).
 *
 * Why not 10,000 vs 100,000 (the test until 2026-12-07): at 164 mg per terminal the 4 mm cubes lie
 * inside one or two terminals, whose sub-terminal cascade varies more than the tree it stands for
 * (4 mm RD +18 % against 1.5e6 terminals), and over 10 pairs normal D90 came out −1.6 % on
 * average, 4 of 10 pairs beyond 2 % (−2.1 to −3.0 %): the seeded pair (−0.9 %) passed by its seed
 * (per-pair values in docs/transport.md "The test's pair").
 *
 * Not tested here, with the measured reason:
 * - coarser pairs: 4,000 vs 40,000 terminals gives normal D90 28.1 vs 29.1 Gy (10-run means,
 *   bench/resolution/small.json): at 0.4 g per terminal the dose voxels lie inside one or two terminals whose
 *   tree-level variance (fractal.ts SUBTREE_TO_CUBE_VARIANCE, calibrated on cubes that straddle
 *   several subtrees) is not averaged out — RD of spheres per 8 mm cube of normal liver 0.184 at
 *   4,000 terminals vs 0.154 at 40,000 (docs/transport.md "Resolution study");
 * - tumour D-metrics: their tree-to-tree sd is 3–13 % per run (where a tumour's few large
 *   subtrees go: which tree the patient has), so a 2 % check of single runs is impossible; over 10
 *   trees per count their means and the shapes of their histograms (D70 / mean dose, sd 1–3 % per
 *   run) agree between 1e5 and 1.5e6 terminals within about two standard errors, the D70 shapes
 *   within 2 % but for S5, radius 8 mm (+2.6 ± 1.1 %; D90 shapes of S5 and of S4, radius 6 mm, +3.7 / −3.0 %;
 *   docs/transport.md "The default case at the portal-tract limit, with embolic feedback").
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
  it("liver and normal-liver D70 and D90 agree within 2 % at 40,000 and 400,000 terminals", async () => {
    const coarse = await metrics(40_000);
    const fine = await metrics(400_000);
    for (const key of Object.keys(coarse)) {
      const difference = coarse[key] / fine[key] - 1;
      expect(Math.abs(difference), `${key}: ${coarse[key].toFixed(2)} Gy at 40,000 terminals, ${fine[key].toFixed(2)} Gy at 400,000`).toBeLessThan(0.02);
    }
  });

  it("and with embolic feedback on (the geometric capacity): the same within 2 %", async () => {
    // Measured over 6 tree/seed pairs (bench/transport-resolution.ts --feedback, the header):
    // single-pair differences −1.8 % to +0.9 %.
    const coarse = await metrics(40_000, true);
    const fine = await metrics(400_000, true);
    for (const key of Object.keys(coarse)) {
      const difference = coarse[key] / fine[key] - 1;
      expect(Math.abs(difference), `${key} with feedback: ${coarse[key].toFixed(2)} Gy at 40,000 terminals, ${fine[key].toFixed(2)} Gy at 400,000`).toBeLessThan(0.02);
    }
  });
});

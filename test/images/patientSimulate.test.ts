/**
 * Simulation on the synthetic patient (issue 16.5): `plan-images --write-case` turns the VOIs (a
 * SEG) and the MAA counts into a case (mask on the CT grid, tumour T/N from counts, LSF from the
 * image); `simulate` runs it; `export-rtdose` writes the dose on the CT's frame of reference.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, hasPython, patient, python, root, sirtsim, truth } from "./helpers.js";

let dir: string;
beforeAll(() => {
  ensureBuilt("exportRtDose.js");
  dir = mkdtempSync(join(tmpdir(), "sirtsim-patient-sim-"));
  // A small, quick base case: the default case's product and target, a 2000-terminal tree, no embolic stasis.
  const base = JSON.parse(readFileSync(join(root, "fixtures/cases/net-default.json"), "utf8"));
  base.tree = { terminals: 2000, seed: 7 };
  base.transport = { embolic: { enabled: false } };
  base.dose = { voxelMm: 4 };
  writeFileSync(join(dir, "base.json"), JSON.stringify(base));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("simulate on the synthetic patient", () => {
  it("plan-images --write-case → simulate → export-rtdose: tumours with the MAA T/N and CT volumes, RT Dose on the CT's frame", () => {
    const plan = sirtsim("plan-images", "--spect", join(patient, "spect"), "--ct", join(patient, "ct"), "--labels", join(patient, "seg.dcm"), "--target", "tumour_1:mean=150",
      "--write-case", join(dir, "case"), "--base-case", join(dir, "base.json"), "--json");
    expect(plan.code, plan.stderr).toBe(0);
    const caseJson = JSON.parse(readFileSync(join(dir, "case", "case.json"), "utf8"));
    // The case carries the plan's LSF and T/N (counts weighted by fractional occupancy); they are
    // within 1 % of numpy's whole-voxel numbers in truth.json (planImages.test.ts checks them
    // against numpy's exact occupancy to 0.3 %).
    const printed = JSON.parse(plan.stdout);
    expect(caseJson.lungShuntFraction).toBe(printed.lungShuntFraction);
    expect(Math.abs(caseJson.lungShuntFraction / truth.spect.lsfFromCounts - 1)).toBeLessThan(0.01);
    const tumours = caseJson.geometry.tumours as Array<{ name: string; tnRatio: number }>;
    expect(tumours.map((t) => t.name)).toEqual(Object.keys(truth.spect.tnFromCounts));
    for (const t of tumours) {
      expect(t.tnRatio, t.name).toBe(printed.vois.find((v: { name: string }) => v.name === t.name).relativeConcentration);
      expect(Math.abs(t.tnRatio / truth.spect.tnFromCounts[t.name] - 1), t.name).toBeLessThan(0.01);
    }

    const sim = sirtsim("simulate", join(dir, "case", "case.json"), "--out", join(dir, "sim"), "--workers", "1", "--json");
    expect(sim.code, sim.stderr).toBe(0);
    const summary = JSON.parse(sim.stdout);
    // The mask is the CT-grid label map: the tumour volumes are numpy's.
    expect(summary.compartments.tumour_1.volumeMl).toBeCloseTo(truth.true.volumesMl.tumour_1, 6);
    expect(summary.compartments.tumour_2.volumeMl).toBeCloseTo(truth.true.volumesMl.tumour_2, 6);

    const rt = sirtsim("export-rtdose", join(dir, "sim", "dose.nii.gz"), "--reference", join(patient, "ct"), "--out", join(dir, "sim-rtdose.dcm"), "--json");
    expect(rt.code, rt.stderr).toBe(0);
    expect(JSON.parse(rt.stdout).frameOfReferenceUID).toBe(truth.frameOfReferenceUID);
    if (hasPython("pydicom, nibabel, numpy")) {
      const doc = python("test/images/check_rtdose.py", join(dir, "sim-rtdose.dcm"), join(dir, "sim", "dose.nii.gz"), join(patient, "ct")) as Record<string, unknown>;
      expect(doc.frameOfReferenceUID).toBe(doc.sourceFrameOfReferenceUID);
      expect(doc.patientID).toBe(doc.sourcePatientID);
      expect(doc.maxAbsDiffRelative as number).toBeLessThan(1e-4);
    }
  });
});

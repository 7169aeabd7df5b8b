/**
 * `dose --lung-mass-kg ct` and `plan-images --lung-mass-kg ct` take the lung mass on the CT grid
 * alike (src/io/voiCounts.ts voiMassesOnCt), through the real CLI. Before, `dose` resampled the
 * CT onto the 5 mm SPECT grid (trilinear HU mixing lung air with the chest wall and liver):
 * 0.270 kg against plan-images' 0.242 kg. Independent number: the synthetic patient's lungs are
 * 1345.472 mL (truth.json, numpy) at −820 HU (fixtures/patient/make_patient.py, ± 8 HU noise),
 * i.e. 0.18 g/mL → 0.2422 kg.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, patient, sirtsim, truth } from "./helpers.js";

let dir: string;
beforeAll(() => {
  ensureBuilt("dose.js");
  dir = mkdtempSync(join(tmpdir(), "sirtsim-lungmass-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("lung mass from the CT", () => {
  it("dose and plan-images give the same lung mass (0.2423 kg, within 0.5 % of 1345.5 mL × 0.18 g/mL) and the same lung dose", () => {
    const p = sirtsim("plan-images", "--spect", join(patient, "spect"), "--labels", join(patient, "labels.nii.gz"), "--ct", join(patient, "ct"), "--lung-mass-kg", "ct", "--target", "tumour_1:mean=150", "--json");
    expect(p.code, p.stderr).toBe(0);
    const plan = JSON.parse(p.stdout);
    const expectedKg = (truth.true.volumesMl.lungs * 0.18) / 1000; // −820 HU → (−820 + 1000)/1000 g/mL
    expect(Math.abs(plan.lungMassKg / expectedKg - 1)).toBeLessThan(0.005);
    const d = sirtsim("dose", join(patient, "spect"), "--administered-gbq", String(plan.activityGBq), "--lsf", "image", "--labels", join(patient, "labels.nii.gz"), "--ct", join(patient, "ct"), "--lung-mass-kg", "ct", "--out", join(dir, "out"), "--method", "ldm", "--json");
    expect(d.code, d.stderr).toBe(0);
    const dose = JSON.parse(d.stdout);
    expect(dose.lungShuntFraction).toBe(plan.lungShuntFraction);
    expect(dose.lung.massKg).toBe(plan.lungMassKg);
    expect(dose.lung.doseGy).toBeCloseTo(plan.lungDoseGy, 9);
  });
});

/**
 * Fixes of a fresh review (2026-12-06) on the synthetic patient, through the real CLI:
 * - `dose --administered-gbq` with labels of the lesions only (no liver VOI) is checked against
 *   the whole image, not refused (the lesions do not hold the administered activity);
 * - `plan-images` computes the activity with the product's nuclide (QuiremSpheres: Ho-166,
 *   K 15.87 Gy·kg/GBq) and refuses a --nuclide that contradicts the product;
 * - `dose --nuclide` must be the image's nuclide when the image is taken as it stands (the PET's
 *   RadionuclideHalfLife is Y-90's); a rescaled surrogate image is not checked.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNifti, writeNifti } from "../../src/io/nifti.js";
import { ensureBuilt, patient, root, sirtsim } from "./helpers.js";

let dir: string;
let lesions: string;
beforeAll(async () => {
  ensureBuilt("dose.js");
  dir = mkdtempSync(join(tmpdir(), "sirtsim-review-"));
  // The patient's label map with tumour_2 only (a lesion-only contour set).
  const labels = await readNifti(join(patient, "labels.nii.gz"), { kind: "labels" });
  lesions = join(dir, "lesion.nii.gz");
  await writeNifti(lesions, { ...labels, data: labels.data.map((l) => (l === 3 ? 1 : 0)) });
  writeFileSync(join(dir, "lesion.json"), JSON.stringify({ 1: "tumour_2" }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("review fixes", () => {
  it("dose: lesion-only labels with --administered-gbq are checked against the whole image (exit 0), and the dose is the image's", () => {
    const plain = sirtsim("dose", join(patient, "pet"), "--method", "ldm", "--labels", lesions, "--out", join(dir, "plain"), "--json");
    expect(plain.code, plain.stderr).toBe(0);
    const checked = sirtsim("dose", join(patient, "pet"), "--method", "ldm", "--labels", lesions, "--administered-gbq", "2.5", "--out", join(dir, "checked"), "--json");
    expect(checked.code, checked.stderr).toBe(0);
    const a = JSON.parse(plain.stdout);
    const b = JSON.parse(checked.stdout);
    const mean = (d: any) => d.vois.find((v: any) => v.name === "tumour_2").metrics.meanGy;
    expect(mean(b)).toBe(mean(a));
    expect(b.administeredCheck.ratio).toBeGreaterThan(0.8);
    expect(b.administeredCheck.ratio).toBeLessThan(1.5);
  });

  it("plan-images: the nuclide follows the product (QuiremSpheres → Ho-166, K 15.87); a contradicting --nuclide is exit 2", () => {
    const base = ["plan-images", "--spect", join(patient, "spect"), "--labels", join(patient, "seg.dcm"), "--ct", join(patient, "ct"), "--target", "tumour_1:mean=150", "--json"];
    const ho = sirtsim(...base, "--product", "quiremspheres");
    expect(ho.code, ho.stderr).toBe(0);
    const doc = JSON.parse(ho.stdout);
    expect(doc.nuclide).toBe("Ho-166");
    expect(doc.kGyKgPerGBq).toBeCloseTo(15.87, 1);
    const fromBase = sirtsim(...base.filter((x) => x !== "--json"), "--base-case", join(root, "fixtures/cases/ho166-whole-liver.json"), "--write-case", join(dir, "ho-case.json"), "--json");
    expect(fromBase.code, fromBase.stderr).toBe(0);
    expect(JSON.parse(fromBase.stdout).nuclide).toBe("Ho-166");
    const bad = sirtsim(...base, "--product", "therasphere", "--nuclide", "Ho-166");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--nuclide Ho-166 contradicts the product therasphere/);
  });

  it("dose: --nuclide Ho-166 on the Y-90 PET taken as it stands is exit 2 naming RadionuclideHalfLife; rescaled, it is a surrogate and runs", () => {
    const r = sirtsim("dose", join(patient, "pet"), "--method", "ldm", "--nuclide", "Ho-166", "--out", join(dir, "ho"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--nuclide: .*RadionuclideHalfLife is 64\.1\d h, not the 26\.80 h/);
    const s = sirtsim("dose", join(patient, "pet"), "--method", "ldm", "--nuclide", "Ho-166", "--administered-gbq", "2.5", "--rescale-to-administered", "--out", join(dir, "ho-rescaled"));
    expect(s.code, s.stderr).toBe(0);
  });
});

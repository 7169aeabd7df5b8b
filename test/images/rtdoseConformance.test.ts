/**
 * RT Dose conformance (issue 16): dciodvfy (dicom3tools, an independent DICOM validator) reads the
 * RT Dose files sirtsim writes — from `dose` on a DICOM PET and on a multi-frame NM SPECT, and from
 * `export-rtdose` — and reports no error. (`simulate`'s rtdose.dcm is checked in
 * patientSimulate.test.ts, which runs the simulation.) CI installs dicom3tools (.ci/run) and sets
 * SIRTSIM_REQUIRE_DICOM3TOOLS=1, so there the check cannot be skipped.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dciodvfyErrors, ensureBuilt, hasPython, patient, sirtsim } from "./helpers.js";

let dir: string;
beforeAll(() => {
  ensureBuilt("dose.js");
  dir = mkdtempSync(join(tmpdir(), "sirtsim-rtdose-conformance-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("RT Dose conformance (dciodvfy)", () => {
  it.skipIf(!hasPython("pydicom, numpy"))("dose (PET slice series, SPECT multi-frame) and export-rtdose write RT Dose files dciodvfy finds no error in", () => {
    const pet = sirtsim("dose", join(patient, "pet"), "--out", join(dir, "pet"), "--method", "ldm", "--labels", join(patient, "labels.nii.gz"), "--json");
    expect(pet.code, pet.stderr).toBe(0);
    const spect = sirtsim("dose", join(patient, "spect", "spect.dcm"), "--out", join(dir, "spect"), "--method", "ldm", "--administered-gbq", "2", "--json");
    expect(spect.code, spect.stderr).toBe(0);
    const exported = sirtsim("export-rtdose", join(dir, "pet", "dose.nii.gz"), "--reference", join(patient, "ct"), "--out", join(dir, "exported.dcm"), "--json");
    expect(exported.code, exported.stderr).toBe(0);
    for (const file of [join(dir, "pet", "rtdose.dcm"), join(dir, "spect", "rtdose.dcm"), join(dir, "exported.dcm")]) {
      const errors = dciodvfyErrors(file, dir);
      if (errors === null) return;
      expect(errors, file).toEqual([]);
    }
  });
});

/**
 * Bad patient images on the command line (issue 16.7): exit 2 naming the file and the tag, nothing
 * written. Variants of the synthetic patient's files are made here with dcmjs.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import dcmjs from "dcmjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, patient, sirtsim, truth } from "./helpers.js";

let dir: string;
beforeAll(() => {
  ensureBuilt("dose.js");
  dir = mkdtempSync(join(tmpdir(), "sirtsim-bad-images-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Read a DICOM file, let `edit` change its naturalized dataset, write it to `to`. */
function rewrite(from: string, to: string, edit: (ds: Record<string, any>) => void): void {
  const bytes = readFileSync(from);
  const dict = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  edit(ds);
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
  writeFileSync(to, Buffer.from(dict.write()));
}

function petVariant(name: string, edit: (ds: Record<string, any>) => void): string {
  const out = join(dir, name);
  mkdirSync(out);
  for (const f of readdirSync(join(patient, "pet"))) rewrite(join(patient, "pet", f), join(out, f), edit);
  return out;
}

describe("bad patient images", () => {
  it("a folder with two series: exit 2 listing both and saying --series; --series picks one", () => {
    const mixed = join(dir, "mixed");
    mkdirSync(mixed);
    for (const s of ["ct", "pet"]) for (const f of readdirSync(join(patient, s))) copyFileSync(join(patient, s, f), join(mixed, f));
    const r = sirtsim("dose", mixed, "--out", join(dir, "out-mixed"), "--method", "ldm");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--series UID");
    expect(r.stderr).toContain(truth.series.ct);
    expect(r.stderr).toContain(truth.series.pet);
    expect(existsSync(join(dir, "out-mixed"))).toBe(false);
    const ok = sirtsim("dose", mixed, "--series", truth.series.pet, "--out", join(dir, "out-mixed-pet"), "--method", "ldm", "--json");
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).quantity).toBe("bqml");
  });

  it("a SEG or RTSTRUCT made on another series than --ct: exit 2 naming the file and the tag", () => {
    const seg = join(dir, "seg-other.dcm");
    rewrite(join(patient, "seg.dcm"), seg, (ds) => {
      ds.ReferencedSeriesSequence[0].SeriesInstanceUID = "1.2.826.0.1.3680043.8.498.4242";
    });
    const r = sirtsim("dose", join(patient, "pet"), "--labels", seg, "--ct", join(patient, "ct"), "--out", join(dir, "out-seg"), "--method", "ldm");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(seg);
    expect(r.stderr).toContain("ReferencedSeriesSequence.SeriesInstanceUID is 1.2.826.0.1.3680043.8.498.4242");
    expect(existsSync(join(dir, "out-seg"))).toBe(false);

    const rs = join(dir, "rtstruct-other.dcm");
    rewrite(join(patient, "rtstruct.dcm"), rs, (ds) => {
      ds.ReferencedFrameOfReferenceSequence[0].RTReferencedStudySequence[0].RTReferencedSeriesSequence[0].SeriesInstanceUID = "1.2.826.0.1.3680043.8.498.4243";
    });
    const r2 = sirtsim("plan-images", "--spect", join(patient, "spect"), "--labels", rs, "--ct", join(patient, "ct"), "--target", "tumour_1:mean=150");
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("RTReferencedSeriesSequence.SeriesInstanceUID is 1.2.826.0.1.3680043.8.498.4243");
  });

  it("a PET in SUV: converted with the header's dose and weight (SUV × 2.5e9 Bq / 75 000 g), refused naming PatientWeight without it", () => {
    // The same voxels as SUVbw: RescaleSlope × weight / dose, so SUV × dose / weight is the Bq/mL.
    const suv = petVariant("pet-suv", (ds) => {
      ds.Units = "GML";
      ds.RescaleSlope = String(Number(ds.RescaleSlope) * (75000 / 2.5e9));
    });
    const r = sirtsim("dose", suv, "--labels", join(patient, "labels.nii.gz"), "--out", join(dir, "out-suv"), "--method", "ldm", "--json");
    expect(r.code, r.stderr).toBe(0);
    const tumour = JSON.parse(r.stdout).vois.find((v: { name: string }) => v.name === "tumour_1").metrics.meanGy;
    expect(tumour / truth.pet.ldmMeanGy.tumour_1).toBeCloseTo(1, 4);

    const noWeight = petVariant("pet-suv-noweight", (ds) => {
      ds.Units = "GML";
      delete ds.PatientWeight;
    });
    const bad = sirtsim("dose", noWeight, "--out", join(dir, "out-suv-bad"), "--method", "ldm");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("PatientWeight");
    expect(existsSync(join(dir, "out-suv-bad"))).toBe(false);
  });

  it("a PET in SUV decay-corrected to the scan start (DecayCorrection START): the dose is decayed 4 h from the injection (Y-90: × 0.9577) before the conversion; refused naming RadionuclideHalfLife without it", () => {
    // Independent of the code: the scanner's SUV uses the dose decayed from 10:00 to SeriesTime 14:00.
    const halfLifeS = 230760;
    const decay = Math.exp((-Math.LN2 * 4 * 3600) / halfLifeS);
    const suv = petVariant("pet-suv-start", (ds) => {
      ds.Units = "GML";
      ds.DecayCorrection = "START";
      ds.RescaleSlope = String(Number(ds.RescaleSlope) * (75000 / (2.5e9 * decay)));
    });
    const r = sirtsim("dose", suv, "--labels", join(patient, "labels.nii.gz"), "--out", join(dir, "out-suv-start"), "--method", "ldm", "--json");
    expect(r.code, r.stderr).toBe(0);
    const tumour = JSON.parse(r.stdout).vois.find((v: { name: string }) => v.name === "tumour_1").metrics.meanGy;
    expect(tumour / truth.pet.ldmMeanGy.tumour_1).toBeCloseTo(1, 4);

    const noHalfLife = petVariant("pet-suv-nohalflife", (ds) => {
      ds.Units = "GML";
      ds.DecayCorrection = "START";
      delete ds.RadiopharmaceuticalInformationSequence[0].RadionuclideHalfLife;
    });
    const bad = sirtsim("dose", noHalfLife, "--out", join(dir, "out-suv-nohl"), "--method", "ldm");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("RadionuclideHalfLife");
    expect(existsSync(join(dir, "out-suv-nohl"))).toBe(false);
  });

  it("a missing slice: exit 2, nothing written", () => {
    const gap = join(dir, "pet-gap");
    mkdirSync(gap);
    for (const f of readdirSync(join(patient, "pet"))) if (f !== "pet-024.dcm") copyFileSync(join(patient, "pet", f), join(gap, f));
    const r = sirtsim("dose", gap, "--out", join(dir, "out-gap"), "--method", "ldm");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/spacing|missing|gap/i);
    expect(existsSync(join(dir, "out-gap"))).toBe(false);
  });
});

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

  // What a scanner writes for a Y-90 PET decay-corrected to the scan (DecayCorrection START): the
  // voxels hold the activity at SeriesDate/SeriesTime, C_scan = C_admin · exp(−λΔt), and SUVbw =
  // C_scan / (D · exp(−λΔt) / W) = C_admin · W / D (PS3.3 C.8.9.1.1.3). The fixture's PET holds
  // C_admin (DecayCorrection ADMIN) and truth.pet.ldmMeanGy is its LDM dose (numpy), so after
  // the correction the dose is truth.pet.ldmMeanGy again; uncorrected it would be × exp(−λΔt).
  const halfLifeS = 230760; // Y-90 64.1 h, the fixture's RadionuclideHalfLife
  const scannerStart = (hours: number, units: "BQML" | "GML") => (ds: Record<string, any>) => {
    const decay = Math.exp((-Math.LN2 * hours * 3600) / halfLifeS);
    ds.DecayCorrection = "START";
    // Injected 2026-01-01 10:00:00, the series `hours` later (the next day for hours ≥ 14).
    ds.RadiopharmaceuticalInformationSequence[0].RadiopharmaceuticalStartDateTime = "20260101100000";
    const at = new Date(Date.UTC(2026, 0, 1, 10) + hours * 3600e3);
    ds.SeriesDate = at.toISOString().slice(0, 10).replace(/-/g, "");
    ds.SeriesTime = at.toISOString().slice(11, 19).replace(/:/g, "");
    if (units === "BQML") ds.RescaleSlope = String(Number(ds.RescaleSlope) * decay);
    else {
      ds.Units = "GML";
      ds.RescaleSlope = String(Number(ds.RescaleSlope) * (75000 / 2.5e9));
    }
  };
  const tumourMean = (stdout: string) => JSON.parse(stdout).vois.find((v: { name: string }) => v.name === "tumour_1").metrics.meanGy;

  it("a Bq/mL PET decay-corrected to the scan (DecayCorrection START), 4 h and 28 h after the injection: brought back to the administration (× exp(λΔt) = 1.0442, 1.3536), the dose equals the fixture's; the factor is reported", () => {
    for (const hours of [4, 28]) {
      const pet = petVariant(`pet-start-${hours}`, scannerStart(hours, "BQML"));
      const r = sirtsim("dose", pet, "--labels", join(patient, "labels.nii.gz"), "--out", join(dir, `out-start-${hours}`), "--method", "ldm", "--json");
      expect(r.code, r.stderr).toBe(0);
      expect(tumourMean(r.stdout) / truth.pet.ldmMeanGy.tumour_1).toBeCloseTo(1, 4);
      const expected = Math.exp((Math.LN2 * hours * 3600) / halfLifeS);
      const reported = JSON.parse(r.stdout).decayToAdministration;
      expect(reported.decayCorrection).toBe("START");
      expect(reported.factor).toBeCloseTo(expected, 10);
      expect(reported.elapsedH).toBeCloseTo(hours, 10);
      expect(r.stderr).toContain(`× ${expected.toPrecision(6)} to the administration`);
    }
  });

  it("a PET in SUV decay-corrected to the scan start (DecayCorrection START), 4 h: SUV × D / W is the activity at administration, the dose equals the fixture's (the old code gave × 0.9577)", () => {
    const suv = petVariant("pet-suv-start", scannerStart(4, "GML"));
    const r = sirtsim("dose", suv, "--labels", join(patient, "labels.nii.gz"), "--out", join(dir, "out-suv-start"), "--method", "ldm", "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(tumourMean(r.stdout) / truth.pet.ldmMeanGy.tumour_1).toBeCloseTo(1, 4);
    expect(JSON.parse(r.stdout).decayToAdministration.factor).toBeCloseTo(Math.exp((Math.LN2 * 4 * 3600) / halfLifeS), 10);
  });

  it("a Bq/mL PET without decay correction (DecayCorrection NONE), a 20-min frame 28 h after the injection: × exp(λΔt) · λT/(1 − e^(−λT)) from AcquisitionDateTime, the dose equals the fixture's", () => {
    // Not decay-corrected: each voxel is the mean activity over the frame [t0, t0 + T],
    // C_admin · e^(−λΔt) · (1 − e^(−λT)) / (λT), t0 = AcquisitionDateTime (the series time is set 1 h
    // off to show which one is used).
    const lambda = Math.LN2 / halfLifeS;
    const dt = 28 * 3600;
    const frameS = 1200;
    const mean = Math.exp(-lambda * dt) * (-Math.expm1(-lambda * frameS) / (lambda * frameS));
    const pet = petVariant("pet-none", (ds) => {
      ds.DecayCorrection = "NONE";
      ds.RadiopharmaceuticalInformationSequence[0].RadiopharmaceuticalStartDateTime = "20260101100000";
      ds.AcquisitionDateTime = "20260102140000";
      ds.SeriesDate = "20260102";
      ds.SeriesTime = "130000";
      ds.ActualFrameDuration = String(frameS * 1000);
      ds.RescaleSlope = String(Number(ds.RescaleSlope) * mean);
    });
    const r = sirtsim("dose", pet, "--labels", join(patient, "labels.nii.gz"), "--out", join(dir, "out-none"), "--method", "ldm", "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(tumourMean(r.stdout) / truth.pet.ldmMeanGy.tumour_1).toBeCloseTo(1, 4);
    const reported = JSON.parse(r.stdout).decayToAdministration;
    expect(reported.decayCorrection).toBe("NONE");
    expect(reported.elapsedH).toBeCloseTo(28, 10);
    expect(reported.factor).toBeCloseTo(1 / mean, 8);
  });

  it("DecayCorrection START without the injection date and time: exit 2 naming RadiopharmaceuticalStartDateTime, nothing written; --rescale-to-administered needs no time", () => {
    const noDate = petVariant("pet-start-nodate", (ds) => {
      scannerStart(4, "BQML")(ds);
      delete ds.RadiopharmaceuticalInformationSequence[0].RadiopharmaceuticalStartDateTime; // RadiopharmaceuticalStartTime 100000 stays: no date
    });
    const bad = sirtsim("dose", noDate, "--out", join(dir, "out-start-nodate"), "--method", "ldm");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("RadiopharmaceuticalStartDateTime");
    expect(bad.stderr).toContain("--rescale-to-administered");
    expect(existsSync(join(dir, "out-start-nodate"))).toBe(false);
    const rescaled = sirtsim("dose", noDate, "--labels", join(patient, "labels.nii.gz"), "--rescale-to-administered", "--administered-gbq", "2.5", "--out", join(dir, "out-start-rescaled"), "--method", "ldm", "--json");
    expect(rescaled.code, rescaled.stderr).toBe(0);
    expect(JSON.parse(rescaled.stdout).decayToAdministration).toBe(null);
    expect(tumourMean(rescaled.stdout) / truth.pet.ldmMeanGyRescaledToAdministered.tumour_1).toBeCloseTo(1, 4);
  });

  it("unequal slice spacing: exit 2 naming the two files and the tag (0020,0032) ImagePositionPatient, nothing written", () => {
    const uneven = join(dir, "pet-uneven");
    mkdirSync(uneven);
    const files = readdirSync(join(patient, "pet")).sort();
    // The slices after the 21st moved 1.5 mm further along z: one gap of spacing + 1.5 mm.
    files.forEach((f, k) => rewrite(join(patient, "pet", f), join(uneven, f), (ds) => {
      if (k > 20) ds.ImagePositionPatient = [ds.ImagePositionPatient[0], ds.ImagePositionPatient[1], Number(ds.ImagePositionPatient[2]) + 1.5];
    }));
    const r = sirtsim("dose", uneven, "--out", join(dir, "out-uneven"), "--method", "ldm");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("non-uniform slice spacing");
    expect(r.stderr).toContain(join(uneven, files[20]));
    expect(r.stderr).toContain(join(uneven, files[21]));
    expect(r.stderr).toContain("(0020,0032) ImagePositionPatient");
    expect(existsSync(join(dir, "out-uneven"))).toBe(false);
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

/**
 * Simulation on the synthetic patient in one command (issue 16.5): a case whose `geometry.images`
 * names the CT, the VOIs (SEG) and the MAA SPECT; `simulate` takes the liver and tumours from the
 * SEG on the CT grid, each tumour's T/N from the MAA counts, the LSF from the MAA's lung VOI, and
 * writes rtdose.dcm on the CT's frame of reference beside dose.nii.gz. Shards + merge give the same
 * files (a shard + merge too). `plan-images --write-case` (the two-step path) gives the same T/N and LSF.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dciodvfyErrors, ensureBuilt, hasPython, patient, python, root, sirtsim, truth } from "./helpers.js";
import { readNifti } from "../../src/io/nifti.js";
import { rasGrid, voxelToWorld, worldToVoxel } from "../../src/geometry/grid.js";

let dir: string;
let base: Record<string, unknown>;
/** A case file in `dir` with `geometry` as given (paths relative to `dir`, as a user writes them). */
function writeCase(name: string, geometry: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ ...base, ...extra, geometry }));
  return path;
}
const rel = (p: string) => relative(dir, join(patient, p));

beforeAll(() => {
  ensureBuilt("simulate.js");
  dir = mkdtempSync(join(tmpdir(), "sirtsim-patient-sim-"));
  // A small, quick base case: the default case's product and target, a 2000-terminal tree, no
  // embolic stasis; no lungShuntFraction (it comes from the MAA) and no compartments (from the VOIs).
  base = JSON.parse(readFileSync(join(root, "fixtures/cases/net-default.json"), "utf8"));
  base.tree = { terminals: 2000, seed: 7 };
  base.transport = { embolic: { enabled: false } };
  base.dose = { voxelMm: 4 };
  delete base.lungShuntFraction;
  delete base.compartments;
  writeFileSync(join(dir, "base.json"), JSON.stringify(base));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("simulate on the synthetic patient (geometry.images)", () => {
  it("one command: SEG VOIs on the CT, T/N and LSF from the MAA counts (as plan-images computes them), rtdose.dcm on the CT's frame, the dose where the VOIs are in world coordinates; shard + merge give the same files", async () => {
    const caseFile = writeCase("case", { images: { ct: rel("ct"), labels: rel("seg.dcm"), maa: rel("spect") } });
    // The numbers of plan-images on the same images (one computation, src/io/voiCounts.ts).
    const plan = sirtsim("plan-images", "--spect", join(patient, "spect"), "--ct", join(patient, "ct"), "--labels", join(patient, "seg.dcm"), "--target", "tumour_1:mean=150", "--json");
    expect(plan.code, plan.stderr).toBe(0);
    const planned = JSON.parse(plan.stdout);
    const relConc = (name: string) => planned.vois.find((v: { name: string }) => v.name === name).relativeConcentration;

    const sim = sirtsim("simulate", caseFile, "--out", join(dir, "sim"), "--workers", "1", "--json");
    expect(sim.code, sim.stderr).toBe(0);
    const summary = JSON.parse(sim.stdout);
    const images = summary.patientImages;
    expect(images.labelsSource).toBe("seg");
    expect(images.tumours.map((t: { name: string }) => t.name)).toEqual(Object.keys(truth.spect.tnFromCounts));
    for (const t of images.tumours as Array<{ name: string; tnRatio: number; tnSource: string; volumeMl: number }>) {
      expect(t.tnSource).toBe("maa");
      expect(t.tnRatio, t.name).toBe(relConc(t.name));
      // numpy's whole-voxel counts ratio on the same SPECT (truth.json), within the 1 % that
      // fractional occupancy moves it (planImages.test.ts checks numpy's exact occupancy to 0.3 %).
      expect(Math.abs(t.tnRatio / truth.spect.tnFromCounts[t.name] - 1), t.name).toBeLessThan(0.01);
      expect(summary.compartments[t.name].volumeMl).toBeCloseTo(truth.true.volumesMl[t.name], 6);
    }
    expect(images.lungShuntSource).toBe("maa");
    expect(images.lungShuntFromMaa).toBe(planned.lungShuntFraction);
    expect(Math.abs(images.lungShuntFromMaa / truth.spect.lsfFromCounts - 1)).toBeLessThan(0.01);
    expect(images.frameOfReferenceUID).toBe(truth.frameOfReferenceUID);
    for (const f of ["rtdose.dcm", "dose.nii.gz", "summary.json"]) expect(existsSync(join(dir, "sim", f)), f).toBe(true);
    // The dose where the VOIs are, in world coordinates: each tumour's voxels of the fixture's own
    // NIfTI label map (RAS, written by make_patient.py, not through the CT/SEG path), looked up in
    // dose.nii.gz by world position, give the tumour's mean dose of summary.json. (The CT's LPS
    // mask was once read as RAS: the dose came out mirrored in x and y, 3.5 Gy here for 113 Gy.)
    const labels = rasGrid(await readNifti(join(patient, "labels.nii.gz"), { kind: "labels" }));
    const doseNii = rasGrid(await readNifti(join(dir, "sim", "dose.nii.gz"), { kind: "activity" }));
    const names = JSON.parse(readFileSync(join(patient, "labels.json"), "utf8")) as Record<string, string>;
    for (const name of ["tumour_1", "tumour_2"]) {
      const label = Number(Object.keys(names).find((k) => names[k] === name));
      let sum = 0, n = 0;
      const w: [number, number, number] = [0, 0, 0], v: [number, number, number] = [0, 0, 0];
      const [nx, ny, nz] = labels.dims;
      for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
        if (labels.data[i + nx * (j + ny * k)] !== label) continue;
        voxelToWorld(w, labels, i, j, k);
        worldToVoxel(v, doseNii, w[0], w[1], w[2]);
        const [a, b, c] = v.map(Math.round);
        const [dx, dy, dz] = doseNii.dims;
        if (a < 0 || b < 0 || c < 0 || a >= dx || b >= dy || c >= dz) continue;
        sum += doseNii.data[a + dx * (b + dy * c)];
        n++;
      }
      expect(n, name).toBeGreaterThan(0);
      expect(Math.abs(sum / n / summary.compartments[name].meanDoseGy - 1), name).toBeLessThan(0.15);
    }

    // `plan` resolves the same case the same way: tumour T/N and the lung's share of the activity.
    const planCase = sirtsim("plan", caseFile, "--json");
    expect(planCase.code, planCase.stderr).toBe(0);
    const p = JSON.parse(planCase.stdout);
    expect(p.compartments.tumour_1.tumourToNormalRatio).toBe(relConc("tumour_1"));
    expect(p.compartments.lung.activityGBq / p.activityGBq).toBeCloseTo(planned.lungShuntFraction, 12);

    // A shard + merge: the same output set, byte for byte (the tree and transport of the whole run;
    // this 2000-terminal tree is one work unit, so one shard — merge re-reads the images through the
    // case path in the shard's manifest).
    const shard = sirtsim("simulate", caseFile, "--out", join(dir, "shard0"), "--shard", "0/1", "--tree", join(dir, "sim", "tree.bin"), "--lodged", join(dir, "sim", "lodged.bin"), "--workers", "1", "--json");
    expect(shard.code, shard.stderr).toBe(0);
    const merged = sirtsim("merge", join(dir, "shard0"), "--out", join(dir, "merged"), "--workers", "1", "--json");
    expect(merged.code, merged.stderr).toBe(0);
    for (const f of ["rtdose.dcm", "dose.nii.gz"]) expect(readFileSync(join(dir, "merged", f)).equals(readFileSync(join(dir, "sim", f))), f).toBe(true);

    if (hasPython("pydicom, nibabel, numpy")) {
      const doc = python("test/images/check_rtdose.py", join(dir, "sim", "rtdose.dcm"), join(dir, "sim", "dose.nii.gz"), join(patient, "ct")) as Record<string, any>;
      expect(doc.frameOfReferenceUID).toBe(doc.sourceFrameOfReferenceUID);
      expect(doc.referencedSeriesUID).toBe(doc.sourceSeriesUID);
      expect(doc.studyInstanceUID).toBe(doc.sourceStudyInstanceUID);
      expect(doc.patientID).toBe(doc.sourcePatientID);
      // The CT's orientation and spacing; every dose voxel centre on the CT's voxel lattice (the
      // case's 4 mm dose voxels are the CT's); the dose equal to dose.nii.gz to 1e-4 of its maximum.
      expect(doc.imageOrientationPatient).toEqual(doc.sourceImageOrientationPatient);
      expect(doc.pixelSpacing).toEqual(doc.sourcePixelSpacing);
      for (let a = 0; a < 3; a++) {
        const steps = (doc.imagePositionPatient[a] - doc.sourceImagePositionPatient[a]) / truth.grids.ct.spacingMm;
        expect(Math.abs(steps - Math.round(steps)), `axis ${a}`).toBeLessThan(1e-6);
      }
      expect(doc.maxAbsDiffRelative).toBeLessThan(1e-4);
      const errors = dciodvfyErrors(join(dir, "sim", "rtdose.dcm"), dir);
      if (errors !== null) expect(errors).toEqual([]);
    }

    // The two-step path (plan-images --write-case) writes the same T/N and LSF into its case.
    const written = sirtsim("plan-images", "--spect", join(patient, "spect"), "--ct", join(patient, "ct"), "--labels", join(patient, "seg.dcm"), "--target", "tumour_1:mean=150",
      "--write-case", join(dir, "written"), "--base-case", join(dir, "base.json"), "--json");
    expect(written.code, written.stderr).toBe(0);
    const writtenCase = JSON.parse(readFileSync(join(dir, "written", "case.json"), "utf8"));
    expect(writtenCase.lungShuntFraction).toBe(images.lungShuntFromMaa);
    expect(writtenCase.geometry.tumours.map((t: { tnRatio: number }) => t.tnRatio)).toEqual(images.tumours.map((t: { tnRatio: number }) => t.tnRatio));
  });

  it("the README's patient-images case (its paths pointed at fixtures/patient) plans with the MAA's T/N and LSF", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("**On a patient's images, in one command.**"));
    const example = JSON.parse(/```json\n([\s\S]*?)```/.exec(section)![1]);
    expect(Object.keys(example.geometry.images)).toEqual(["ct", "labels", "maa"]);
    const caseFile = join(dir, "readme-images.json");
    writeFileSync(caseFile, JSON.stringify({ ...example, geometry: { images: { ct: rel("ct"), labels: rel(example.geometry.images.labels), maa: rel("spect") } } }));
    const r = sirtsim("plan", caseFile, "--json");
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(Math.abs(plan.compartments.tumour_1.tumourToNormalRatio / truth.spect.tnFromCounts.tumour_1 - 1)).toBeLessThan(0.01);
    expect(Math.abs(plan.compartments.lung.activityGBq / plan.activityGBq / truth.spect.lsfFromCounts - 1)).toBeLessThan(0.01);
  });

  it("NIfTI labels + name table without an MAA: T/N and LSF from the case; no DICOM, so no rtdose.dcm", () => {
    const caseFile = writeCase("nifti", { images: { labels: rel("labels.nii.gz") }, tumours: [{ name: "tumour_1", tnRatio: 4 }, { name: "tumour_2", tnRatio: 2.5 }] }, { lungShuntFraction: 0.07 });
    const p = sirtsim("plan", caseFile, "--json");
    expect(p.code, p.stderr).toBe(0);
    const plan = JSON.parse(p.stdout);
    expect(plan.compartments.tumour_1.tumourToNormalRatio).toBe(4);
    expect(plan.compartments.tumour_2.tumourToNormalRatio).toBe(2.5);
    expect(plan.compartments.tumour_1.massKg / 1.03).toBeCloseTo(truth.true.volumesMl.tumour_1 / 1000, 9);
    expect(plan.compartments.lung.activityGBq / plan.activityGBq).toBeCloseTo(0.07, 12);
  });

  it("bad geometry.images: exit 2 naming the field, before any work, nothing written", () => {
    const cases: Array<[string, Record<string, unknown>, Record<string, unknown>, RegExp]> = [
      ["mask-too", { images: { labels: rel("labels.nii.gz") }, mask: { file: rel("labels.nii.gz") } }, {}, /geometry\.mask: the liver comes from geometry\.images\.labels/],
      ["tn-twice", { images: { ct: rel("ct"), labels: rel("seg.dcm"), maa: rel("spect") }, tumours: [{ name: "tumour_1", tnRatio: 3 }] }, {}, /geometry\.tumours\[0\]\.tnRatio: the T\/N comes from geometry\.images\.maa/],
      ["tn-missing", { images: { labels: rel("labels.nii.gz") }, tumours: [{ name: "tumour_1", tnRatio: 3 }] }, { lungShuntFraction: 0.05 }, /tumour VOI "tumour_2" needs a tnRatio/],
      ["no-such-tumour", { images: { labels: rel("labels.nii.gz") }, tumours: [{ name: "tumour_9", tnRatio: 3 }] }, {}, /"tumour_9" is not a tumour VOI/],
      ["seg-without-ct", { images: { labels: rel("seg.dcm"), maa: rel("spect") } }, {}, /geometry\.images\.ct: .* give the CT it was drawn on/],
      ["unknown-key", { images: { labels: rel("labels.nii.gz"), spect: rel("spect") } }, {}, /geometry\.images/],
      ["missing-file", { images: { ct: rel("no-such-ct"), labels: rel("seg.dcm") } }, {}, /geometry\.images\.ct: cannot read/],
    ];
    for (const [name, geometry, extra, message] of cases) {
      const out = join(dir, `bad-${name}`);
      const r = sirtsim("simulate", writeCase(name, geometry, extra), "--out", out, "--workers", "1");
      expect(r.code, `${name}: ${r.stderr}`).toBe(2);
      expect(r.stderr, name).toMatch(message);
      expect(existsSync(out), name).toBe(false);
    }
  });
});

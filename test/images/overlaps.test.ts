/**
 * Overlapping structures through the real CLI (issue 16 review, fix 1): tumours take precedence
 * over the liver whatever the order of the RTSTRUCT, two tumours overlapping are named in a
 * warning, and a structure left with zero volume is exit 2 naming it. Variants of the synthetic
 * patient's RTSTRUCT are made here with dcmjs; the expected activity is the hand computation of
 * fixtures/patient/make_patient.py (truth.json plan, numpy).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import dcmjs from "dcmjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, patient, sirtsim, truth } from "./helpers.js";

let dir: string;
beforeAll(() => {
  ensureBuilt("planImages.js");
  dir = mkdtempSync(join(tmpdir(), "sirtsim-overlaps-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The patient's RTSTRUCT with its naturalized dataset changed by `edit`, written to DIR/name. */
function rtstructVariant(name: string, edit: (ds: Record<string, any>) => void): string {
  const bytes = readFileSync(join(patient, "rtstruct.dcm"));
  const dict = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  edit(ds);
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
  const to = join(dir, name);
  writeFileSync(to, Buffer.from(dict.write()));
  return to;
}

/** Add a copy of ROI `from` named `name`, its contour points shifted by `dxMm` along x (LPS). */
function addShiftedCopy(ds: Record<string, any>, from: string, name: string, dxMm: number): void {
  const roi = ds.StructureSetROISequence.find((r: any) => r.ROIName === from);
  const number = Math.max(...ds.StructureSetROISequence.map((r: any) => Number(r.ROINumber))) + 1;
  ds.StructureSetROISequence.push({ ...roi, ROINumber: number, ROIName: name });
  const contours = ds.ROIContourSequence.find((c: any) => Number(c.ReferencedROINumber) === Number(roi.ROINumber));
  const shifted = contours.ContourSequence.map((c: any) => ({ ...c, ContourData: c.ContourData.map((v: number, i: number) => (i % 3 === 0 ? Number(v) + dxMm : Number(v))) }));
  ds.ROIContourSequence.push({ ...contours, ReferencedROINumber: number, ContourSequence: shifted });
}

const plan = (labels: string, ...extra: string[]) => sirtsim("plan-images", "--spect", join(patient, "spect"), "--labels", labels, "--ct", join(patient, "ct"), "--json", ...extra);

/**
 * The patient's SEG with the liver segment made the whole liver (its frames OR the tumours' at
 * the same plane) and listed after the tumours and lungs in SegmentSequence.
 */
function segWholeLiverLast(name: string): string {
  const bytes = readFileSync(join(patient, "seg.dcm"));
  const dict = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  const frameSize = Number(ds.Rows) * Number(ds.Columns);
  const pixels = new Uint8Array(ds.PixelData[0]);
  const frames = ds.PerFrameFunctionalGroupsSequence.map((fg: any, index: number) => ({
    index,
    segment: Number(fg.SegmentIdentificationSequence.ReferencedSegmentNumber ?? fg.SegmentIdentificationSequence[0].ReferencedSegmentNumber),
    z: Number((fg.PlanePositionSequence.ImagePositionPatient ?? fg.PlanePositionSequence[0].ImagePositionPatient)[2]),
  }));
  const segmentOf = (label: string) => Number(ds.SegmentSequence.find((s: any) => s.SegmentLabel === label).SegmentNumber);
  const liver = segmentOf("liver");
  const bit = (p: number) => (pixels[p >> 3] >> (p & 7)) & 1;
  for (const t of frames.filter((f: any) => f.segment === segmentOf("tumour_1") || f.segment === segmentOf("tumour_2"))) {
    const l = frames.find((f: any) => f.segment === liver && Math.abs(f.z - t.z) < 1e-3);
    for (let q = 0; q < frameSize; q++) {
      const p = l.index * frameSize + q;
      if (bit(t.index * frameSize + q)) pixels[p >> 3] |= 1 << (p & 7);
    }
  }
  ds.PixelData = [pixels.buffer];
  ds.SegmentSequence = [...ds.SegmentSequence.filter((s: any) => s.SegmentLabel !== "liver"), ...ds.SegmentSequence.filter((s: any) => s.SegmentLabel === "liver")];
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
  const to = join(dir, name);
  writeFileSync(to, Buffer.from(dict.write()));
  return to;
}

describe("overlapping structures (SEG on the CT)", () => {
  it("a whole-liver segment listed after the tumours does not erase them: the plan of the fixture's SEG", () => {
    const seg = segWholeLiverLast("seg-liver-last.dcm");
    const r = plan(seg, "--target", "tumour_1:mean=150");
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const fixture = JSON.parse(plan(join(patient, "seg.dcm"), "--target", "tumour_1:mean=150").stdout);
    expect(doc.activityGBq).toBe(fixture.activityGBq);
    for (const v of fixture.vois) expect(doc.vois.find((w: any) => w.name === v.name).volumeMl).toBe(v.volumeMl);
  });
});

describe("overlapping structures (RTSTRUCT on the CT)", () => {
  it("a whole-liver ROI listed after the tumours does not erase them: the same plan as the file in order, within 0.5 % of the hand computation (1.355 GBq)", () => {
    // Liver last, as the reviewer's file: before the fix this planned 7.71 GBq (normal liver 288 Gy) with exit 0.
    const liverLast = rtstructVariant("liver-last.dcm", (ds) => {
      const isLiver = (r: any) => r.ROIName === "liver";
      ds.StructureSetROISequence = [...ds.StructureSetROISequence.filter((r: any) => !isLiver(r)), ...ds.StructureSetROISequence.filter(isLiver)];
      const liverNumber = Number(ds.StructureSetROISequence.at(-1).ROINumber);
      const isLiverContour = (c: any) => Number(c.ReferencedROINumber) === liverNumber;
      ds.ROIContourSequence = [...ds.ROIContourSequence.filter((c: any) => !isLiverContour(c)), ...ds.ROIContourSequence.filter(isLiverContour)];
    });
    const r = plan(liverLast, "--target", "tumour_1:mean=150");
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const inOrder = JSON.parse(plan(join(patient, "rtstruct.dcm"), "--target", "tumour_1:mean=150").stdout);
    expect(doc.activityGBq).toBe(inOrder.activityGBq);
    expect(Math.abs(doc.activityGBq / truth.plan.administeredGBq - 1)).toBeLessThan(0.005);
    const liver = doc.vois.find((v: any) => v.name === "liver");
    expect(Math.abs(liver.massKg / truth.plan.compartments.liver.massKg - 1)).toBeLessThan(0.005);
    expect(liver.meanGy).toBeLessThan(50);
    // The synthetic patient's lung and liver ellipsoids cross (make_patient.py): named in a warning.
    expect(r.stderr).toContain('structures "lungs" and "liver" overlap');
  });

  it("two tumours overlapping: a warning naming both, exit 0", () => {
    const two = rtstructVariant("two-tumours.dcm", (ds) => addShiftedCopy(ds, "tumour_1", "tumour_3", 20));
    const r = plan(two, "--target", "tumour_1:mean=150");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: .*structures "tumour_1" and "tumour_3" overlap in \d+ voxel/);
  });

  it("a tumour entirely inside another (a nested sub-volume) is left out with a warning: plan-images refuses it as a target (never 'allows ≤ Infinity GBq'), dose runs", () => {
    const covered = rtstructVariant("covered.dcm", (ds) => addShiftedCopy(ds, "tumour_1", "tumour_1b", 0));
    const r = plan(covered, "--target", "tumour_1:mean=150");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('structure "tumour_1" lies entirely inside "tumour_1b"');
    expect(r.stderr).toMatch(/error: .*tumour_1/);
    expect(r.stderr).not.toContain("Infinity");
    const d = sirtsim("dose", join(patient, "pet"), "--labels", covered, "--ct", join(patient, "ct"), "--out", join(dir, "out-covered"), "--method", "ldm");
    expect(d.code, d.stderr).toBe(0);
    expect(d.stderr).toMatch(/warning: .*structure "tumour_1" lies entirely inside "tumour_1b".*left out/);
  });

  it("two liver structures (the liver and a segment drawn over it) sharing voxels: a warning naming both", () => {
    const seg = rtstructVariant("liver-seg.dcm", (ds) => addShiftedCopy(ds, "liver", "Liver_S8", 30));
    const d = sirtsim("dose", join(patient, "pet"), "--labels", seg, "--ct", join(patient, "ct"), "--out", join(dir, "out-liver-seg"), "--method", "ldm", "--json");
    expect(d.code, d.stderr).toBe(0);
    expect(d.stderr).toMatch(/warning: .*structures "liver" and "Liver_S8" overlap in \d+ voxel/);
    // In the document too (metrics.json / --json warnings), not only on stderr.
    expect(JSON.parse(d.stdout).warnings.some((w: string) => w.includes('structures "liver" and "Liver_S8" overlap'))).toBe(true);
  });

  it("an empty template ROI (no contour) of any role is left out with a warning, not refused", () => {
    const empty = rtstructVariant("empty-roi.dcm", (ds) => {
      const number = Math.max(...ds.StructureSetROISequence.map((r: any) => Number(r.ROINumber))) + 1;
      ds.StructureSetROISequence.push({ ...ds.StructureSetROISequence[0], ROINumber: number, ROIName: "GTV_3" });
      ds.ROIContourSequence.push({ ...ds.ROIContourSequence[0], ReferencedROINumber: number, ContourSequence: [] });
    });
    const d = sirtsim("dose", join(patient, "pet"), "--labels", empty, "--ct", join(patient, "ct"), "--out", join(dir, "out-empty"), "--method", "ldm");
    expect(d.code, d.stderr).toBe(0);
    expect(d.stderr).toMatch(/warning: .*structure "GTV_3" has no voxel on the grid.*left out/);
    const p = plan(empty, "--target", "tumour_1:mean=150");
    expect(p.code, p.stderr).toBe(0);
  });

  it("dose: a tumour smaller than the SPECT's voxels, holding none of them whole, is named in a warning (not dropped silently)", () => {
    // One 4 mm CT voxel at LPS (−110, −110, −54): no 5 mm SPECT centre (origin −127.2) falls in it.
    const tiny = rtstructVariant("tiny.dcm", (ds) => {
      const number = Math.max(...ds.StructureSetROISequence.map((r: any) => Number(r.ROINumber))) + 1;
      ds.StructureSetROISequence.push({ ...ds.StructureSetROISequence[0], ROINumber: number, ROIName: "tumour_tiny" });
      const square = [-111.5, -111.5, -54, -108.5, -111.5, -54, -108.5, -108.5, -54, -111.5, -108.5, -54];
      ds.ROIContourSequence.push({ ...ds.ROIContourSequence[0], ReferencedROINumber: number, ContourSequence: [{ ...ds.ROIContourSequence[0].ContourSequence[0], NumberOfContourPoints: 4, ContourData: square }] });
    });
    const r = sirtsim("dose", join(patient, "spect"), "--administered-gbq", "1.5", "--labels", tiny, "--ct", join(patient, "ct"), "--out", join(dir, "out-tiny"), "--method", "ldm", "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: .*VOI "tumour_tiny" holds no whole voxel of the activity grid \(0\.\d+ mL by fractional occupancy\)/);
  });
});

/**
 * readDicomSeries refuses what it cannot trust (issue 19 §6), naming the file and the tag:
 * degenerate PixelSpacing and orientation, pixel data short by even one byte, series whose files
 * disagree on frame of reference, modality or units, duplicated and missing slices, gantry tilt,
 * and missing rescale attributes where the modality requires them. Each test starts from a valid
 * synthetic series (read back correctly first) and changes one thing.
 */
import { describe, expect, it } from "vitest";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeDicomFile } from "./helpers/writeDicom.js";
import { readDicomSeries } from "../../src/io/dicom.js";
import { InputError } from "../../src/errors.js";

type Dataset = Record<string, unknown>;

/** An axial CT slice k of a 3-slice series (2 × 3 pixels, int16, 2.5 mm apart). */
function ctSlice(k: number, modality = "CT"): Dataset {
  const pixels = new Int16Array(6).map((_, p) => 1024 + p + 10 * k);
  return {
    SOPClassUID: "1.2.840.10008.5.1.4.1.1.2", SOPInstanceUID: `1.2.3.4.${k + 1}`, Modality: modality,
    StudyInstanceUID: "1.2.3.1", SeriesInstanceUID: "1.2.3.2", FrameOfReferenceUID: "1.2.3.3", InstanceNumber: String(k + 1),
    ImagePositionPatient: ["-10", "-20", String(30 + 2.5 * k)], ImageOrientationPatient: ["1", "0", "0", "0", "1", "0"],
    PixelSpacing: ["0.75", "1.25"], SliceThickness: "2.5", Rows: 2, Columns: 3, SamplesPerPixel: 1,
    PhotometricInterpretation: "MONOCHROME2", BitsAllocated: 16, BitsStored: 16, HighBit: 15, PixelRepresentation: 1,
    RescaleSlope: "1", RescaleIntercept: "-1024", PixelData: [pixels.buffer], _vrMap: { PixelData: "OW" },
  };
}

/** Write slices (after `change`) into a new folder; returns the folder. */
async function series(change: (ds: Dataset, k: number) => Dataset | null = (ds) => ds, count = 3): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "sirtsim-dicom-trust-"));
  for (let k = 0; k < count; k++) {
    const ds = change(ctSlice(k), k);
    if (ds) await writeDicomFile(join(dir, `s${k}.dcm`), ds);
  }
  return dir;
}

async function refusal(dir: string): Promise<string> {
  try {
    await readDicomSeries(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error("readDicomSeries accepted the series");
}

describe("readDicomSeries refuses untrustworthy series, naming file and tag", () => {
  it("readDicomSeries reads the unchanged synthetic series (the baseline of the refusals below)", async () => {
    const ct = await readDicomSeries(await series());
    expect(ct.grid.dims).toEqual([3, 2, 3]);
    expect(ct.grid.spacingMm).toEqual([1.25, 0.75, 2.5]);
    expect(Array.from(ct.grid.data.subarray(0, 6))).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it.each([["0\\0.75"], ["-1.25\\0.75"], ["NaN\\1"]])("readDicomSeries refuses PixelSpacing %s naming (0028,0030)", async (value) => {
    const dir = await series((ds, k) => (k === 1 ? { ...ds, PixelSpacing: value.split("\\") } : ds));
    expect(await refusal(dir)).toMatch(/s1\.dcm: \(0028,0030\) PixelSpacing (must be two positive numbers|must be 2 finite numbers)/);
  });

  it.each([
    ["zero", ["0", "0", "0", "0", "0", "0"]],
    ["not orthogonal", ["1", "0", "0", "0.5", "0.8660254", "0"]],
    ["not unit", ["2", "0", "0", "0", "1", "0"]],
  ])("readDicomSeries refuses a %s ImageOrientationPatient naming (0020,0037)", async (_name, iop) => {
    const dir = await series((ds) => ({ ...ds, ImageOrientationPatient: iop }));
    expect(await refusal(dir)).toMatch(/s0\.dcm: \(0020,0037\) ImageOrientationPatient must be two orthogonal unit vectors/);
  });

  it.each([1, 2, 11])("readDicomSeries refuses a file cut short by %i byte(s)", async (cut) => {
    const dir = await series();
    const path = join(dir, "s2.dcm");
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.length - cut));
    expect(await refusal(dir)).toMatch(/s2\.dcm: truncated/);
  });

  it("readDicomSeries refuses pixel data one sample shorter than Rows × Columns", async () => {
    const dir = await series((ds, k) => (k === 0 ? { ...ds, PixelData: [new Int16Array(5).buffer] } : ds));
    expect(await refusal(dir)).toMatch(/s0\.dcm: \(7FE0,0010\) PixelData has 10 bytes but 2×3×1 frames of 16 bits need 12/);
  });

  it.each([
    ["FrameOfReferenceUID", "(0020,0052) FrameOfReferenceUID", "1.2.3.99"],
    ["Modality", "(0008,0060) Modality", "MR"],
    ["Units", "(0054,1001) Units", "CNTS"],
    ["StudyInstanceUID", "(0020,000D) StudyInstanceUID", "1.2.3.98"],
  ])("readDicomSeries refuses a series whose files disagree on %s", async (key, tagName, value) => {
    const dir = await series((ds, k) => (k === 2 ? { ...ds, [key]: value } : key === "Units" ? { ...ds, Units: "BQML" } : ds));
    const message = await refusal(dir);
    expect(message).toContain(`s2.dcm: ${tagName} is "${value}"`);
  });

  it("readDicomSeries refuses a duplicated slice and a missing one, naming the slices", async () => {
    const dup = await series((ds, k) => (k === 2 ? { ...ds, ImagePositionPatient: ["-10", "-20", "32.5"] } : ds));
    expect(await refusal(dup)).toMatch(/s1\.dcm and \S*s2\.dcm lie at the same position .*\(0020,0032\) ImagePositionPatient.*duplicated slice/);
    const gap = await series((ds, k) => (k === 3 ? null : ds), 5);
    expect(await refusal(gap)).toMatch(/1 slice\(s\) missing between \S*s2\.dcm and \S*s4\.dcm \(5\.000 mm apart, the series' spacing is 2\.500 mm/);
    const uneven = await series((ds, k) => (k === 2 ? { ...ds, ImagePositionPatient: ["-10", "-20", "36.2"] } : ds));
    expect(await refusal(uneven)).toMatch(/non-uniform slice spacing between \S*s1\.dcm and \S*s2\.dcm/);
  });

  it("readDicomSeries refuses gantry tilt, by the tag and by slice positions off the normal", async () => {
    const tagged = await series((ds) => ({ ...ds, GantryDetectorTilt: "15" }));
    expect(await refusal(tagged)).toMatch(/s0\.dcm: \(0018,1120\) GantryDetectorTilt is 15°/);
    const sheared = await series((ds, k) => ({ ...ds, ImagePositionPatient: ["-10", String(-20 + 0.7 * k), String(30 + 2.5 * k)] }));
    expect(await refusal(sheared)).toMatch(/slices are stacked 15\.64° off the normal of \(0020,0037\) ImageOrientationPatient/);
  });

  it("readDicomSeries requires RescaleSlope and RescaleIntercept for CT and PET, not for MR", async () => {
    const noSlope = await series((ds, k) => (k === 1 ? { ...ds, RescaleSlope: undefined } : ds));
    expect(await refusal(noSlope)).toMatch(/s1\.dcm: \(0028,1053\) RescaleSlope is missing \(required for modality CT/);
    const pet = await series((ds) => ({ ...ds, Modality: "PT", Units: "BQML", RescaleIntercept: undefined }));
    expect(await refusal(pet)).toMatch(/s0\.dcm: \(0028,1052\) RescaleIntercept is missing \(required for modality PT/);
    const zero = await series((ds) => ({ ...ds, RescaleSlope: "0" }));
    expect(await refusal(zero)).toMatch(/\(0028,1053\) RescaleSlope must be a finite, non-zero number, got "?0"?$/);
    const mr = await readDicomSeries(await series((ds) => ({ ...ds, Modality: "MR", RescaleSlope: undefined, RescaleIntercept: undefined })));
    expect(mr.grid.data[0]).toBe(1024);
  });
});

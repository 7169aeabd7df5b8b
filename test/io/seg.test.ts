import { describe, expect, it } from "vitest";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeDicomFile } from "./helpers/writeDicom.js";
import { readDicomSeg } from "../../src/io/seg.js";
import { InputError } from "../../src/errors.js";
import { voxelIndex, voxelToWorld, type GridGeometry, type Vec3 } from "../../src/geometry/grid.js";

const ROWS = 12, COLS = 16, DX = 1.5, DY = 2, DZ = 3;
const ORIGIN: Vec3 = [-12, -10, 30];
// The SEG's own geometry as a grid (LPS, axial): columns along x, rows along y, frames along z.
const segGrid: GridGeometry = { dims: [COLS, ROWS, 4], spacingMm: [DX, DY, DZ], originMm: ORIGIN, direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], frame: "LPS" };

/** Ground truth: segment 1 = a disc of radius 8 mm on slices 0–2; segment 2 = a 3 × 3 square on slices 1–3. */
function truth(segment: number, r: number, c: number, slice: number): boolean {
  const x = ORIGIN[0] + c * DX, y = ORIGIN[1] + r * DY;
  if (segment === 1) return slice <= 2 && Math.hypot(x - 0.5, y - 1) <= 8;
  return slice >= 1 && r >= 4 && r < 7 && c >= 9 && c < 12;
}

async function writeSeg(path: string, fractional = false): Promise<void> {
  const frames: Array<{ segment: number; slice: number }> = [];
  for (const slice of [0, 1, 2]) frames.push({ segment: 1, slice });
  for (const slice of [3, 1, 2]) frames.push({ segment: 2, slice }); // out of order on purpose
  const n = frames.length * ROWS * COLS;
  const pixels = new Uint8Array(fractional ? n : Math.ceil(n / 8));
  frames.forEach((f, fi) => {
    for (let r = 0; r < ROWS; r++) for (let c = 0; c < COLS; c++) {
      if (!truth(f.segment, r, c, f.slice)) continue;
      const p = fi * ROWS * COLS + r * COLS + c;
      if (fractional) pixels[p] = 200; // of 255: inside
      else pixels[p >> 3] |= 1 << (p & 7); // PS3.5 8.1.1: bits packed LSB first, across frames
    }
  });
  const ds = {
    SOPClassUID: "1.2.840.10008.5.1.4.1.1.66.4", SOPInstanceUID: "1.2.3.77.1", Modality: "SEG", FrameOfReferenceUID: "1.2.3.77.9",
    SeriesInstanceUID: "1.2.3.77.2", StudyInstanceUID: "1.2.3.77.3", PatientID: "TEST-001",
    SegmentationType: fractional ? "FRACTIONAL" : "BINARY", ...(fractional ? { SegmentationFractionalType: "PROBABILITY", MaximumFractionalValue: 255 } : {}),
    Rows: ROWS, Columns: COLS, NumberOfFrames: String(frames.length), SamplesPerPixel: 1, PhotometricInterpretation: "MONOCHROME2",
    BitsAllocated: fractional ? 8 : 1, BitsStored: fractional ? 8 : 1, HighBit: fractional ? 7 : 0, PixelRepresentation: 0,
    SegmentSequence: [
      { SegmentNumber: 1, SegmentLabel: "liver", SegmentAlgorithmType: "MANUAL" },
      { SegmentNumber: 2, SegmentLabel: "tumour", SegmentAlgorithmType: "MANUAL" },
    ],
    SharedFunctionalGroupsSequence: [{
      PlaneOrientationSequence: [{ ImageOrientationPatient: ["1", "0", "0", "0", "1", "0"] }],
      PixelMeasuresSequence: [{ PixelSpacing: [String(DY), String(DX)], SliceThickness: String(DZ), SpacingBetweenSlices: String(DZ) }],
    }],
    PerFrameFunctionalGroupsSequence: frames.map((f) => ({
      PlanePositionSequence: [{ ImagePositionPatient: [ORIGIN[0], ORIGIN[1], ORIGIN[2] + f.slice * DZ].map(String) }],
      SegmentIdentificationSequence: [{ ReferencedSegmentNumber: f.segment }],
    })),
    PixelData: [pixels.buffer],
    _vrMap: { PixelData: "OB" },
  };
  await writeDicomFile(path, ds);
}

async function segFile(fractional = false): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "sirtsim-seg-"));
  const path = join(dir, fractional ? "frac.dcm" : "seg.dcm");
  await writeSeg(path, fractional);
  return path;
}

describe("readDicomSeg", () => {
  for (const fractional of [false, true]) {
    it(`readDicomSeg (${fractional ? "FRACTIONAL" : "BINARY"}) on the SEG's own grid gives every voxel its segment, the later segment on top`, async () => {
      const { labels, names, segments, frameOfReferenceUID } = await readDicomSeg(await segFile(fractional), segGrid);
      expect(names).toEqual({ 1: "liver", 2: "tumour" });
      expect(frameOfReferenceUID).toBe("1.2.3.77.9");
      let count = 0;
      for (let k = 0; k < 4; k++) for (let r = 0; r < ROWS; r++) for (let c = 0; c < COLS; c++) {
        const want = truth(2, r, c, k) ? 2 : truth(1, r, c, k) ? 1 : 0;
        if (want) count++;
        expect(labels.data[voxelIndex(segGrid, c, r, k)], `voxel ${c},${r},${k}`).toBe(want);
      }
      expect(count).toBeGreaterThan(100);
      expect(segments.map((s) => [s.name, s.frames])).toEqual([["liver", 3], ["tumour", 3]]);
    });
  }

  it("readDicomSeg resamples onto a finer RAS grid by nearest neighbour", async () => {
    const path = await segFile();
    // Half the in-plane spacing, same z planes, RAS frame.
    const fine: GridGeometry = { dims: [2 * COLS, 2 * ROWS, 4], spacingMm: [DX / 2, DY / 2, DZ], originMm: [12, 10, 30], direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1], frame: "RAS" };
    const { labels } = await readDicomSeg(path, fine);
    const w: Vec3 = [0, 0, 0];
    let checked = 0;
    for (let k = 0; k < 4; k++) for (let j = 0; j < 2 * ROWS; j++) for (let i = 0; i < 2 * COLS; i++) {
      voxelToWorld(w, fine, i, j, k);
      const lps = [-w[0], -w[1], w[2]];
      const c = (lps[0] - ORIGIN[0]) / DX, r = (lps[1] - ORIGIN[1]) / DY;
      // Skip centres halfway between SEG pixels (nearest is a tie there).
      if (Math.abs(c - Math.round(c)) > 0.49 || Math.abs(r - Math.round(r)) > 0.49) continue;
      const rc = Math.round(r), cc = Math.round(c);
      if (rc < 0 || rc >= ROWS || cc < 0 || cc >= COLS) continue;
      const want = truth(2, rc, cc, k) ? 2 : truth(1, rc, cc, k) ? 1 : 0;
      expect(labels.data[voxelIndex(fine, i, j, k)]).toBe(want);
      checked++;
    }
    expect(checked).toBeGreaterThan(200);
  });

  it("readDicomSeg rejects a wrong frame of reference, an unknown segment and a non-SEG file", async () => {
    const path = await segFile();
    await expect(readDicomSeg(path, segGrid, { frameOfReferenceUID: "9.9" })).rejects.toThrow(/seg\.dcm: it is on frame of reference 1\.2\.3\.77\.9/);
    await expect(readDicomSeg(path, segGrid, { segments: ["spleen"] })).rejects.toThrow(/no segment named "spleen"/);
    const dir = await mkdtemp(join(tmpdir(), "sirtsim-seg-"));
    await writeFile(join(dir, "x.dcm"), "nope");
    await expect(readDicomSeg(join(dir, "x.dcm"), segGrid)).rejects.toBeInstanceOf(InputError);
  });
});

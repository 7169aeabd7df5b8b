import { describe, expect, it } from "vitest";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeDicomFile } from "./helpers/writeDicom.js";
import { readRtStruct } from "../../src/io/rtstruct.js";
import { formatDecimalString } from "../../src/io/decimalString.js";
import { InputError } from "../../src/errors.js";
import { voxelIndex, voxelToWorld, type GridGeometry } from "../../src/geometry/grid.js";

const FOR = "1.2.3.99.1";

// An axial CT-like grid in LPS: 40 × 40 × 10 voxels of 1 × 1 × 2.5 mm.
const lpsGrid: GridGeometry = { dims: [40, 40, 10], spacingMm: [1, 1, 2.5], originMm: [-20, -20, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], frame: "LPS" };

type Polygon = Array<[number, number]>; // LPS x, y in mm

function circle(cx: number, cy: number, r: number, n: number): Polygon {
  return Array.from({ length: n }, (_, q) => [cx + r * Math.cos((2 * Math.PI * q) / n), cy + r * Math.sin((2 * Math.PI * q) / n)] as [number, number]);
}

function star(cx: number, cy: number, rOut: number, rIn: number, points: number): Polygon {
  return Array.from({ length: 2 * points }, (_, q) => {
    const r = q % 2 ? rIn : rOut;
    const t = (Math.PI * q) / points + 0.1;
    return [cx + r * Math.cos(t), cy + r * Math.sin(t)] as [number, number];
  });
}

/** Ray casting, one point at a time: the independent second method. */
function inside(poly: Polygon, x: number, y: number): boolean {
  let odd = false;
  for (let a = 0, b = poly.length - 1; a < poly.length; b = a++) {
    const [xa, ya] = poly[a];
    const [xb, yb] = poly[b];
    if (ya > y !== yb > y && x < ((xb - xa) * (y - ya)) / (yb - ya) + xa) odd = !odd;
  }
  return odd;
}

interface Roi { number: number; name: string; contours: Array<{ z: number; poly: Polygon; type?: string; tilt?: number }> }

async function writeRtStructFile(path: string, rois: Roi[], frame = FOR): Promise<void> {
  const ds = {
    SOPClassUID: "1.2.840.10008.5.1.4.1.1.481.3", SOPInstanceUID: "1.2.3.99.2", Modality: "RTSTRUCT",
    PatientID: "TEST-001", StudyInstanceUID: "1.2.3.99.3", SeriesInstanceUID: "1.2.3.99.4", StructureSetLabel: "test",
    StructureSetROISequence: rois.map((r) => ({ ROINumber: String(r.number), ROIName: r.name, ReferencedFrameOfReferenceUID: frame, ROIGenerationAlgorithm: "MANUAL" })),
    ROIContourSequence: rois.map((r) => ({
      ReferencedROINumber: String(r.number),
      ContourSequence: r.contours.map((c) => ({
        ContourGeometricType: c.type ?? "CLOSED_PLANAR",
        NumberOfContourPoints: String(c.poly.length),
        ContourData: c.poly.flatMap(([x, y], q) => [x, y, c.z + (c.tilt ?? 0) * q].map(formatDecimalString)),
      })),
    })),
  };
  await writeDicomFile(path, ds);
}

const liverPoly = circle(3.37, -2.21, 12.3, 64);
const tumourStar = star(6.13, -0.77, 7.4, 3.1, 5);
const tumourHole = circle(6.13, -0.77, 1.9, 12);
const rois: Roi[] = [
  { number: 7, name: "liver", contours: [2, 3, 4, 5, 6, 7].map((k) => ({ z: 2.5 * k, poly: liverPoly })) },
  { number: 9, name: "tumour", contours: [{ z: 10, poly: tumourStar }, { z: 10, poly: tumourHole }] },
];

async function fixture(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "sirtsim-rtstruct-"));
  const path = join(dir, "rs.dcm");
  await writeRtStructFile(path, rois);
  return path;
}

describe("readRtStruct", () => {
  it("readRtStruct fills exactly the voxel centres inside each contour (checked by ray casting), holes by XOR, later ROIs on top", async () => {
    const path = await fixture();
    const { labels, names, rois: info, frameOfReferenceUID } = await readRtStruct(path, lpsGrid);
    expect(names).toEqual({ 1: "liver", 2: "tumour" });
    expect(frameOfReferenceUID).toBe(FOR);
    const w = [0, 0, 0] as [number, number, number];
    let liverVoxels = 0;
    for (let k = 0; k < 10; k++) for (let j = 0; j < 40; j++) for (let i = 0; i < 40; i++) {
      voxelToWorld(w, lpsGrid, i, j, k);
      let want = 0;
      if (k >= 2 && k <= 7 && inside(liverPoly, w[0], w[1])) want = 1;
      if (k === 4 && inside(tumourStar, w[0], w[1]) !== inside(tumourHole, w[0], w[1])) want = 2;
      expect(labels.data[voxelIndex(lpsGrid, i, j, k)], `voxel ${i},${j},${k}`).toBe(want);
      if (want === 1) liverVoxels++;
    }
    expect(info.map((r) => [r.name, r.roiNumber, r.contours, r.voxels])).toEqual([["liver", 7, 6, liverVoxels], ["tumour", 9, 2, info[1].voxels]]);
    // The liver's area per slice is close to π r² (a sanity check on the scale).
    const perSlice = (liverVoxels + info[1].voxels) / 6;
    expect(Math.abs(perSlice - Math.PI * 12.3 ** 2) / (Math.PI * 12.3 ** 2)).toBeLessThan(0.05);
  });

  it("readRtStruct on a RAS grid puts the ROIs at the same world positions", async () => {
    const path = await fixture();
    const ras: GridGeometry = { ...lpsGrid, originMm: [20, 20, 0], direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1], frame: "RAS" };
    const a = await readRtStruct(path, lpsGrid);
    const b = await readRtStruct(path, ras);
    // Same world geometry expressed in the other frame: the voxel arrays are identical.
    expect(Array.from(b.labels.data)).toEqual(Array.from(a.labels.data));
  });

  it("readRtStruct draws ROIs in the order asked, the later winning where they overlap", async () => {
    const path = await fixture();
    const { labels, names } = await readRtStruct(path, lpsGrid, { rois: ["tumour", "liver"] });
    expect(names).toEqual({ 1: "tumour", 2: "liver" });
    const tumourOnly = Array.from(labels.data).filter((l) => l === 1).length;
    expect(tumourOnly).toBe(0); // the liver covers the tumour everywhere
  });

  it("readRtStruct rejects a wrong frame of reference, an unknown ROI, a tilted contour and a non-RTSTRUCT file", async () => {
    const path = await fixture();
    await expect(readRtStruct(path, lpsGrid, { frameOfReferenceUID: "9.9.9" })).rejects.toThrow(/rs\.dcm: its ROIs refer to frame of reference 1\.2\.3\.99\.1, not the reference image's 9\.9\.9/);
    await expect(readRtStruct(path, lpsGrid, { rois: ["spleen"] })).rejects.toThrow(/no ROI named "spleen" \(ROIs: "liver", "tumour"\)/);
    const dir = await mkdtemp(join(tmpdir(), "sirtsim-rtstruct-"));
    await writeRtStructFile(join(dir, "tilt.dcm"), [{ number: 1, name: "x", contours: [{ z: 5, poly: liverPoly, tilt: 0.2 }] }]);
    await expect(readRtStruct(join(dir, "tilt.dcm"), lpsGrid)).rejects.toThrow(/tilt\.dcm: ROI "x": a contour is not in a k-plane/);
    await writeFile(join(dir, "text.dcm"), "not dicom");
    await expect(readRtStruct(join(dir, "text.dcm"), lpsGrid)).rejects.toBeInstanceOf(InputError);
  });
});

/**
 * DICOM RT Structure Set (RTSTRUCT, PS3.3 A.19) → a label map on a reference grid (normally the
 * CT or SPECT the structures were drawn on, from readDicomSeries).
 *
 * Each CLOSED_PLANAR contour is rasterised on the reference-grid slice it lies on: a voxel belongs
 * to the contour when its centre is inside the polygon (even–odd rule, the polygon's edges
 * interpolated linearly). Several contours of one ROI on the same slice combine by XOR, so an inner
 * contour cuts a hole (the convention of 3D Slicer / plastimatch). Contours must lie in a k-plane
 * of the grid (within 0.5 voxel along k, within 0.01 voxel flatness): draw on the CT grid, then
 * resample the label map onto the dose grid with resampleGrid(…, { method: "nearest" }).
 * POINT and OPEN_PLANAR contours are ignored. Where ROIs overlap, the later one in `rois` wins;
 * without `rois`, tumours take precedence over the liver, the liver over the lungs, and all over
 * ROIs of unknown role, whatever the file order (src/io/voiRole.ts paintOrder), the later in the file
 * winning between equals. Overlaps are returned (`overlaps`).
 */
import { InputError } from "../errors.js";
import { worldToVoxel, type Grid, type GridGeometry, type Vec3 } from "../geometry/grid.js";
import { readDicomDataset } from "./dicom.js";
import { paintOrder, type VoiOverlap } from "./voiRole.js";

export const RT_STRUCTURE_SET_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.481.3";

export interface StructureSetRoi {
  /** Label value in the map (1, 2, … in the order drawn). */
  readonly label: number;
  readonly roiNumber: number;
  readonly name: string;
  /** Closed planar contours rasterised. */
  readonly contours: number;
  /** Voxels assigned to this ROI in the label map (after later ROIs overwrote it). */
  readonly voxels: number;
  /** Voxels inside the ROI's own contours, before any other ROI was painted over it. */
  readonly drawnVoxels: number;
}

export interface StructureSetMasks {
  readonly labels: Grid<Uint16Array>;
  /** Label value → ROI name. */
  readonly names: Readonly<Record<number, string>>;
  readonly rois: readonly StructureSetRoi[];
  readonly frameOfReferenceUID: string;
  /** Voxels contained in two ROIs: which one kept them (the later painted) and how many. */
  readonly overlaps: readonly VoiOverlap[];
}

export interface ReadRtStructOptions {
  /** ROI names to rasterise, in drawing order (later wins where they overlap). Default: all, painted by role (voiRole.ts paintOrder). */
  readonly rois?: readonly string[];
  /** Reject the file unless its ROIs refer to this frame of reference (the reference image's). */
  readonly frameOfReferenceUID?: string;
}

/** Read an RTSTRUCT file and rasterise its ROIs onto `reference` (RAS or LPS grid). */
export async function readRtStruct(path: string, reference: GridGeometry, options: ReadRtStructOptions = {}): Promise<StructureSetMasks> {
  const { ds } = await readDicomDataset(path);
  const fail = (problem: string): never => {
    throw new InputError(path, `${path}: ${problem}`);
  };
  if (ds.Modality !== "RTSTRUCT" && ds.SOPClassUID !== RT_STRUCTURE_SET_SOP_CLASS) fail(`not an RT Structure Set (Modality ${ds.Modality ?? "?"})`);
  const list = <T>(v: T | T[] | undefined): T[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

  const roiInfo = new Map<number, { name: string; frame: string }>();
  for (const item of list<any>(ds.StructureSetROISequence)) {
    roiInfo.set(Number(item.ROINumber), { name: String(item.ROIName ?? `ROI ${item.ROINumber}`), frame: String(item.ReferencedFrameOfReferenceUID ?? "") });
  }
  const frames = new Set([...roiInfo.values()].map((r) => r.frame).filter(Boolean));
  const frameOfReferenceUID = [...frames][0] ?? "";
  if (options.frameOfReferenceUID && frames.size > 0 && !frames.has(options.frameOfReferenceUID)) {
    fail(`its ROIs refer to frame of reference ${[...frames].join(", ")}, not the reference image's ${options.frameOfReferenceUID}`);
  }

  const contoursByRoi = new Map<number, any[]>();
  for (const item of list<any>(ds.ROIContourSequence)) contoursByRoi.set(Number(item.ReferencedROINumber), list<any>(item.ContourSequence));

  let order = [...roiInfo.keys()];
  if (options.rois) {
    order = options.rois.map((name) => {
      const hit = [...roiInfo.entries()].find(([, r]) => r.name === name);
      if (!hit) fail(`no ROI named ${JSON.stringify(name)} (ROIs: ${[...roiInfo.values()].map((r) => JSON.stringify(r.name)).join(", ")})`);
      return hit![0];
    });
  }

  const [nx, ny, nz] = reference.dims;
  const labels = new Uint16Array(nx * ny * nz);
  const slice = new Uint8Array(nx * ny);
  const names: Record<number, string> = {};
  const rois: StructureSetRoi[] = [];
  const flip = reference.frame === "RAS"; // contour points are LPS
  const p: Vec3 = [0, 0, 0];

  const drawn: Array<Map<number, Uint8Array>> = [];
  order.forEach((roiNumber, n) => {
    const label = n + 1;
    const name = roiInfo.get(roiNumber)!.name;
    names[label] = name;
    // Per slice: XOR of the contours lying on it.
    const bySlice = new Map<number, Uint8Array>();
    let contours = 0;
    for (const contour of contoursByRoi.get(roiNumber) ?? []) {
      if (String(contour.ContourGeometricType ?? "CLOSED_PLANAR") !== "CLOSED_PLANAR") continue;
      const data = list<number>(contour.ContourData).map(Number);
      const count = Math.floor(data.length / 3);
      if (count < 3) continue;
      const u = new Float64Array(count);
      const v = new Float64Array(count);
      let kSum = 0;
      let kMin = Infinity;
      let kMax = -Infinity;
      for (let q = 0; q < count; q++) {
        const x = flip ? -data[3 * q] : data[3 * q];
        const y = flip ? -data[3 * q + 1] : data[3 * q + 1];
        worldToVoxel(p, reference, x, y, data[3 * q + 2]);
        u[q] = p[0];
        v[q] = p[1];
        kSum += p[2];
        kMin = Math.min(kMin, p[2]);
        kMax = Math.max(kMax, p[2]);
      }
      if (kMax - kMin > 0.01) {
        fail(`ROI ${JSON.stringify(name)}: a contour is not in a k-plane of the reference grid (k spans ${kMin.toFixed(3)}..${kMax.toFixed(3)}); rasterise on the grid the contours were drawn on`);
      }
      const k = Math.round(kSum / count);
      if (k < 0 || k >= nz) continue; // outside the grid
      let mask = bySlice.get(k);
      if (!mask) bySlice.set(k, (mask = new Uint8Array(nx * ny)));
      slice.fill(0);
      fillPolygon(slice, nx, ny, u, v);
      for (let w = 0; w < slice.length; w++) mask[w] ^= slice[w];
      contours++;
    }
    drawn.push(bySlice);
    let drawnVoxels = 0;
    for (const mask of bySlice.values()) for (let w = 0; w < mask.length; w++) drawnVoxels += mask[w];
    rois.push({ label, roiNumber, name, contours, voxels: 0, drawnVoxels });
  });
  // Paint: in the order asked, else by role (tumours over the liver over the lungs over the rest).
  const overlapCount = new Map<number, number>(); // winner · 65536 + loser → voxels
  const sequence = options.rois ? order.map((_, n) => n) : paintOrder(rois.map((r) => r.name));
  for (const n of sequence) {
    const label = n + 1;
    for (const [k, mask] of drawn[n]) {
      const base = k * nx * ny;
      for (let w = 0; w < mask.length; w++) {
        if (!mask[w]) continue;
        const previous = labels[base + w];
        if (previous !== 0 && previous !== label) overlapCount.set(label * 65536 + previous, (overlapCount.get(label * 65536 + previous) ?? 0) + 1);
        labels[base + w] = label;
      }
    }
  }
  const counts = new Float64Array(order.length + 1);
  for (let w = 0; w < labels.length; w++) counts[labels[w]]++;
  const finalRois = rois.map((r) => ({ ...r, voxels: counts[r.label] }));
  return {
    labels: { dims: [...reference.dims] as Vec3, spacingMm: [...reference.spacingMm] as Vec3, originMm: [...reference.originMm] as Vec3, direction: [...reference.direction] as GridGeometry["direction"], frame: reference.frame, data: labels },
    names,
    rois: finalRois,
    frameOfReferenceUID,
    overlaps: [...overlapCount].map(([key, voxels]) => ({ kept: names[Math.floor(key / 65536)], lost: names[key % 65536], voxels })),
  };
}

/**
 * Set out[i + nx·j] = 1 for every voxel centre (i, j) inside the polygon (u, v) in continuous
 * voxel coordinates, by the even–odd rule: scan each row j, intersect it with the edges, fill
 * between pairs of crossings. Half-open edge rule (v0 ≤ j < v1) so vertices count once.
 */
export function fillPolygon(out: Uint8Array, nx: number, ny: number, u: ArrayLike<number>, v: ArrayLike<number>): Uint8Array {
  const n = u.length;
  let vMin = Infinity;
  let vMax = -Infinity;
  for (let q = 0; q < n; q++) {
    vMin = Math.min(vMin, v[q]);
    vMax = Math.max(vMax, v[q]);
  }
  const crossings: number[] = [];
  const j0 = Math.max(0, Math.ceil(vMin));
  const j1 = Math.min(ny - 1, Math.floor(vMax));
  for (let j = j0; j <= j1; j++) {
    crossings.length = 0;
    for (let q = 0; q < n; q++) {
      const q2 = (q + 1) % n;
      const va = v[q], vb = v[q2];
      if ((va <= j && j < vb) || (vb <= j && j < va)) {
        crossings.push(u[q] + ((j - va) / (vb - va)) * (u[q2] - u[q]));
      }
    }
    crossings.sort((a, b) => a - b);
    for (let c = 0; c + 1 < crossings.length; c += 2) {
      const iStart = Math.max(0, Math.ceil(crossings[c]));
      const iEnd = Math.min(nx - 1, Math.ceil(crossings[c + 1]) - 1); // centres strictly left of the exit
      for (let i = iStart; i <= iEnd; i++) out[i + nx * j] = 1;
    }
  }
  return out;
}

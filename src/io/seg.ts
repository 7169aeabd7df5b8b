/**
 * DICOM Segmentation (SEG, PS3.3 A.51) → a label map on a reference grid (the CT/SPECT it was
 * made on, or the dose grid).
 *
 * Each reference voxel centre takes, per segment, the value of the nearest SEG pixel: the frame
 * of that segment whose plane is nearest along the normal (within half the slice spacing), then
 * the nearest pixel in that frame. So a SEG on the same grid maps exactly, and a SEG on another
 * grid is resampled by nearest neighbour. BINARY segmentations (1 bit, packed across frames,
 * least significant bit first, PS3.5 8.1.1) and FRACTIONAL ones (8 bit, inside when ≥ half of
 * MaximumFractionalValue) are read. Where segments overlap, the later one in `segments` wins;
 * without `segments`, tumours take precedence over the liver, the liver over the lungs, and all over
 * segments of unknown role, whatever the file order (src/io/voiRole.ts paintOrder), the later in the file
 * winning between equals. Overlaps are returned (`overlaps`).
 */
import { InputError } from "../errors.js";
import { type Grid, type GridGeometry, type Vec3 } from "../geometry/grid.js";
import { pixelDataBytes, readDicomDataset } from "./dicom.js";
import { toLpsGeometry } from "./frame.js";
import { paintOrder, type VoiOverlap } from "./voiRole.js";

export const SEGMENTATION_STORAGE_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.66.4";

export interface SegSegment {
  readonly label: number;
  readonly segmentNumber: number;
  readonly name: string;
  readonly frames: number;
  /** Voxels assigned to this segment in the label map (after later segments overwrote it). */
  readonly voxels: number;
  /** Voxels inside the segment before any other segment was painted over it. */
  readonly drawnVoxels: number;
}

export interface SegMasks {
  readonly labels: Grid<Uint16Array>;
  readonly names: Readonly<Record<number, string>>;
  readonly segments: readonly SegSegment[];
  readonly frameOfReferenceUID: string;
  /** Voxels contained in two segments: which one kept them (the later painted) and how many. */
  readonly overlaps: readonly VoiOverlap[];
}

export interface ReadSegOptions {
  /** Segment labels to read, in drawing order (later wins). Default: all, painted by role (voiRole.ts paintOrder). */
  readonly segments?: readonly string[];
  /** Reject the file unless it is on this frame of reference. */
  readonly frameOfReferenceUID?: string;
}

interface SegFrame {
  readonly index: number;
  readonly position: Vec3;
  readonly along: number;
}

/** Read a DICOM SEG file and resample its segments onto `reference` (RAS or LPS grid). */
export async function readDicomSeg(path: string, reference: GridGeometry, options: ReadSegOptions = {}): Promise<SegMasks> {
  const { ds } = await readDicomDataset(path);
  const fail = (problem: string): never => {
    throw new InputError(path, `${path}: ${problem}`);
  };
  if (ds.Modality !== "SEG" && ds.SOPClassUID !== SEGMENTATION_STORAGE_SOP_CLASS) fail(`not a DICOM Segmentation (Modality ${ds.Modality ?? "?"})`);
  const list = <T>(v: T | T[] | undefined): T[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
  const first = (v: unknown): any => list(v as any)[0];

  const frameOfReferenceUID = String(ds.FrameOfReferenceUID ?? "");
  if (options.frameOfReferenceUID && frameOfReferenceUID && frameOfReferenceUID !== options.frameOfReferenceUID) {
    fail(`it is on frame of reference ${frameOfReferenceUID}, not the reference image's ${options.frameOfReferenceUID}`);
  }
  const rows = Number(ds.Rows);
  const cols = Number(ds.Columns);
  const nFrames = Number(ds.NumberOfFrames ?? 1);
  const type = String(ds.SegmentationType ?? "BINARY");
  const bits = Number(ds.BitsAllocated ?? 1);
  if (type === "BINARY" && bits !== 1) fail(`BINARY segmentation with BitsAllocated ${bits} (expected 1)`);
  if (type === "FRACTIONAL" && bits !== 8) fail(`FRACTIONAL segmentation with BitsAllocated ${bits} (expected 8)`);
  if (type !== "BINARY" && type !== "FRACTIONAL") fail(`SegmentationType ${type} is not supported`);
  const threshold = type === "FRACTIONAL" ? Number(ds.MaximumFractionalValue ?? 255) / 2 : 0.5;

  const need = type === "BINARY" ? Math.ceil((rows * cols * nFrames) / 8) : rows * cols * nFrames;
  const pixels = pixelDataBytes(list<ArrayBuffer>(ds.PixelData), need, (total) => fail(`pixel data has ${total} bytes but ${nFrames} frames of ${rows}×${cols} need ${need}`));

  const shared = first(ds.SharedFunctionalGroupsSequence) ?? {};
  const perFrame = list<any>(ds.PerFrameFunctionalGroupsSequence);
  if (perFrame.length !== nFrames) fail(`PerFrameFunctionalGroupsSequence has ${perFrame.length} items for ${nFrames} frames`);
  const orientation = list<number>(first(perFrame[0]?.PlaneOrientationSequence)?.ImageOrientationPatient ?? first(shared.PlaneOrientationSequence)?.ImageOrientationPatient).map(Number);
  const measures = first(shared.PixelMeasuresSequence) ?? first(perFrame[0]?.PixelMeasuresSequence) ?? {};
  const spacing = list<number>(measures.PixelSpacing).map(Number);
  if (orientation.length < 6 || orientation.some((x) => !Number.isFinite(x))) fail("missing ImageOrientationPatient");
  if (spacing.length < 2 || !(spacing[0] > 0 && spacing[1] > 0)) fail("missing PixelSpacing");
  const row = orientation.slice(0, 3);
  const col = orientation.slice(3, 6);
  const normal = [row[1] * col[2] - row[2] * col[1], row[2] * col[0] - row[0] * col[2], row[0] * col[1] - row[1] * col[0]];

  const segmentNames = new Map<number, string>();
  for (const s of list<any>(ds.SegmentSequence)) segmentNames.set(Number(s.SegmentNumber), String(s.SegmentLabel ?? `segment ${s.SegmentNumber}`));
  const framesBySegment = new Map<number, SegFrame[]>();
  perFrame.forEach((fg, index) => {
    const segment = Number(first(fg.SegmentIdentificationSequence)?.ReferencedSegmentNumber);
    const position = list<number>(first(fg.PlanePositionSequence)?.ImagePositionPatient).map(Number) as Vec3;
    if (!Number.isFinite(segment) || position.length < 3) fail(`frame ${index + 1} lacks its segment number or position`);
    const along = position[0] * normal[0] + position[1] * normal[1] + position[2] * normal[2];
    if (!framesBySegment.has(segment)) framesBySegment.set(segment, []);
    framesBySegment.get(segment)!.push({ index, position, along });
  });
  // Slice spacing: SpacingBetweenSlices, else SliceThickness, else the smallest gap between planes.
  let sliceMm = Number(measures.SpacingBetweenSlices ?? measures.SliceThickness);
  if (!(sliceMm > 0)) {
    const planes = [...new Set([...framesBySegment.values()].flat().map((f) => Math.round(f.along * 1000) / 1000))].sort((a, b) => a - b);
    sliceMm = Infinity;
    for (let q = 1; q < planes.length; q++) sliceMm = Math.min(sliceMm, planes[q] - planes[q - 1]);
    if (!Number.isFinite(sliceMm)) sliceMm = Math.min(spacing[0], spacing[1]);
  }

  let order = [...segmentNames.keys()];
  for (const s of framesBySegment.keys()) if (!segmentNames.has(s)) order.push(s);
  if (options.segments) {
    order = options.segments.map((name) => {
      const hit = [...segmentNames.entries()].find(([, n]) => n === name);
      if (!hit) fail(`no segment named ${JSON.stringify(name)} (segments: ${[...segmentNames.values()].map((n) => JSON.stringify(n)).join(", ")})`);
      return hit![0];
    });
  }

  const [nx, ny, nz] = reference.dims;
  const labels = new Uint16Array(nx * ny * nz);
  const { originMm, direction } = toLpsGeometry(reference);
  const names: Record<number, string> = {};
  const segments: SegSegment[] = [];
  const frameSize = rows * cols;
  const isSet = (f: number, r: number, c: number): boolean => {
    const p = f * frameSize + r * cols + c;
    return type === "BINARY" ? ((pixels[p >> 3] >> (p & 7)) & 1) === 1 : pixels[p] >= threshold;
  };

  order.forEach((segmentNumber, n) => {
    names[n + 1] = segmentNames.get(segmentNumber) ?? `segment ${segmentNumber}`;
  });
  const drawnVoxels = new Float64Array(order.length + 1);
  const overlapCount = new Map<number, number>(); // winner · 65536 + loser → voxels
  // Paint: in the order asked, else by role (tumours over the liver over the lungs over the rest).
  const sequence = options.segments ? order.map((_, n) => n) : paintOrder(order.map((_, n) => names[n + 1]));
  for (const n of sequence) {
    const segmentNumber = order[n];
    const label = n + 1;
    const frames = [...(framesBySegment.get(segmentNumber) ?? [])].sort((a, b) => a.along - b.along);
    segments.push({ label, segmentNumber, name: names[label], frames: frames.length, voxels: 0, drawnVoxels: 0 });
    if (frames.length === 0) continue;
    const alongs = frames.map((f) => f.along);
    let v = 0;
    for (let k = 0; k < nz; k++) {
      for (let j = 0; j < ny; j++) {
        for (let i = 0; i < nx; i++, v++) {
          const x = originMm[0] + direction[0] * i * reference.spacingMm[0] + direction[1] * j * reference.spacingMm[1] + direction[2] * k * reference.spacingMm[2];
          const y = originMm[1] + direction[3] * i * reference.spacingMm[0] + direction[4] * j * reference.spacingMm[1] + direction[5] * k * reference.spacingMm[2];
          const z = originMm[2] + direction[6] * i * reference.spacingMm[0] + direction[7] * j * reference.spacingMm[1] + direction[8] * k * reference.spacingMm[2];
          const along = x * normal[0] + y * normal[1] + z * normal[2];
          const q = nearest(alongs, along);
          if (Math.abs(alongs[q] - along) > sliceMm / 2) continue;
          const f = frames[q];
          const dx = x - f.position[0], dy = y - f.position[1], dz = z - f.position[2];
          const c = Math.round((dx * row[0] + dy * row[1] + dz * row[2]) / spacing[1]);
          const r = Math.round((dx * col[0] + dy * col[1] + dz * col[2]) / spacing[0]);
          if (c < 0 || c >= cols || r < 0 || r >= rows) continue;
          if (!isSet(f.index, r, c)) continue;
          drawnVoxels[label]++;
          const previous = labels[v];
          if (previous !== 0 && previous !== label) overlapCount.set(label * 65536 + previous, (overlapCount.get(label * 65536 + previous) ?? 0) + 1);
          labels[v] = label;
        }
      }
    }
  }
  const counts = new Float64Array(order.length + 1);
  for (let w = 0; w < labels.length; w++) counts[labels[w]]++;
  return {
    labels: { dims: [...reference.dims] as Vec3, spacingMm: [...reference.spacingMm] as Vec3, originMm: [...reference.originMm] as Vec3, direction: [...reference.direction] as GridGeometry["direction"], frame: reference.frame, data: labels },
    names,
    segments: segments.sort((a, b) => a.label - b.label).map((s) => ({ ...s, voxels: counts[s.label], drawnVoxels: drawnVoxels[s.label] })),
    frameOfReferenceUID,
    overlaps: [...overlapCount].map(([key, voxels]) => ({ kept: names[Math.floor(key / 65536)], lost: names[key % 65536], voxels })),
  };
}

/** Index of the value in sorted `xs` nearest to `x`. */
function nearest(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  return Math.abs(xs[hi] - x) < Math.abs(xs[lo] - x) ? hi : lo;
}

/**
 * DICOM image series in (dcmjs 0.51): CT, PET, SPECT (NM), MR and RT Dose, uncompressed, to a
 * Float32Array grid in the DICOM patient frame (LPS) with the references (patient, study, frame
 * of reference) that an RT Dose written on the same frame needs.
 *
 * What is supported (docs/io.md):
 * - single-frame series (one slice per file: CT, PET, MR), sorted along the slice normal;
 * - multi-frame files: RT Dose (GridFrameOffsetVector), NM tomography (DetectorInformationSequence
 *   position/orientation + SpacingBetweenSlices), enhanced multi-frame (per-frame
 *   PlanePositionSequence);
 * - transfer syntaxes implicit/explicit VR little endian, explicit big endian, deflated;
 * - stored values × RescaleSlope + RescaleIntercept (per slice), × DoseGridScaling for RT Dose.
 * Not supported (InputError): compressed pixel data (JPEG, JPEG 2000, RLE…), colour images,
 * gantry tilt (slices not stacked along their normal), non-uniform slice spacing. Structures:
 * RTSTRUCT in src/io/rtstruct.ts, SEG in src/io/seg.ts.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import dcmjs from "dcmjs";
import { InputError } from "../errors.js";
import type { Grid, Mat3, Vec3 } from "../geometry/grid.js";

/** Identity of the image a result was computed on: what an RT Dose needs to overlay it. */
export interface DicomReference {
  readonly frameOfReferenceUID: string;
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID?: string;
  readonly sopClassUID?: string;
  readonly sopInstanceUIDs?: readonly string[];
  readonly modality?: string;
  readonly patientName?: string;
  readonly patientID?: string;
  readonly patientBirthDate?: string;
  readonly patientSex?: string;
  readonly studyDate?: string;
  readonly studyTime?: string;
  readonly studyID?: string;
  readonly accessionNumber?: string;
  readonly referringPhysicianName?: string;
}

export interface DicomSeries {
  /** Voxel values after rescale (CT: HU, PET: the series' Units, RT Dose: Gy), LPS frame. */
  readonly grid: Grid<Float32Array>;
  readonly reference: DicomReference;
  readonly modality: string;
  /** PET Units (0054,1001), "GY" for RT Dose, "HU" for CT, "" when unknown. */
  readonly units: string;
  readonly seriesDescription: string;
}

export interface ReadDicomSeriesOptions {
  /** Pick this series when the folder holds several. */
  readonly seriesInstanceUID?: string;
}

const SUPPORTED_TRANSFER_SYNTAXES: Record<string, string> = {
  "1.2.840.10008.1.2": "implicit VR little endian",
  "1.2.840.10008.1.2.1": "explicit VR little endian",
  "1.2.840.10008.1.2.2": "explicit VR big endian",
  "1.2.840.10008.1.2.1.99": "deflated explicit VR little endian",
};

/** One slice: its position (LPS, mm), orientation and rescaled pixel values. */
interface Slice {
  readonly file: string;
  readonly position: Vec3;
  readonly row: Vec3;
  readonly col: Vec3;
  /** PixelSpacing: [between rows (along `col`), between columns (along `row`)], mm. */
  readonly spacing: [number, number];
  readonly rows: number;
  readonly cols: number;
  /** SliceThickness, mm (NaN when absent): the k spacing of a single-slice image. */
  readonly thicknessMm: number;
  /** The attribute the position came from (a TAGS keyword), named when the spacing is wrong. */
  readonly positionTag: string;
  readonly values: Float32Array;
}

interface ParsedFile {
  readonly file: string;
  readonly ds: Record<string, any>;
}

/**
 * Read a DICOM image series from a folder (every DICOM file in it, not recursive), one
 * multi-frame file, or a list of files.
 */
export async function readDicomSeries(pathOrFiles: string | readonly string[], options: ReadDicomSeriesOptions = {}): Promise<DicomSeries> {
  const files = await listFiles(pathOrFiles);
  const parsed: ParsedFile[] = [];
  for (const file of files) {
    const p = await parseFile(file, typeof pathOrFiles === "string" && files.length > 1);
    if (p) parsed.push(p);
  }
  const where = typeof pathOrFiles === "string" ? pathOrFiles : `${files.length} files`;
  if (parsed.length === 0) throw new InputError(where, `${where}: no DICOM image files found`);

  const bySeries = new Map<string, ParsedFile[]>();
  for (const p of parsed) {
    const uid = String(p.ds.SeriesInstanceUID ?? "");
    if (!bySeries.has(uid)) bySeries.set(uid, []);
    bySeries.get(uid)!.push(p);
  }
  let chosen: ParsedFile[];
  if (options.seriesInstanceUID) {
    chosen = bySeries.get(options.seriesInstanceUID) ?? [];
    if (chosen.length === 0) throw new InputError(where, `${where}: no series with SeriesInstanceUID ${options.seriesInstanceUID}`);
  } else if (bySeries.size > 1) {
    const list = [...bySeries.entries()].map(([uid, ps]) => `${uid} (${ps[0].ds.Modality ?? "?"}, ${ps.length} file(s), "${ps[0].ds.SeriesDescription ?? ""}")`);
    throw new InputError(where, `${where}: ${bySeries.size} series found, choose one with seriesInstanceUID: ${list.join("; ")}`);
  } else {
    chosen = [...bySeries.values()][0];
  }

  checkSeriesConsistent(chosen);
  const slices: Slice[] = [];
  for (const p of chosen) slices.push(...fileSlices(p));
  const grid = stackSlices(slices, where);
  const first = chosen[0].ds;
  const modality = String(first.Modality ?? "");
  const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : typeof v === "object" ? personName(v) : String(v));
  const reference: DicomReference = {
    frameOfReferenceUID: String(first.FrameOfReferenceUID ?? ""),
    studyInstanceUID: String(first.StudyInstanceUID ?? ""),
    seriesInstanceUID: str(first.SeriesInstanceUID),
    sopClassUID: str(first.SOPClassUID),
    sopInstanceUIDs: chosen.map((p) => String(p.ds.SOPInstanceUID ?? "")),
    modality,
    patientName: str(first.PatientName),
    patientID: str(first.PatientID),
    patientBirthDate: str(first.PatientBirthDate),
    patientSex: str(first.PatientSex),
    studyDate: str(first.StudyDate),
    studyTime: str(first.StudyTime),
    studyID: str(first.StudyID),
    accessionNumber: str(first.AccessionNumber),
    referringPhysicianName: str(first.ReferringPhysicianName),
  };
  if (!reference.frameOfReferenceUID) throw new InputError(where, `${where}: the series has no FrameOfReferenceUID`);
  const units = modality === "RTDOSE" ? String(first.DoseUnits ?? "GY") : modality === "CT" ? "HU" : String(first.Units ?? "");
  return { grid, reference, modality, units, seriesDescription: String(first.SeriesDescription ?? "") };
}

/** dcmjs gives PN values as [{ Alphabetic: "…" }]. */
function personName(v: unknown): string {
  const first = Array.isArray(v) ? v[0] : v;
  if (first && typeof first === "object" && "Alphabetic" in first) return String((first as { Alphabetic: unknown }).Alphabetic);
  return String(first ?? "");
}

async function listFiles(pathOrFiles: string | readonly string[]): Promise<string[]> {
  if (typeof pathOrFiles !== "string") return [...pathOrFiles];
  let info;
  try {
    info = await stat(pathOrFiles);
  } catch (err) {
    throw new InputError(pathOrFiles, `${pathOrFiles}: cannot read DICOM input: ${(err as Error).message}`);
  }
  if (!info.isDirectory()) return [pathOrFiles];
  const names = (await readdir(pathOrFiles, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
  return names.map((name) => join(pathOrFiles, name));
}

/** A parsed DICOM Part-10 file: the naturalized dataset (keywords → values) and its transfer syntax. */
export interface DicomDataset {
  readonly file: string;
  readonly ds: Record<string, any>;
  readonly transferSyntaxUID: string;
}

async function readBytes(file: string): Promise<Buffer> {
  return readFile(file).catch((err: Error) => {
    throw new InputError(file, `${file}: cannot read: ${err.message}`);
  });
}

function hasPreamble(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && Buffer.from(bytes.buffer, bytes.byteOffset + 128, 4).toString("latin1") === "DICM";
}

function parseBytes(bytes: Uint8Array, file: string): DicomDataset {
  if (!hasPreamble(bytes)) throw new InputError(file, `${file}: not a DICOM Part-10 file (no "DICM" marker at byte 128)`);
  let dict;
  try {
    dict = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, {
      ignoreErrors: false,
    });
  } catch (err) {
    throw new InputError(file, `${file}: truncated or corrupt DICOM file (${(err as Error).message})`);
  }
  const meta = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.meta);
  const transferSyntaxUID = String(meta.TransferSyntaxUID ?? "");
  const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  return { file, ds, transferSyntaxUID };
}

/** Read any DICOM Part-10 file (RTSTRUCT, SEG, images…); InputError for non-DICOM or corrupt files. */
export async function readDicomDataset(file: string): Promise<DicomDataset> {
  return parseBytes(await readBytes(file), file);
}

/** Parse one image file; in folder mode non-DICOM files and files without pixel data are skipped. */
async function parseFile(file: string, skipNonImages: boolean): Promise<ParsedFile | null> {
  const bytes = await readBytes(file);
  if (skipNonImages && !hasPreamble(bytes)) return null;
  const { ds, transferSyntaxUID: ts } = parseBytes(bytes, file);
  if (ds.PixelData === undefined) {
    if (skipNonImages) return null;
    throw new InputError(file, `${file}: no pixel data (modality ${ds.Modality ?? "?"}); read RTSTRUCT with readRtStruct`);
  }
  if (!(ts in SUPPORTED_TRANSFER_SYNTAXES)) {
    throw new InputError(file, `${file}: compressed transfer syntax ${ts} is not supported; decompress first (e.g. gdcmconv --raw or dcmdjpeg)`);
  }
  if (ts !== "1.2.840.10008.1.2.1.99") checkPixelDataComplete(bytes, ts, file);
  return { file, ds };
}

/**
 * dcmjs 0.51 pads a truncated last element with zeros instead of failing, so a cut file would
 * read as an image with a black end. Find the Pixel Data element (7FE0,0010) and check that the
 * length it declares fits in the file.
 */
/**
 * The first `need` bytes of a PixelData value (one buffer, or the fragments dcmjs returns as a list)
 * as one array; `short` is called with the bytes present when there are fewer.
 */
export function pixelDataBytes(pixelData: ArrayBuffer | readonly ArrayBuffer[], need: number, short: (total: number) => never): Uint8Array {
  const buffers = Array.isArray(pixelData) ? (pixelData as readonly ArrayBuffer[]) : [pixelData as ArrayBuffer];
  const total = buffers.reduce((s, b) => s + b.byteLength, 0);
  if (total < need) short(total);
  const joined = new Uint8Array(need);
  let off = 0;
  for (const b of buffers) {
    const chunk = new Uint8Array(b, 0, Math.min(b.byteLength, need - off));
    joined.set(chunk, off);
    off += chunk.length;
    if (off >= need) break;
  }
  return joined;
}

function checkPixelDataComplete(bytes: Uint8Array, ts: string, file: string): void {
  const bigEndian = ts === "1.2.840.10008.1.2.2";
  const explicit = ts !== "1.2.840.10008.1.2";
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const t0 = bigEndian ? 0x7f : 0xe0, t1 = bigEndian ? 0xe0 : 0x7f, t2 = bigEndian ? 0x00 : 0x10, t3 = bigEndian ? 0x10 : 0x00;
  let overrun = -1;
  for (let p = 132; p + 12 <= bytes.length; p++) {
    if (bytes[p] !== t0 || bytes[p + 1] !== t1 || bytes[p + 2] !== t2 || bytes[p + 3] !== t3) continue;
    let start: number, length: number;
    if (explicit) {
      const vr = String.fromCharCode(bytes[p + 4], bytes[p + 5]);
      if (vr !== "OW" && vr !== "OB") continue;
      length = view.getUint32(p + 8, !bigEndian);
      start = p + 12;
    } else {
      length = view.getUint32(p + 4, true);
      start = p + 8;
    }
    if (length === 0xffffffff) return; // encapsulated: not ours to check
    const end = start + length;
    if (end <= bytes.length && end >= bytes.length - 64) return; // Pixel Data is (nearly) the last element
    if (end > bytes.length) overrun = Math.max(overrun, end);
  }
  if (overrun > 0) {
    throw new InputError(file, `${file}: truncated: Pixel Data declares ${overrun} bytes in all but the file has ${bytes.length}`);
  }
}

/** DICOM tags named in messages, as "(gggg,eeee) Keyword". */
const TAGS: Readonly<Record<string, string>> = Object.freeze({
  PixelSpacing: "(0028,0030) PixelSpacing",
  ImageOrientationPatient: "(0020,0037) ImageOrientationPatient",
  ImagePositionPatient: "(0020,0032) ImagePositionPatient",
  "PlanePositionSequence.ImagePositionPatient": "(0020,9113) PlanePositionSequence > (0020,0032) ImagePositionPatient",
  GridFrameOffsetVector: "(3004,000C) GridFrameOffsetVector",
  RescaleSlope: "(0028,1053) RescaleSlope",
  RescaleIntercept: "(0028,1052) RescaleIntercept",
  DoseGridScaling: "(3004,000E) DoseGridScaling",
  PixelData: "(7FE0,0010) PixelData",
  GantryDetectorTilt: "(0018,1120) GantryDetectorTilt",
  FrameOfReferenceUID: "(0020,0052) FrameOfReferenceUID",
  Modality: "(0008,0060) Modality",
  Units: "(0054,1001) Units",
  StudyInstanceUID: "(0020,000D) StudyInstanceUID",
  SeriesInstanceUID: "(0020,000E) SeriesInstanceUID",
});

function tag(keyword: string): string {
  return TAGS[keyword] ?? keyword;
}

function vec(v: unknown, n: number, file: string, field: string): number[] {
  const arr = (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]).map(Number);
  if (arr.length < n || arr.slice(0, n).some((x) => !Number.isFinite(x))) {
    throw new InputError(file, `${file}: ${tag(field)} ${v === undefined || v === null ? "is missing" : `must be ${n} finite numbers, got ${JSON.stringify(v)}`}`);
  }
  return arr.slice(0, n);
}

/**
 * Attributes that must agree across the files of one series: stacking slices of two frames of
 * reference, two modalities or two PET units would make one image of two.
 */
function checkSeriesConsistent(files: readonly ParsedFile[]): void {
  const first = files[0];
  for (const key of ["SeriesInstanceUID", "FrameOfReferenceUID", "Modality", "StudyInstanceUID", "Units"]) {
    const expected = String(first.ds[key] ?? "");
    for (const p of files) {
      const got = String(p.ds[key] ?? "");
      if (got !== expected) {
        throw new InputError(p.file, `${p.file}: ${tag(key)} is ${JSON.stringify(got)} but ${first.file} of the same series has ${JSON.stringify(expected)}; refusing to stack slices that disagree`);
      }
    }
  }
}

/** PixelSpacing: two positive finite numbers (mm). */
function checkPixelSpacing(spacing: readonly number[], file: string): void {
  if (!(spacing[0] > 0 && spacing[1] > 0)) {
    throw new InputError(file, `${file}: ${tag("PixelSpacing")} must be two positive numbers (mm), got ${spacing.join("\\")}`);
  }
}

/** ImageOrientationPatient: two unit vectors at a right angle (PS3.3 C.7.6.2.1.1), to 1e-3. */
function checkOrientation(row: Vec3, col: Vec3, file: string): void {
  const norm = (v: Vec3) => Math.hypot(v[0], v[1], v[2]);
  const dot = row[0] * col[0] + row[1] * col[1] + row[2] * col[2];
  if (Math.abs(norm(row) - 1) > 1e-3 || Math.abs(norm(col) - 1) > 1e-3 || Math.abs(dot) > 1e-3) {
    throw new InputError(
      file,
      `${file}: ${tag("ImageOrientationPatient")} must be two orthogonal unit vectors, got [${[...row, ...col].join(", ")}] (lengths ${norm(row).toFixed(4)}, ${norm(col).toFixed(4)}, dot ${dot.toFixed(4)})`,
    );
  }
}

/** A rescale attribute: required (Type 1) for CT and PET, a finite number; the slope non-zero. */
function rescaleValue(ds: Record<string, any>, key: "RescaleSlope" | "RescaleIntercept", required: boolean, fallback: number, file: string): number {
  const raw = ds[key];
  if (raw === undefined || raw === null || raw === "") {
    if (required) throw new InputError(file, `${file}: ${tag(key)} is missing (required for modality ${ds.Modality}: stored values have no physical unit without it)`);
    return fallback;
  }
  const value = Number(Array.isArray(raw) ? raw[0] : raw);
  if (!Number.isFinite(value) || (key === "RescaleSlope" && value === 0)) {
    throw new InputError(file, `${file}: ${tag(key)} must be a finite${key === "RescaleSlope" ? ", non-zero" : ""} number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** The slices of one file (one for a single-frame image, NumberOfFrames for a multi-frame one). */
function fileSlices({ file, ds }: ParsedFile): Slice[] {
  const rows = Number(ds.Rows);
  const cols = Number(ds.Columns);
  const frames = Number(ds.NumberOfFrames ?? 1) || 1;
  const bits = Number(ds.BitsAllocated);
  const signed = Number(ds.PixelRepresentation ?? 0) === 1;
  const samples = Number(ds.SamplesPerPixel ?? 1);
  if (samples !== 1) throw new InputError(file, `${file}: colour images (SamplesPerPixel ${samples}) are not supported`);
  if (!(rows > 0 && cols > 0)) throw new InputError(file, `${file}: invalid Rows/Columns ${rows}×${cols}`);
  if (![8, 16, 32].includes(bits)) throw new InputError(file, `${file}: BitsAllocated ${bits} is not supported (8, 16, 32)`);

  const need = rows * cols * frames * (bits / 8);
  const joined = pixelDataBytes(ds.PixelData, need, (total) => {
    throw new InputError(file, `${file}: ${tag("PixelData")} has ${total} bytes but ${rows}×${cols}×${frames} frames of ${bits} bits need ${need}`);
  });
  const stored: ArrayLike<number> =
    bits === 8 ? (signed ? new Int8Array(joined.buffer) : joined) :
    bits === 16 ? (signed ? new Int16Array(joined.buffer) : new Uint16Array(joined.buffer)) :
    signed ? new Int32Array(joined.buffer) : new Uint32Array(joined.buffer);

  const modality = String(ds.Modality ?? "");
  const detector = Array.isArray(ds.DetectorInformationSequence) ? ds.DetectorInformationSequence[0] : undefined;
  const shared = Array.isArray(ds.SharedFunctionalGroupsSequence) ? ds.SharedFunctionalGroupsSequence[0] : undefined;
  const perFrame: any[] | undefined = Array.isArray(ds.PerFrameFunctionalGroupsSequence) ? ds.PerFrameFunctionalGroupsSequence : undefined;
  const first = <T>(v: T | T[] | undefined): T | undefined => (Array.isArray(v) ? v[0] : v);

  const orientation = vec(
    ds.ImageOrientationPatient ?? detector?.ImageOrientationPatient ?? first<any>(shared?.PlaneOrientationSequence)?.ImageOrientationPatient,
    6, file, "ImageOrientationPatient",
  );
  const pixelSpacing = vec(
    ds.PixelSpacing ?? first<any>(shared?.PixelMeasuresSequence)?.PixelSpacing,
    2, file, "PixelSpacing",
  );
  const row = orientation.slice(0, 3) as Vec3;
  const col = orientation.slice(3, 6) as Vec3;
  checkOrientation(row, col, file);
  checkPixelSpacing(pixelSpacing, file);
  const tilt = Number(ds.GantryDetectorTilt ?? 0);
  if (Number.isFinite(tilt) && Math.abs(tilt) > 1e-3) {
    throw new InputError(file, `${file}: ${tag("GantryDetectorTilt")} is ${tilt}°: tilted acquisitions are not supported (resample to an orthogonal grid first)`);
  }
  const normal: Vec3 = [row[1] * col[2] - row[2] * col[1], row[2] * col[0] - row[0] * col[2], row[0] * col[1] - row[1] * col[0]];
  const origin = ds.ImagePositionPatient ?? detector?.ImagePositionPatient;

  // CT Image and PET Image modules: RescaleSlope and RescaleIntercept are Type 1 (PS3.3 C.8.2.1,
  // C.8.9.4); RT Dose: DoseGridScaling is Type 1C when pixel data is present (C.8.8.3).
  const rescaleRequired = modality === "CT" || modality === "PT";
  let slope = rescaleValue(ds, "RescaleSlope", rescaleRequired, 1, file);
  let intercept = rescaleValue(ds, "RescaleIntercept", rescaleRequired, 0, file);
  if (modality === "RTDOSE") {
    const scaling = Number(ds.DoseGridScaling);
    if (!(Number.isFinite(scaling) && scaling > 0)) {
      throw new InputError(file, `${file}: ${tag("DoseGridScaling")} must be a positive number, got ${JSON.stringify(ds.DoseGridScaling)}`);
    }
    slope = scaling;
    intercept = 0;
  }

  // Frame positions along the normal.
  const positions: Vec3[] = [];
  let positionTag = "ImagePositionPatient";
  if (frames === 1) {
    positions.push(vec(origin ?? first<any>(first<any>(perFrame)?.PlanePositionSequence)?.ImagePositionPatient, 3, file, "ImagePositionPatient") as Vec3);
  } else if (perFrame && perFrame.length === frames) {
    positionTag = "PlanePositionSequence.ImagePositionPatient";
    for (const fg of perFrame) positions.push(vec(first<any>(fg.PlanePositionSequence)?.ImagePositionPatient, 3, file, positionTag) as Vec3);
  } else {
    const o = vec(origin, 3, file, "ImagePositionPatient");
    let offsets: number[];
    if (ds.GridFrameOffsetVector !== undefined) {
      positionTag = "GridFrameOffsetVector";
      offsets = vec(ds.GridFrameOffsetVector, frames, file, positionTag);
      // Absolute offsets (first ≠ 0) are z positions relative to the origin plane (PS3.3 C.8.8.3.2).
      if (offsets[0] !== 0) offsets = offsets.map((x) => x - offsets[0]);
    } else {
      const step = Number(ds.SpacingBetweenSlices ?? ds.SliceThickness);
      if (!Number.isFinite(step) || step === 0) throw new InputError(file, `${file}: multi-frame image without SpacingBetweenSlices or GridFrameOffsetVector`);
      offsets = Array.from({ length: frames }, (_, f) => f * step);
    }
    for (const d of offsets) positions.push([o[0] + normal[0] * d, o[1] + normal[1] * d, o[2] + normal[2] * d]);
  }

  const frameSize = rows * cols;
  const slices: Slice[] = [];
  for (let f = 0; f < frames; f++) {
    const values = new Float32Array(frameSize);
    const base = f * frameSize;
    for (let p = 0; p < frameSize; p++) values[p] = stored[base + p] * slope + intercept;
    slices.push({
      file, position: positions[f], row, col, spacing: [pixelSpacing[0], pixelSpacing[1]], rows, cols,
      thicknessMm: Number(ds.SliceThickness ?? Number.NaN), positionTag, values,
    });
  }
  return slices;
}

/** Sort slices along the normal, check they form a regular grid, and stack them (k = slice). */
function stackSlices(slices: Slice[], where: string): Grid<Float32Array> {
  const s0 = slices[0];
  const normal: Vec3 = [
    s0.row[1] * s0.col[2] - s0.row[2] * s0.col[1],
    s0.row[2] * s0.col[0] - s0.row[0] * s0.col[2],
    s0.row[0] * s0.col[1] - s0.row[1] * s0.col[0],
  ];
  const along = (s: Slice) => s.position[0] * normal[0] + s.position[1] * normal[1] + s.position[2] * normal[2];
  for (const s of slices) {
    const same = (a: Vec3, b: Vec3) => Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) + Math.abs(a[2] - b[2]) < 1e-4;
    if (!same(s.row, s0.row) || !same(s.col, s0.col)) throw new InputError(s.file, `${s.file}: slices of the series have different orientations`);
    if (s.rows !== s0.rows || s.cols !== s0.cols || Math.abs(s.spacing[0] - s0.spacing[0]) > 1e-4 || Math.abs(s.spacing[1] - s0.spacing[1]) > 1e-4) {
      throw new InputError(s.file, `${s.file}: slices of the series have different sizes or pixel spacings`);
    }
  }
  const sorted = [...slices].sort((a, b) => along(a) - along(b));
  const nz = sorted.length;
  let dz = 1;
  let kAxis: Vec3 = normal;
  if (nz > 1) {
    const gaps = sorted.slice(1).map((s, k) => along(s) - along(sorted[k]));
    // Slices of one multi-frame file are named by their place along the normal.
    const label = (s: Slice, k: number) => (sorted.some((x) => x !== s && x.file === s.file) ? `${s.file} (slice ${k} along the normal)` : s.file);
    // Duplicates first: two slices at one position (within 1 µm) are the same slice twice.
    for (let k = 0; k < gaps.length; k++) {
      if (gaps[k] < 1e-3) {
        throw new InputError(where, `${where}: ${label(sorted[k], k)} and ${label(sorted[k + 1], k + 1)} lie at the same position along the slice normal (${tag("ImagePositionPatient")}): a duplicated slice`);
      }
    }
    // The slice spacing is the median gap: a missing slice shows as a gap of about twice it.
    const step = [...gaps].sort((a, b) => a - b)[Math.floor((gaps.length - 1) / 2)];
    for (let k = 0; k < gaps.length; k++) {
      if (Math.abs(gaps[k] - step) > 0.01 * step) {
        const ratio = gaps[k] / step;
        const missing = Math.round(ratio) >= 2 && Math.abs(ratio - Math.round(ratio)) < 0.05;
        throw new InputError(
          where,
          `${where}: ${missing ? `${Math.round(ratio) - 1} slice(s) missing` : "non-uniform slice spacing"} between ${label(sorted[k], k)} and ${label(sorted[k + 1], k + 1)} ` +
            `(${gaps[k].toFixed(3)} mm apart, the series' spacing is ${step.toFixed(3)} mm; tolerance 1 %; positions along the slice normal from ${tag(sorted[k + 1].positionTag)})`,
        );
      }
    }
    const first = sorted[0].position;
    const last = sorted[nz - 1].position;
    const span = Math.hypot(last[0] - first[0], last[1] - first[1], last[2] - first[2]);
    dz = span / (nz - 1);
    kAxis = [(last[0] - first[0]) / span, (last[1] - first[1]) / span, (last[2] - first[2]) / span];
    const cos = kAxis[0] * normal[0] + kAxis[1] * normal[1] + kAxis[2] * normal[2];
    if (cos < 1 - 1e-4) {
      const deg = (Math.acos(Math.min(1, cos)) * 180) / Math.PI;
      throw new InputError(where, `${where}: slices are stacked ${deg.toFixed(2)}° off the normal of ${tag("ImageOrientationPatient")} (${tag("ImagePositionPatient")}; gantry tilt?): not supported`);
    }
  } else {
    dz = s0.thicknessMm > 0 ? s0.thicknessMm : Math.min(s0.spacing[0], s0.spacing[1]);
  }
  const frameSize = s0.values.length;
  const data = new Float32Array(frameSize * nz);
  for (let k = 0; k < nz; k++) {
    const values = sorted[k].values;
    for (let v = 0; v < frameSize; v++) {
      if (!Number.isFinite(values[v])) throw new InputError(sorted[k].file, `${sorted[k].file}: non-finite pixel value`);
    }
    data.set(values, k * frameSize);
  }
  // Columns run along `row` (i), rows along `col` (j); PixelSpacing = [along j, along i].
  const direction: Mat3 = [
    s0.row[0], s0.col[0], kAxis[0],
    s0.row[1], s0.col[1], kAxis[1],
    s0.row[2], s0.col[2], kAxis[2],
  ];
  return {
    dims: [s0.cols, s0.rows, nz],
    spacingMm: [s0.spacing[1], s0.spacing[0], dz],
    originMm: [...sorted[0].position] as Vec3,
    direction,
    frame: "LPS",
    data,
  };
}

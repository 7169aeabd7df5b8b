/**
 * NIfTI-1 images (.nii, .nii.gz) in and out.
 *
 * Reading uses `nifti-reader-js` for the header fields and the voxel bytes; the world transform is
 * chosen here, as nibabel and 3D Slicer do: the sform when sform_code > 0 (unless it is sheared),
 * else the qform when qform_code > 0, else the pixdim scaling (NIfTI-1 "method 1"). NIfTI world
 * coordinates are RAS+ (nifti1.h: x from patient Left to Right, y Posterior to Anterior, z
 * Inferior to Superior); DICOM's are LPS+ (x and y negated). Grids come back with `frame: "RAS"`.
 *
 * Writing is our own (DESIGN.md: no maintained writer on npm): a 348-byte header, 4 zero bytes of
 * extension flag, then the voxels, gzip'd by node:zlib when the name ends in .gz. sform and qform
 * hold the same transform (codes 1 = scanner), so every reader agrees on the orientation.
 *
 * Header layout: nifti1.h (NIfTI Data Format Working Group, 2004); quaternion conversions follow
 * nifti1_io.c `nifti_quatern_to_mat44` / `nifti_mat44_to_quatern`.
 */
import { readFile } from "node:fs/promises";
import buffer from "node:buffer";
import { basename } from "node:path";
import { constants as zlibConstants, gunzipSync, gzipSync } from "node:zlib";
import * as niftiReader from "nifti-reader-js";
import { InputError } from "../errors.js";
import type { Grid, GridData, Mat3, Vec3 } from "../geometry/grid.js";
import { writeFileAtomic } from "./atomic.js";
import { toRasGeometry } from "./frame.js";

export type NiftiKind = "activity" | "labels";

export interface ReadNiftiOptions {
  /**
   * "activity": any numeric voxel type, scaled by scl_slope/scl_inter, returned as Float32Array.
   * "labels": integer label values 0..65535 (0 = background), returned as Uint16Array.
   */
  readonly kind: NiftiKind;
  /**
   * Largest image accepted, bytes of header + voxel data as stored (default
   * DEFAULT_MAX_NIFTI_BYTES). Checked against the header before a .nii.gz is inflated, so a gzip
   * bomb or a header claiming huge dims is refused without allocating.
   */
  readonly maxBytes?: number;
}

/** Default bound on an image's stored size: 2 GiB (a 800³ float32 image; clinical ones are ≤ 0.1 GiB). */
export const DEFAULT_MAX_NIFTI_BYTES = 2 * 1024 ** 3;

export interface WriteNiftiOptions {
  /** Up to 79 ASCII characters stored in the header's `descrip` field. */
  readonly description?: string;
}

const HEADER_BYTES = 348;
const VOX_OFFSET = 352;
/** A tolerance on the dot products of the normalised sform columns (nibabel uses ~1e-5..1e-3). */
const ORTHOGONALITY_TOLERANCE = 1e-4;

/** NIfTI datatype codes we read (nifti1.h), with their byte sizes. */
const DATATYPES: Record<number, { name: string; bytes: number }> = {
  2: { name: "uint8", bytes: 1 },
  4: { name: "int16", bytes: 2 },
  8: { name: "int32", bytes: 4 },
  16: { name: "float32", bytes: 4 },
  64: { name: "float64", bytes: 8 },
  256: { name: "int8", bytes: 1 },
  512: { name: "uint16", bytes: 2 },
  768: { name: "uint32", bytes: 4 },
};

/** Read a NIfTI-1 image as an activity grid (Float32Array) in the RAS frame. */
export async function readNifti(path: string, options: { kind: "activity" }): Promise<Grid<Float32Array>>;
/** Read a NIfTI-1 label map / mask (Uint16Array) in the RAS frame. */
export async function readNifti(path: string, options: { kind: "labels" }): Promise<Grid<Uint16Array>>;
export async function readNifti(path: string, options: ReadNiftiOptions): Promise<Grid<Float32Array> | Grid<Uint16Array>>;
export async function readNifti(path: string, options: ReadNiftiOptions): Promise<Grid<Float32Array> | Grid<Uint16Array>> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new InputError(path, `cannot read NIfTI file: ${(err as Error).message}`);
  }
  return parseNifti(bytes, path, options);
}

/** Parse the bytes of a .nii or .nii.gz file; `name` is used in error messages. */
export function parseNifti(fileBytes: Uint8Array, name: string, options: ReadNiftiOptions): Grid<Float32Array> | Grid<Uint16Array> {
  const fail = (problem: string): never => {
    throw new InputError(name, `${name}: ${problem}`);
  };
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_NIFTI_BYTES;
  let bytes = fileBytes;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = inflateBounded(bytes, maxBytes, fail);
  if (bytes.length < HEADER_BYTES) fail(`truncated: ${bytes.length} bytes, a NIfTI-1 header needs ${HEADER_BYTES}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sizeLE = view.getInt32(0, true);
  const sizeBE = view.getInt32(0, false);
  if (sizeLE !== HEADER_BYTES && sizeBE !== HEADER_BYTES) {
    if (sizeLE === 540 || sizeBE === 540) fail("NIfTI-2 files are not supported (save as NIfTI-1)");
    fail(`not a NIfTI-1 file: wrong header size ${sizeLE} (expected 348)`);
  }
  const magic = String.fromCharCode(bytes[344], bytes[345], bytes[346]);
  if (magic === "ni1") fail("a .hdr/.img pair is not supported: convert it to a single .nii file");
  if (magic !== "n+1" || bytes[347] !== 0) fail(`not a NIfTI-1 file: wrong magic ${JSON.stringify(magic)} (expected "n+1")`);

  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const header = niftiReader.readHeader(ab) as niftiReader.NIFTI1;
  const le = header.littleEndian;

  const ndim = header.dims[0];
  if (!(ndim >= 1 && ndim <= 7)) fail(`invalid dim[0] = ${ndim} (must be 1..7)`);
  const dims: Vec3 = [1, 1, 1];
  for (let a = 0; a < 3; a++) {
    const n = a < ndim ? header.dims[a + 1] : 1;
    if (!Number.isInteger(n) || n < 1) fail(`invalid dim[${a + 1}] = ${n} (must be ≥ 1)`);
    dims[a] = n;
  }
  for (let a = 4; a <= ndim; a++) {
    if (header.dims[a] > 1) fail(`only 3-D images are supported, dim[${a}] = ${header.dims[a]}`);
  }
  const type = DATATYPES[header.datatypeCode];
  if (!type) fail(`unsupported datatype code ${header.datatypeCode} (supported: ${Object.values(DATATYPES).map((t) => t.name).join(", ")})`);
  const voxOffset = header.vox_offset;
  if (!Number.isInteger(voxOffset) || voxOffset < HEADER_BYTES) fail(`invalid vox_offset ${voxOffset}`);
  const n = dims[0] * dims[1] * dims[2];
  const expected = voxOffset + n * type.bytes;
  if (expected > maxBytes) fail(imageTooLarge(dims, type.name, expected, maxBytes));
  if (bytes.length !== expected) {
    fail(
      `${bytes.length < expected ? "truncated" : "too long"}: dims ${dims.join("×")} of ${type.name} need ` +
        `${n * type.bytes} data bytes after vox_offset ${voxOffset} (${expected} in all) but the file has ${bytes.length}`,
    );
  }

  // Spatial unit → mm.
  const spatialUnit = header.xyzt_units & 7;
  const unitMm = spatialUnit === 1 ? 1000 : spatialUnit === 3 ? 0.001 : 1;

  const geometry = worldTransform(view, le, header, unitMm, fail);

  // Voxel values, scaled (nifti1.h: scl_slope = 0 means "no scaling").
  const image = niftiReader.readImage(header, ab);
  const raw = typedView(header.datatypeCode, image, le);
  let slope = header.scl_slope;
  let inter = header.scl_inter;
  if (!Number.isFinite(slope) || slope === 0) {
    slope = 1;
    inter = 0;
  }
  if (!Number.isFinite(inter)) inter = 0;

  if (options.kind === "labels") {
    const out = new Uint16Array(n);
    for (let v = 0; v < n; v++) {
      const value = raw[v] * slope + inter;
      if (!Number.isInteger(value) || value < 0 || value > 65535) {
        fail(`label map voxel ${describeVoxel(v, dims)} = ${value}: labels must be integers in [0, 65535]`);
      }
      out[v] = value;
    }
    return { ...geometry, dims, data: out };
  }
  const out = new Float32Array(n);
  let bad = 0;
  let firstBad = -1;
  for (let v = 0; v < n; v++) {
    const value = raw[v] * slope + inter;
    // Finite in float64 but beyond float32 (a float64 image, or a huge scl_slope) would become
    // Infinity in the grid, and NaN after scaling: refuse it here, naming this file.
    if (!(Math.abs(value) <= FLOAT32_MAX)) {
      if (bad === 0) firstBad = v;
      bad++;
    }
    out[v] = value;
  }
  if (bad > 0) {
    const first = raw[firstBad] * slope + inter;
    fail(`${bad} voxel(s) are NaN, infinite or beyond the float32 range ±3.4e38 after scl_slope ${slope} / scl_inter ${inter} (first at ${describeVoxel(firstBad, dims)}: ${first})`);
  }
  return { ...geometry, dims, data: out };
}

/** Largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

function imageTooLarge(dims: readonly number[], typeName: string, bytes: number, maxBytes: number): string {
  const gib = (b: number) => `${(b / 1024 ** 3).toPrecision(3)} GiB`;
  return `dims ${dims.join("×")} of ${typeName} need ${gib(bytes)}, above the ${gib(maxBytes)} this run allows for an image (raise --max-memory, or crop / resample the image)`;
}

/**
 * Inflate a .nii.gz without trusting it: first only enough of the stream for the header (a prefix
 * of the compressed bytes, grown ×4 until 352 bytes come out), then the whole stream with
 * `maxOutputLength` = the size the header declares, so a stream that inflates to more than that
 * (a gzip bomb) stops at that size instead of filling memory.
 */
function inflateBounded(gz: Uint8Array, maxBytes: number, fail: (problem: string) => never): Uint8Array {
  let head: Uint8Array = new Uint8Array(0);
  for (let prefix = 1024; ; prefix *= 4) {
    const part = gz.subarray(0, Math.min(prefix, gz.length));
    try {
      // Z_SYNC_FLUSH: a cut stream gives what it has instead of an error.
      head = gunzipSync(part, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 64 * 1024 ** 2 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ERR_BUFFER_TOO_LARGE") fail(`truncated or corrupt gzip stream (${(err as Error).message})`);
      break; // more than 64 MiB from this prefix: the header is certainly in it, but we don't have it
    }
    if (head.length >= HEADER_BYTES || part.length === gz.length) break;
  }
  let declared = maxBytes;
  if (head.length >= HEADER_BYTES) {
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const le = view.getInt32(0, true) === HEADER_BYTES;
    if (le || view.getInt32(0, false) === HEADER_BYTES) {
      const dims = [1, 2, 3].map((a) => view.getInt16(40 + 2 * a, le));
      const ndim = view.getInt16(40, le);
      const type = DATATYPES[view.getInt16(70, le)];
      const voxOffset = view.getFloat32(108, le);
      if (type && ndim >= 1 && ndim <= 7 && dims.every((d) => d >= 1) && voxOffset >= HEADER_BYTES) {
        const used = dims.slice(0, Math.min(3, ndim));
        const expected = voxOffset + used.reduce((p, d) => p * d, 1) * type.bytes;
        if (expected > maxBytes) fail(imageTooLarge(used, type.name, expected, maxBytes));
        declared = expected;
      }
    }
  }
  try {
    // One byte more than declared, so "longer than its header says" is told apart from "exact".
    return gunzipSync(gz, { maxOutputLength: Math.min(declared + 1, buffer.constants.MAX_LENGTH) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      fail(`the gzip stream inflates to more than the ${declared} bytes its header declares (a corrupt file or a decompression bomb); refused`);
    }
    return fail(`truncated or corrupt gzip stream (${(err as Error).message})`);
  }
}

function describeVoxel(v: number, dims: Vec3): string {
  const i = v % dims[0];
  const j = Math.floor(v / dims[0]) % dims[1];
  const k = Math.floor(v / (dims[0] * dims[1]));
  return `(i, j, k) = (${i}, ${j}, ${k})`;
}

function typedView(code: number, image: ArrayBuffer, littleEndian: boolean): ArrayLike<number> {
  const platformLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  if (littleEndian !== platformLE) {
    // Byte-swap into a copy (big-endian files are rare but legal).
    const size = DATATYPES[code].bytes;
    const src = new Uint8Array(image);
    const dst = new Uint8Array(src.length);
    for (let o = 0; o < src.length; o += size) for (let b = 0; b < size; b++) dst[o + b] = src[o + size - 1 - b];
    image = dst.buffer;
  }
  switch (code) {
    case 2: return new Uint8Array(image);
    case 4: return new Int16Array(image);
    case 8: return new Int32Array(image);
    case 16: return new Float32Array(image);
    case 64: return new Float64Array(image);
    case 256: return new Int8Array(image);
    case 512: return new Uint16Array(image);
    case 768: return new Uint32Array(image);
    default: throw new Error(`unreachable datatype ${code}`);
  }
}

type Geometry = Omit<Grid, "data" | "dims">;

/** sform if sform_code > 0 and not sheared, else qform if qform_code > 0, else pixdim. */
function worldTransform(view: DataView, le: boolean, header: niftiReader.NIFTI1, unitMm: number, fail: (p: string) => never): Geometry {
  const pixdim = header.pixDims;
  if (header.sform_code > 0) {
    const a: number[][] = [];
    for (let r = 0; r < 3; r++) {
      a.push([0, 1, 2, 3].map((c) => view.getFloat32(280 + 16 * r + 4 * c, le) * unitMm));
    }
    const fromS = affineToGeometry(a);
    if (fromS) {
      // The sform's columns are float32 products (direction × spacing): when their norms agree
      // with pixdim, take pixdim's exact spacing (what nibabel's get_zooms() reports).
      for (let c = 0; c < 3; c++) {
        const p = Math.abs(pixdim[c + 1]) * unitMm;
        if (Math.abs(fromS.spacingMm[c] - p) <= 1e-5 * p) fromS.spacingMm[c] = p;
      }
      return fromS;
    }
    if (!(header.qform_code > 0)) fail("the sform is sheared (non-orthogonal axes) or degenerate and there is no qform: not supported");
  }
  const spacing: Vec3 = [pixdim[1], pixdim[2], pixdim[3]].map((d) => Math.abs(d) * unitMm) as Vec3;
  for (let a = 0; a < 3; a++) {
    if (!Number.isFinite(spacing[a]) || spacing[a] <= 0) fail(`invalid voxel size pixdim[${a + 1}] = ${pixdim[a + 1]}`);
  }
  if (header.qform_code > 0) {
    const b = header.quatern_b;
    const c = header.quatern_c;
    const d = header.quatern_d;
    let aq = 1 - (b * b + c * c + d * d);
    let bq = b, cq = c, dq = d;
    if (aq < 1e-7) {
      // nifti1_io.c: a 180° rotation; renormalise (b, c, d).
      const s = 1 / Math.sqrt(b * b + c * c + d * d);
      bq *= s; cq *= s; dq *= s;
      aq = 0;
    } else {
      aq = Math.sqrt(aq);
    }
    const qfac = pixdim[0] < 0 ? -1 : 1;
    const r: Mat3 = [
      aq * aq + bq * bq - cq * cq - dq * dq, 2 * (bq * cq - aq * dq), 2 * (bq * dq + aq * cq),
      2 * (bq * cq + aq * dq), aq * aq + cq * cq - bq * bq - dq * dq, 2 * (cq * dq - aq * bq),
      2 * (bq * dq - aq * cq), 2 * (cq * dq + aq * bq), aq * aq + dq * dq - cq * cq - bq * bq,
    ];
    r[2] *= qfac; r[5] *= qfac; r[8] *= qfac;
    return {
      spacingMm: spacing,
      originMm: [header.qoffset_x * unitMm, header.qoffset_y * unitMm, header.qoffset_z * unitMm],
      direction: r,
      frame: "RAS",
    };
  }
  // Method 1 (Analyze compatibility): x = pixdim · i, no rotation, origin 0.
  return { spacingMm: spacing, originMm: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], frame: "RAS" };
}

/** Split a 3×4 affine into spacing, unit direction columns and origin; null when sheared. */
function affineToGeometry(a: number[][]): Geometry | null {
  const spacing: Vec3 = [0, 0, 0];
  const direction: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  for (let c = 0; c < 3; c++) {
    const norm = Math.hypot(a[0][c], a[1][c], a[2][c]);
    if (!Number.isFinite(norm) || norm === 0) return null;
    spacing[c] = norm;
    for (let r = 0; r < 3; r++) direction[3 * r + c] = a[r][c] / norm;
  }
  for (let c1 = 0; c1 < 3; c1++) {
    for (let c2 = c1 + 1; c2 < 3; c2++) {
      const dot = direction[c1] * direction[c2] + direction[3 + c1] * direction[3 + c2] + direction[6 + c1] * direction[6 + c2];
      if (Math.abs(dot) > ORTHOGONALITY_TOLERANCE) return null;
    }
  }
  return { spacingMm: spacing, originMm: [a[0][3], a[1][3], a[2][3]], direction, frame: "RAS" };
}

/** NIfTI datatype code for the grid's array type (float64 is written as float32). */
function datatypeFor(data: GridData): { code: number; bytes: number } {
  if (data instanceof Uint8Array) return { code: 2, bytes: 1 };
  if (data instanceof Int16Array) return { code: 4, bytes: 2 };
  if (data instanceof Int32Array) return { code: 8, bytes: 4 };
  if (data instanceof Uint16Array) return { code: 512, bytes: 2 };
  if (data instanceof Uint32Array) return { code: 768, bytes: 4 };
  return { code: 16, bytes: 4 };
}

/**
 * Encode a grid as NIfTI-1 bytes (uncompressed): float grids as float32, integer grids in their
 * own type. `name` is used in error messages.
 */
export function encodeNifti(grid: Grid<GridData>, name: string, options: WriteNiftiOptions = {}): Uint8Array {
  const [nx, ny, nz] = grid.dims;
  const n = nx * ny * nz;
  if (!(n > 0) || grid.data.length !== n) {
    throw new InputError(name, `${name}: dims ${grid.dims.join("×")} need ${n} voxels but the data has ${grid.data.length}`);
  }
  for (let a = 0; a < 3; a++) {
    if (!(grid.spacingMm[a] > 0) || !Number.isFinite(grid.spacingMm[a])) {
      throw new InputError(name, `${name}: spacingMm[${a}] must be a positive finite number, got ${grid.spacingMm[a]}`);
    }
  }
  const type = datatypeFor(grid.data);
  const buf = new Uint8Array(VOX_OFFSET + n * type.bytes);
  const view = new DataView(buf.buffer);
  view.setInt32(0, HEADER_BYTES, true);
  const dim = [3, nx, ny, nz, 1, 1, 1, 1];
  dim.forEach((v, i) => view.setInt16(40 + 2 * i, v, true));
  view.setInt16(70, type.code, true);
  view.setInt16(72, type.bytes * 8, true);

  const { originMm, direction } = toRasGeometry(grid);
  // qform: proper rotation + qfac = ±1 for the handedness (nifti1.h method 2).
  const det =
    direction[0] * (direction[4] * direction[8] - direction[5] * direction[7]) -
    direction[1] * (direction[3] * direction[8] - direction[5] * direction[6]) +
    direction[2] * (direction[3] * direction[7] - direction[4] * direction[6]);
  const qfac = det < 0 ? -1 : 1;
  const pixdim = [qfac, grid.spacingMm[0], grid.spacingMm[1], grid.spacingMm[2], 1, 1, 1, 1];
  pixdim.forEach((v, i) => view.setFloat32(76 + 4 * i, v, true));
  view.setFloat32(108, VOX_OFFSET, true);
  view.setFloat32(112, 1, true); // scl_slope
  view.setFloat32(116, 0, true); // scl_inter
  buf[123] = 2; // xyzt_units: mm
  const description = (options.description ?? "sirtsim").replace(/[^\x20-\x7e]/g, "?").slice(0, 79);
  for (let i = 0; i < description.length; i++) buf[148 + i] = description.charCodeAt(i);
  view.setInt16(252, 1, true); // qform_code: scanner
  view.setInt16(254, 1, true); // sform_code: scanner
  const [qb, qc, qd] = rotationToQuaternion([
    direction[0], direction[1], direction[2] * qfac,
    direction[3], direction[4], direction[5] * qfac,
    direction[6], direction[7], direction[8] * qfac,
  ]);
  view.setFloat32(256, qb, true);
  view.setFloat32(260, qc, true);
  view.setFloat32(264, qd, true);
  view.setFloat32(268, originMm[0], true);
  view.setFloat32(272, originMm[1], true);
  view.setFloat32(276, originMm[2], true);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) view.setFloat32(280 + 16 * r + 4 * c, direction[3 * r + c] * grid.spacingMm[c], true);
    view.setFloat32(280 + 16 * r + 12, originMm[r], true);
  }
  buf[344] = 0x6e; // "n+1\0"
  buf[345] = 0x2b;
  buf[346] = 0x31;
  buf[347] = 0;
  // bytes 348..351: extension flag = 0 (no extensions).

  const src = grid.data;
  if (type.code === 16) {
    const out = new Float32Array(buf.buffer, VOX_OFFSET, n);
    for (let v = 0; v < n; v++) {
      const value = src[v];
      if (!Number.isFinite(value)) {
        throw new InputError(name, `${name}: voxel ${describeVoxel(v, grid.dims)} is ${value}; refusing to write a non-finite value`);
      }
      out[v] = value;
    }
  } else {
    buf.set(new Uint8Array(src.buffer, src.byteOffset, n * type.bytes), VOX_OFFSET);
  }
  return buf;
}

/**
 * Write a grid as NIfTI-1 (gzip'd when `path` ends in .gz) through writeFileAtomic: on any error
 * nothing is written. LPS grids are converted to RAS in the header.
 */
export async function writeNifti(path: string, grid: Grid<GridData>, options: WriteNiftiOptions = {}): Promise<void> {
  const bytes = encodeNifti(grid, basename(path), options);
  await writeFileAtomic(path, path.endsWith(".gz") ? gzipSync(bytes, { level: 6 }) : bytes);
}

/** Quaternion (b, c, d) of a proper rotation matrix (row-major), nifti1_io.c nifti_mat44_to_quatern. */
function rotationToQuaternion(r: Mat3): [number, number, number] {
  const [r11, r12, r13, r21, r22, r23, r31, r32, r33] = r;
  let a = r11 + r22 + r33 + 1;
  let b: number, c: number, d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (r32 - r23)) / a;
    c = (0.25 * (r13 - r31)) / a;
    d = (0.25 * (r21 - r12)) / a;
  } else {
    const xd = 1 + r11 - (r22 + r33);
    const yd = 1 + r22 - (r11 + r33);
    const zd = 1 + r33 - (r11 + r22);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (r12 + r21)) / b;
      d = (0.25 * (r13 + r31)) / b;
      a = (0.25 * (r32 - r23)) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (r12 + r21)) / c;
      d = (0.25 * (r23 + r32)) / c;
      a = (0.25 * (r13 - r31)) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (r13 + r31)) / d;
      c = (0.25 * (r23 + r32)) / d;
      a = (0.25 * (r21 - r12)) / d;
    }
    if (a < 0) {
      b = -b;
      c = -c;
      d = -d;
    }
  }
  return [b, c, d];
}

/**
 * Stage outputs that let a later run start from them: the transport result (per-segment lodged
 * counts in a small binary file + the rest as JSON) and a shard's partial result (its integer
 * count grid). Layouts are little-endian with a magic word so a wrong file is named, not misread.
 */
import { createHash } from "node:crypto";
import { InputError } from "../errors.js";
import type { Grid, GridGeometry } from "../geometry/index.js";
import type { TransportResult } from "../transport/index.js";

const LODGED_MAGIC = "SIRTLOD1";
const COUNTS_MAGIC = "SIRTCNT1";

/** lodged.bin: magic, u32 terminals, u32 segments, i32 terminalSegments, u32 terminalCounts, u32 segmentLodged. */
export function encodeLodged(t: TransportResult): Uint8Array {
  const nt = t.terminalSegments.length;
  const ns = t.segmentLodged.length;
  const bytes = new Uint8Array(16 + 4 * (2 * nt + ns));
  bytes.set(Buffer.from(LODGED_MAGIC, "ascii"), 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, nt, true);
  view.setUint32(12, ns, true);
  let o = 16;
  for (let i = 0; i < nt; i++, o += 4) view.setInt32(o, t.terminalSegments[i], true);
  for (let i = 0; i < nt; i++, o += 4) view.setUint32(o, t.terminalCounts[i], true);
  for (let i = 0; i < ns; i++, o += 4) view.setUint32(o, t.segmentLodged[i], true);
  return bytes;
}

/** The transport result's JSON part (everything but the typed arrays). */
export function transportJson(t: TransportResult): Record<string, unknown> {
  const { terminalSegments: _a, terminalCounts: _b, segmentLodged: _c, ...rest } = t;
  return rest;
}

/** Rebuild a TransportResult from transport.json and lodged.bin. */
export function decodeTransport(json: unknown, bytes: Uint8Array, fileName: string): TransportResult {
  if (bytes.length < 16 || Buffer.from(bytes.subarray(0, 8)).toString("ascii") !== LODGED_MAGIC) {
    throw new InputError(fileName, `${fileName}: not a sirtsim lodged-sphere file (magic ${LODGED_MAGIC} missing)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nt = view.getUint32(8, true);
  const ns = view.getUint32(12, true);
  if (bytes.length !== 16 + 4 * (2 * nt + ns)) throw new InputError(fileName, `${fileName}: truncated or corrupt (${bytes.length} bytes for ${nt} terminals and ${ns} segments)`);
  const terminalSegments = new Int32Array(nt);
  const terminalCounts = new Uint32Array(nt);
  const segmentLodged = new Uint32Array(ns);
  let o = 16;
  for (let i = 0; i < nt; i++, o += 4) terminalSegments[i] = view.getInt32(o, true);
  for (let i = 0; i < nt; i++, o += 4) terminalCounts[i] = view.getUint32(o, true);
  for (let i = 0; i < ns; i++, o += 4) segmentLodged[i] = view.getUint32(o, true);
  if (typeof json !== "object" || json === null || typeof (json as { spheresInjected?: unknown }).spheresInjected !== "number") {
    throw new InputError(fileName, `${fileName}: transport.json next to it is missing or not a transport result`);
  }
  return { ...(json as Omit<TransportResult, "terminalSegments" | "terminalCounts" | "segmentLodged">), terminalSegments, terminalCounts, segmentLodged };
}

/** counts.bin: magic, then float64 integer sphere counts per voxel (dims in shard.json). */
export function encodeCounts(counts: Grid<Float64Array>): Uint8Array {
  const bytes = new Uint8Array(8 + 8 * counts.data.length);
  bytes.set(Buffer.from(COUNTS_MAGIC, "ascii"), 0);
  const view = new DataView(bytes.buffer);
  for (let i = 0, o = 8; i < counts.data.length; i++, o += 8) view.setFloat64(o, counts.data[i], true);
  return bytes;
}

export function decodeCounts(bytes: Uint8Array, geometry: GridGeometry, fileName: string): Grid<Float64Array> {
  const n = geometry.dims[0] * geometry.dims[1] * geometry.dims[2];
  if (Buffer.from(bytes.subarray(0, 8)).toString("ascii") !== COUNTS_MAGIC) throw new InputError(fileName, `${fileName}: not a sirtsim count grid (magic ${COUNTS_MAGIC} missing)`);
  if (bytes.length !== 8 + 8 * n) throw new InputError(fileName, `${fileName}: truncated or corrupt (${bytes.length} bytes for ${n} voxels)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data = new Float64Array(n);
  for (let i = 0, o = 8; i < n; i++, o += 8) data[i] = view.getFloat64(o, true);
  return { ...geometry, data };
}

/** SHA-256 of bytes or text, hex: identifies a case, a tree or a transport result across shards. */
export function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

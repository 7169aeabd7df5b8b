/**
 * Stage files: the files a later run reads back (tree.bin, lodged.bin + transport.json, a shard's
 * counts.bin + shard.json). Each is self-describing and checked (DESIGN.md contract):
 *
 *   payload | stage header (JSON, UTF-8) | u32 LE header length | "SIRTSTG1" | SHA-256 of all before
 *
 * The payload comes first and is unchanged (tree.bin's payload is serializeTree's bytes, which
 * deserializeTree reads as before); the trailer's SHA-256 covers payload and header, so an edited
 * byte anywhere is refused. The header names the kind of file, the SHA-256 of the payload, the
 * resolved inputs the stage depends on (`inputs`, hashed as `inputsSha256`), the hash of the whole
 * resolved case it came from (`caseSha256`, when known) and, for lodged counts and shards, the
 * hash of the tree they were computed on (`treeSha256`, the tree.bin payload's). Readers verify the
 * checksum, then that the inputs are the case being run, naming every field that differs.
 *
 * Checksums detect edits and damage; they are not signatures (whoever edits a file can recompute
 * them). merge therefore also checks what no header can fake: the shard's grid against the case's
 * dose grid and its sphere count against the lodged counts of its work units.
 */
import { createHash } from "node:crypto";
import { InputError } from "../errors.js";
import type { Grid, GridGeometry } from "../geometry/index.js";
import { rasGrid } from "../geometry/grid.js";
import type { GeometryConfig } from "../geometry/index.js";
import type { TransportResult } from "../transport/index.js";
import type { ArterialTree } from "../vascular/index.js";
import { deserializeTree, serializeTree } from "../vascular/index.js";
import type { TreeSection } from "../vascular/config.js";
import { stringifyResult } from "../io/results.js";
import type { SimulationCase } from "./caseInput.js";
import type { SimulationCore } from "./simulate.js";

const STAGE_MAGIC = "SIRTSTG1";
const TRAILER_BYTES = 4 + 8 + 32;
const LODGED_MAGIC = "SIRTLOD1";
const COUNTS_MAGIC = "SIRTCNT1";

export type StageKind = "tree" | "lodged" | "counts";

/** The header every stage file carries. */
export interface StageHeader {
  readonly format: "sirtsim-stage";
  readonly version: 1;
  readonly kind: StageKind;
  readonly payloadBytes: number;
  readonly payloadSha256: string;
  /** The resolved inputs the stage depends on (compared field by field when the file is reused). */
  readonly inputs: Record<string, unknown>;
  readonly inputsSha256: string;
  /** The whole resolved case the file came from (absent when a command reads only some sections). */
  readonly caseSha256?: string;
  /** lodged and counts: the tree.bin payload's SHA-256 they were computed on. */
  readonly treeSha256?: string;
  /** Kind-specific fields (transport.json's hash, a shard's manifest). */
  readonly [key: string]: unknown;
}

/** SHA-256 of bytes or text, hex. */
export function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v as Record<string, unknown>).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

/** Append the stage header and checksum trailer to a payload. */
export function wrapStageFile(kind: StageKind, payload: Uint8Array, fields: { inputs: Record<string, unknown>; caseSha256?: string; treeSha256?: string; [key: string]: unknown }): Uint8Array {
  const header: StageHeader = {
    ...fields,
    format: "sirtsim-stage",
    version: 1,
    kind,
    payloadBytes: payload.length,
    payloadSha256: sha256(payload),
    inputs: fields.inputs,
    inputsSha256: sha256(canonicalJson(fields.inputs)),
  };
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const bytes = new Uint8Array(payload.length + json.length + TRAILER_BYTES);
  bytes.set(payload, 0);
  bytes.set(json, payload.length);
  let o = payload.length + json.length;
  new DataView(bytes.buffer).setUint32(o, json.length, true);
  o += 4;
  bytes.set(Buffer.from(STAGE_MAGIC, "ascii"), o);
  o += 8;
  bytes.set(createHash("sha256").update(bytes.subarray(0, o)).digest(), o);
  return bytes;
}

/** Verify a stage file's checksum and kind; return its header and payload (a view on `bytes`). */
export function unwrapStageFile(bytes: Uint8Array, kind: StageKind, fileName: string, field = fileName): { header: StageHeader; payload: Uint8Array } {
  const what = `a sirtsim ${kind} file`;
  const end = bytes.length - 32;
  if (bytes.length < TRAILER_BYTES || Buffer.from(bytes.subarray(end - 8, end)).toString("ascii") !== STAGE_MAGIC) {
    // A stage file ends with its header and checksum, so a cut copy loses them: say that first.
    const state = bytes.length === 0 ? "it is empty (0 bytes)" : `no stage trailer at its end (${bytes.length} bytes): it is truncated, or was written by another program or by a sirtsim before stage files were checked`;
    throw new InputError(field, `${fileName}: not ${what} with a stage header — ${state}; re-run that stage`);
  }
  const stored = Buffer.from(bytes.subarray(end)).toString("hex");
  const computed = createHash("sha256").update(bytes.subarray(0, end)).digest("hex");
  if (stored !== computed) {
    throw new InputError(field, `${fileName}: checksum mismatch (stored sha256 ${stored.slice(0, 12)}…, computed ${computed.slice(0, 12)}…): the file was changed or damaged after sirtsim wrote it`);
  }
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(end - 12, true);
  const payloadEnd = end - 12 - jsonLength;
  if (payloadEnd < 0) throw new InputError(field, `${fileName}: stage header length ${jsonLength} exceeds the file`);
  let header: StageHeader;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(payloadEnd, end - 12)).toString("utf8")) as StageHeader;
  } catch (err) {
    throw new InputError(field, `${fileName}: stage header is not JSON (${(err as Error).message})`);
  }
  if (header?.format !== "sirtsim-stage" || header.kind !== kind) {
    throw new InputError(field, `${fileName}: holds a sirtsim ${String(header?.kind)} file, expected ${what}`);
  }
  const payload = bytes.subarray(0, payloadEnd);
  if (header.payloadBytes !== payload.length || header.payloadSha256 !== sha256(payload)) {
    throw new InputError(field, `${fileName}: payload does not match its header (payloadBytes/payloadSha256)`);
  }
  return { header, payload };
}

/**
 * "a.b: file X, this run Y" for every leaf where two records differ (at most 4), with both values;
 * `labels` name the two sides.
 */
export function differingFields(stored: unknown, expected: unknown, labels: readonly [string, string] = ["file", "this run"], path = ""): string[] {
  const out: string[] = [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (out.length >= 4) return;
    if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
      for (const k of keys) walk(a[k], b[k], Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k);
      return;
    }
    if (canonicalJson(a) !== canonicalJson(b)) out.push(`${path || "(value)"}: ${labels[0]} ${canonicalJson(a) ?? "absent"}, ${labels[1]} ${canonicalJson(b) ?? "absent"}`);
  };
  walk(stored, expected, path);
  return out;
}

/** Refuse a stage file whose inputs are not this run's, naming what differs. */
export function checkStageInputs(header: StageHeader, expected: Record<string, unknown>, fileName: string, field: string, what: string): void {
  if (header.inputsSha256 === sha256(canonicalJson(expected))) return;
  const diffs = differingFields(header.inputs, expected);
  throw new InputError(field, `${fileName} was made for another ${what}: ${diffs.length > 0 ? diffs.join("; ") : "its inputs hash differs"}`);
}

/**
 * A value as plain JSON data for hashing and headers: undefined fields dropped, typed arrays as
 * arrays, a non-finite number as its name (never throws, unlike a result file's stringifyResult).
 */
function plainJson(value: unknown): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === "number" && !Number.isFinite(v)) return String(v);
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
      return v;
    }),
  ) as Record<string, unknown>;
}

/** SHA-256 of a label image (geometry + labels): a mask case's identity, whatever the file's path. */
export function maskSha256(input: Grid<Uint8Array>): string {
  // The geometry in RAS, as the domain reads it (geometry/domain.ts maskDomain): a DICOM (LPS) mask
  // and the same numbers labelled RAS are different places, and stage files written while an LPS
  // mask was read as if RAS (before 2026-12-07: mirrored) no longer match a run.
  const mask = rasGrid(input);
  return createHash("sha256")
    .update(canonicalJson({ dims: mask.dims, spacingMm: mask.spacingMm, originMm: mask.originMm, direction: mask.direction }))
    .update(mask.data)
    .digest("hex");
}

// ── tree.bin ─────────────────────────────────────────────────────────────────────────────────

/** What a tree depends on: the geometry (the mask by content, not path) and the resolved tree section. */
export function treeInputs(geometry: GeometryConfig, tree: TreeSection, mask: string | undefined): Record<string, unknown> {
  const { mask: _path, ...rest } = geometry;
  return plainJson({ geometry: { ...rest, ...(mask ? { maskSha256: mask } : {}) }, tree });
}

/** tree.bin: the serialized tree with a header naming its inputs (`sirtsim tree`, `sirtsim simulate`). */
export function encodeTreeFile(tree: ArterialTree, inputs: Record<string, unknown>, caseSha256?: string): Uint8Array {
  return wrapStageFile("tree", serializeTree(tree), { inputs, ...(caseSha256 ? { caseSha256 } : {}) });
}

export function decodeTreeFile(bytes: Uint8Array, fileName: string, field = fileName): { tree: ArterialTree; header: StageHeader } {
  const { header, payload } = unwrapStageFile(bytes, "tree", fileName, field);
  try {
    return { tree: deserializeTree(payload), header };
  } catch (err) {
    throw new InputError(field, `${fileName}: ${(err as Error).message}`);
  }
}

// ── lodged.bin + transport.json ──────────────────────────────────────────────────────────────

/** Payload of lodged.bin: magic, u32 terminals, u32 segments, i32 terminalSegments, u32 terminalCounts, u32 segmentLodged. */
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

/** transport.json's text (its SHA-256 is in lodged.bin's header). */
export function transportJsonText(t: TransportResult): string {
  return stringifyResult(transportJson(t));
}

/** Rebuild a TransportResult from lodged.bin and the transport.json text beside it, checking both. */
export function decodeLodgedFile(bytes: Uint8Array, jsonText: string, fileName: string, jsonFileName: string, field = fileName): { transport: TransportResult; header: StageHeader } {
  const { header, payload } = unwrapStageFile(bytes, "lodged", fileName, field);
  if (sha256(jsonText) !== header.transportJsonSha256) {
    throw new InputError(field, `${jsonFileName} does not belong to ${fileName} (its sha256 differs from the one in ${fileName}'s header): the file was edited or comes from another run`);
  }
  let json: unknown;
  try {
    json = JSON.parse(jsonText);
  } catch (err) {
    throw new InputError(field, `${jsonFileName}: not valid JSON (${(err as Error).message})`);
  }
  return { transport: decodeTransport(json, payload, fileName, field), header };
}

function decodeTransport(json: unknown, bytes: Uint8Array, fileName: string, field: string): TransportResult {
  if (bytes.length < 16 || Buffer.from(bytes.subarray(0, 8)).toString("ascii") !== LODGED_MAGIC) {
    throw new InputError(field, `${fileName}: not a sirtsim lodged-sphere file (magic ${LODGED_MAGIC} missing)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nt = view.getUint32(8, true);
  const ns = view.getUint32(12, true);
  if (bytes.length !== 16 + 4 * (2 * nt + ns)) throw new InputError(field, `${fileName}: truncated or corrupt (${bytes.length} bytes for ${nt} terminals and ${ns} segments)`);
  const terminalSegments = new Int32Array(nt);
  const terminalCounts = new Uint32Array(nt);
  const segmentLodged = new Uint32Array(ns);
  let o = 16;
  for (let i = 0; i < nt; i++, o += 4) terminalSegments[i] = view.getInt32(o, true);
  for (let i = 0; i < nt; i++, o += 4) terminalCounts[i] = view.getUint32(o, true);
  for (let i = 0; i < ns; i++, o += 4) segmentLodged[i] = view.getUint32(o, true);
  if (typeof json !== "object" || json === null || typeof (json as { spheresInjected?: unknown }).spheresInjected !== "number") {
    throw new InputError(field, `${fileName}: transport.json next to it is not a transport result`);
  }
  return { ...(json as Omit<TransportResult, "terminalSegments" | "terminalCounts" | "segmentLodged">), terminalSegments, terminalCounts, segmentLodged };
}

// ── counts.bin (a shard) ─────────────────────────────────────────────────────────────────────

/** The manifest of a shard: in counts.bin's header (checked) and mirrored in shard.json (cross-checked). */
export interface ShardManifest {
  readonly kind: "sirtsim-shard";
  readonly shard: { readonly index: number; readonly count: number };
  /** Work units (blocks of 4096 segments) of the whole run, and of this shard. */
  readonly totalUnits: number;
  readonly units: number;
  readonly spheresDeposited: number;
  readonly outsideGridSpheres: number;
  readonly grid: GridGeometry;
  readonly caseSha256: string;
  readonly treeSha256: string;
  readonly lodgedSha256: string;
  /** Where the case file was (a mask image is found relative to it). */
  readonly casePath: string;
  readonly seed: number;
  /** The sirtsim that computed the shard's lodging positions: `merge` takes only its own version's (the positions' code changes between versions, and the sphere totals it checks would not show it). */
  readonly sirtsimVersion: string;
}

/** counts.bin payload: magic, then float64 integer sphere counts per voxel (dims in the manifest). */
export function encodeCounts(counts: Grid<Float64Array>): Uint8Array {
  const bytes = new Uint8Array(8 + 8 * counts.data.length);
  bytes.set(Buffer.from(COUNTS_MAGIC, "ascii"), 0);
  const view = new DataView(bytes.buffer);
  for (let i = 0, o = 8; i < counts.data.length; i++, o += 8) view.setFloat64(o, counts.data[i], true);
  return bytes;
}

export function encodeCountsFile(counts: Grid<Float64Array>, manifest: ShardManifest): Uint8Array {
  return wrapStageFile("counts", encodeCounts(counts), { inputs: { shard: manifest.shard, caseSha256: manifest.caseSha256 }, caseSha256: manifest.caseSha256, treeSha256: manifest.treeSha256, manifest });
}

/** Verify counts.bin and return its manifest and count grid (values checked to be integers ≥ 0). */
export function decodeCountsFile(bytes: Uint8Array, fileName: string): { manifest: ShardManifest; counts: Grid<Float64Array> } {
  const { header, payload } = unwrapStageFile(bytes, "counts", fileName);
  const manifest = header.manifest as ShardManifest;
  const dims = manifest?.grid?.dims;
  if (!Array.isArray(dims) || dims.length !== 3 || !dims.every((d) => Number.isSafeInteger(d) && d > 0)) throw new InputError(fileName, `${fileName}: header grid.dims ${JSON.stringify(dims)} is not three positive integers`);
  const n = dims[0] * dims[1] * dims[2];
  if (Buffer.from(payload.subarray(0, 8)).toString("ascii") !== COUNTS_MAGIC) throw new InputError(fileName, `${fileName}: not a sirtsim count grid (magic ${COUNTS_MAGIC} missing)`);
  if (payload.length !== 8 + 8 * n) throw new InputError(fileName, `${fileName}: ${payload.length} payload bytes for ${n} voxels`);
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const data = new Float64Array(n);
  for (let i = 0, o = 8; i < n; i++, o += 8) {
    const v = view.getFloat64(o, true);
    if (!(Number.isInteger(v) && v >= 0)) throw new InputError(fileName, `${fileName}: voxel ${i} holds ${v} spheres (counts are integers ≥ 0)`);
    data[i] = v;
  }
  return { manifest, counts: { ...manifest.grid, data } };
}

// ── a simulation's stage files ───────────────────────────────────────────────────────────────

/** The identity of a resolved simulation case: its hash and what its tree depends on. */
export interface CaseIdentity {
  readonly caseSha256: string;
  readonly treeInputs: Record<string, unknown>;
  readonly maskSha256?: string;
}

/**
 * Hash of the resolved case (validated sections with their defaults, the mask by content): two
 * case files that resolve to the same run have the same hash, whatever their spelling.
 */
export function caseIdentity(simCase: SimulationCase, mask?: Grid<Uint8Array>): CaseIdentity {
  const maskHash = mask ? maskSha256(mask) : undefined;
  const { mask: _path, ...geometry } = simCase.geometry;
  const resolved = {
    name: simCase.name,
    description: simCase.description,
    seed: simCase.seed,
    planning: simCase.planning,
    geometry: { ...geometry, ...(maskHash ? { maskSha256: maskHash } : {}) },
    tree: simCase.tree,
    dose: simCase.dose,
    injection: simCase.injectionSection,
    transport: simCase.transportSection,
  };
  return {
    caseSha256: sha256(canonicalJson(plainJson(resolved))),
    treeInputs: treeInputs(simCase.geometry, simCase.tree, maskHash),
    ...(maskHash ? { maskSha256: maskHash } : {}),
  };
}

/**
 * How a lodged.bin's per-compartment counts were made: a sphere wedged at a non-terminal inlet
 * counts for the tissue at the inlet (transport/context.ts lodgeCompartmentRange). Part of the
 * file's inputs, so a file counted by the earlier rule (the larger-territory daughter) is refused
 * on read-back instead of reporting its counts beside a fresh run's.
 */
export const WEDGE_ATTRIBUTION = "inlet-tissue";

/** What a transport result depends on: the tree it ran on, the resolved injection/transport sections, the seed (and how it was counted). */
export function transportInputs(treeSha256: string, sections: unknown, seed: number): Record<string, unknown> {
  return plainJson({ treeSha256, sections, seed, wedgeAttribution: WEDGE_ATTRIBUTION });
}

/** tree.bin and lodged.bin of a simulation, with their payload hashes. */
export interface SimulationStageFiles {
  readonly treeBytes: Uint8Array;
  readonly treeSha256: string;
  readonly lodgedBytes: Uint8Array;
  readonly lodgedSha256: string;
  readonly transportJsonText: string;
  readonly caseSha256: string;
}

export function encodeSimulationStageFiles(identity: CaseIdentity, core: SimulationCore, seed: number): SimulationStageFiles {
  const treePayload = serializeTree(core.tree);
  const treeSha256 = sha256(treePayload);
  const treeBytes = wrapStageFile("tree", treePayload, { inputs: identity.treeInputs, caseSha256: identity.caseSha256 });
  const lodgedPayload = encodeLodged(core.transport);
  const text = transportJsonText(core.transport);
  const lodgedBytes = wrapStageFile("lodged", lodgedPayload, {
    inputs: transportInputs(treeSha256, core.sections, seed),
    treeSha256,
    // The tree's inputs too, so that a lodged.bin of another tree is refused before the tree is
    // grown (files.ts readStageInputs), not after a growth of minutes.
    treeInputs: identity.treeInputs,
    caseSha256: identity.caseSha256,
    transportJsonSha256: sha256(text),
  });
  return { treeBytes, treeSha256, lodgedBytes, lodgedSha256: sha256(lodgedPayload), transportJsonText: text, caseSha256: identity.caseSha256 };
}

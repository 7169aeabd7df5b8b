/**
 * Exports of an ArterialTree as bytes or strings (the caller writes files):
 * - treeSummary: a small JSON-able summary (the `sirtsim tree --json` document and tree.json);
 * - serializeTree / deserializeTree: a compact little-endian binary format for reuse
 *   ("SIRTTREE", version 1), byte-identical for identical trees;
 * - treeToVtp: VTK XML PolyData (lines, one cell per segment, radius and flow as cell data) in
 *   LPS, which opens in ParaView and 3D Slicer aligned with the NIfTI outputs.
 */
import { InputError } from "../errors.js";
import type { ArterialTree, NonTargetBranch, TreeParameters } from "./tree.js";

export interface TreeSummary {
  readonly terminals: number;
  readonly segments: number;
  /** Generations of the terminals. */
  readonly generations: { readonly min: number; readonly max: number; readonly mean: number };
  readonly rootRadiusMm: number;
  readonly rootFlowMlPerMin: number;
  readonly murrayExponent: number;
  /** Flow into tumour terminals / root flow. */
  readonly tumourFlowFraction: number;
  /** Σ territory volumes of the terminals, mL. */
  readonly perfusedVolumeMl: number;
  readonly seed: number;
  readonly optimisedSegments: number;
  readonly compartments: readonly { readonly name: string; readonly terminals: number; readonly flowMlPerMin: number; readonly territoryMl: number }[];
  readonly entryPoints: Readonly<Record<string, number>>;
  readonly nonTargetBranches: readonly NonTargetBranch[];
}

export function treeSummary(tree: ArterialTree): TreeSummary {
  const n = tree.segmentCount;
  const names = tree.compartmentNames;
  const perTerminals = new Array<number>(names.length).fill(0);
  const perFlow = new Array<number>(names.length).fill(0);
  const perVolume = new Array<number>(names.length).fill(0);
  let terminals = 0, gMin = Infinity, gMax = 0, gSum = 0, optimised = 0;
  for (let i = 0; i < n; i++) {
    if (tree.optimised !== undefined) optimised += tree.optimised[i];
    if (tree.child0[i] >= 0) continue;
    terminals++;
    const g = tree.generation[i];
    gMin = Math.min(gMin, g);
    gMax = Math.max(gMax, g);
    gSum += g;
    const c = tree.compartment[i];
    perTerminals[c]++;
    perFlow[c] += tree.flowMlPerMin[i];
    perVolume[c] += tree.territoryMl[i];
  }
  const totalFlow = perFlow.reduce((a, b) => a + b, 0);
  const tumourFlow = totalFlow - perFlow[0];
  return {
    terminals,
    segments: n,
    generations: { min: gMin, max: gMax, mean: gSum / terminals },
    rootRadiusMm: tree.radiusMm[0],
    rootFlowMlPerMin: tree.flowMlPerMin[0],
    murrayExponent: tree.params.murrayExponent,
    tumourFlowFraction: totalFlow > 0 ? tumourFlow / totalFlow : 0,
    perfusedVolumeMl: perVolume.reduce((a, b) => a + b, 0),
    seed: tree.params.seed,
    optimisedSegments: optimised,
    compartments: names.map((name, c) => ({ name, terminals: perTerminals[c], flowMlPerMin: perFlow[c], territoryMl: perVolume[c] })),
    entryPoints: { ...tree.entryPoints },
    nonTargetBranches: [...(tree.nonTargetBranches ?? [])],
  };
}

const MAGIC = "SIRTTREE";
const VERSION = 1;

interface Header {
  compartmentNames: string[];
  entryPoints: Record<string, number>;
  params: TreeParameters;
  nonTargetBranches: NonTargetBranch[];
  hasOptimised: boolean;
}

function checkLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error("the tree binary format needs a little-endian platform");
}

/** The tree as bytes: magic, version, segment count, a JSON header, then the arrays (8-byte aligned). */
export function serializeTree(tree: ArterialTree): Uint8Array {
  checkLittleEndian();
  const n = tree.segmentCount;
  const header: Header = {
    compartmentNames: [...tree.compartmentNames],
    entryPoints: { ...tree.entryPoints },
    params: { ...tree.params },
    nonTargetBranches: [...(tree.nonTargetBranches ?? [])],
    hasOptimised: tree.optimised !== undefined,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = 8 + 4 + 4 + 4 + json.length;
  const arraysStart = Math.ceil(headerBytes / 8) * 8;
  const total = arraysStart + n * (6 * 4 + 11 * 8) + (header.hasOptimised ? n : 0);
  const bytes = new Uint8Array(Math.ceil(total / 8) * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 8; i++) bytes[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, n, true);
  view.setUint32(16, json.length, true);
  bytes.set(json, 20);
  let at = arraysStart;
  const put = (a: Int32Array | Float64Array | Uint8Array) => {
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  };
  // Float64 arrays first so they stay 8-byte aligned.
  put(tree.proximalMm);
  put(tree.distalMm);
  put(tree.radiusMm);
  put(tree.lengthMm);
  put(tree.flowMlPerMin);
  put(tree.territoryMl);
  put(tree.terminalPressurePa);
  put(tree.parent);
  put(tree.child0);
  put(tree.child1);
  put(tree.subtreeEnd);
  put(tree.generation);
  put(tree.compartment);
  if (tree.optimised !== undefined) put(tree.optimised);
  return bytes;
}

/** Inverse of serializeTree (copies the arrays out of `bytes`). */
export function deserializeTree(bytes: Uint8Array): ArterialTree {
  checkLittleEndian();
  const bad = (why: string) => new InputError("tree.bin", `tree.bin is not a sirtsim tree file: ${why}`);
  if (bytes.length < 20) throw bad("too short");
  for (let i = 0; i < 8; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) throw bad("bad magic");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== VERSION) throw bad(`version ${version}, expected ${VERSION}`);
  const n = view.getUint32(12, true);
  const jsonLength = view.getUint32(16, true);
  if (20 + jsonLength > bytes.length) throw bad("truncated header");
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + jsonLength))) as Header;
  let at = Math.ceil((20 + jsonLength) / 8) * 8;
  const need = at + n * (6 * 4 + 11 * 8) + (header.hasOptimised ? n : 0);
  if (need > bytes.length) throw bad(`truncated arrays (${bytes.length} bytes, need ${need})`);
  const f64 = (count: number) => {
    const out = new Float64Array(count);
    new Uint8Array(out.buffer).set(bytes.subarray(at, at + 8 * count));
    at += 8 * count;
    return out;
  };
  const i32 = () => {
    const out = new Int32Array(n);
    new Uint8Array(out.buffer).set(bytes.subarray(at, at + 4 * n));
    at += 4 * n;
    return out;
  };
  const proximalMm = f64(3 * n);
  const distalMm = f64(3 * n);
  const radiusMm = f64(n);
  const lengthMm = f64(n);
  const flowMlPerMin = f64(n);
  const territoryMl = f64(n);
  const terminalPressurePa = f64(n);
  const parent = i32();
  const child0 = i32();
  const child1 = i32();
  const subtreeEnd = i32();
  const generation = i32();
  const compartment = i32();
  const optimised = header.hasOptimised ? bytes.slice(at, at + n) : undefined;
  return {
    segmentCount: n,
    parent,
    child0,
    child1,
    subtreeEnd,
    generation,
    proximalMm,
    distalMm,
    radiusMm,
    lengthMm,
    flowMlPerMin,
    compartment,
    territoryMl,
    terminalPressurePa,
    compartmentNames: header.compartmentNames,
    entryPoints: header.entryPoints,
    params: header.params,
    ...(optimised !== undefined ? { optimised } : {}),
    nonTargetBranches: header.nonTargetBranches,
  };
}

type CellArray = Float64Array | Float32Array | Int32Array | Uint8Array;

function vtkType(a: CellArray): string {
  if (a instanceof Float64Array) return "Float64";
  if (a instanceof Float32Array) return "Float32";
  if (a instanceof Int32Array) return "Int32";
  return "UInt8";
}

/** A DataArray in VTK "binary" inline encoding: base64 of (UInt32 byte count + raw little-endian data). */
function dataArray(name: string, a: CellArray, components = 1): string {
  const raw = new Uint8Array(4 + a.byteLength);
  new DataView(raw.buffer).setUint32(0, a.byteLength, true);
  raw.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), 4);
  const comps = components > 1 ? ` NumberOfComponents="${components}"` : "";
  return `<DataArray type="${vtkType(a)}" Name="${name}"${comps} format="binary">${Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("base64")}</DataArray>\n`;
}

/**
 * VTK XML PolyData of the tree: point 0 is the root's inlet, point i + 1 the distal end of
 * segment i; line i joins its parent's distal point to its own. Points are in LPS (x and y of the
 * tree's RAS coordinates negated) with field data SPACE = "LPS", so 3D Slicer overlays the tree
 * on dose.nii.gz and labels.nii.gz. Cell data: radiusMm,
 * flowMlPerMin, generation, compartment, optimised, plus `cellData` (one value per segment).
 */
export function treeToVtp(tree: ArterialTree, cellData: Readonly<Record<string, CellArray>> = {}): string {
  checkLittleEndian();
  const n = tree.segmentCount;
  // Tree coordinates are RAS (as NIfTI); mesh files are LPS (x and y negated), the convention
  // 3D Slicer assumes for meshes since 4.11 and records in the `SPACE` field data it reads from
  // .vtp files (vtkMRMLModelStorageNode::GetCoordinateSystemFromFieldData).
  const points = new Float32Array(3 * (n + 1));
  points[0] = -tree.proximalMm[0];
  points[1] = -tree.proximalMm[1];
  points[2] = tree.proximalMm[2];
  for (let i = 0; i < n; i++) {
    points[3 + 3 * i] = -tree.distalMm[3 * i];
    points[4 + 3 * i] = -tree.distalMm[3 * i + 1];
    points[5 + 3 * i] = tree.distalMm[3 * i + 2];
  }
  const connectivity = new Int32Array(2 * n);
  const offsets = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    connectivity[2 * i] = tree.parent[i] < 0 ? 0 : tree.parent[i] + 1;
    connectivity[2 * i + 1] = i + 1;
    offsets[i] = 2 * i + 2;
  }
  const cells: [string, CellArray][] = [
    ["radiusMm", tree.radiusMm],
    ["flowMlPerMin", tree.flowMlPerMin],
    ["generation", tree.generation],
    ["compartment", tree.compartment],
  ];
  if (tree.optimised !== undefined) cells.push(["optimised", tree.optimised]);
  for (const [name, a] of Object.entries(cellData)) {
    if (a.length !== n) throw new InputError(`cellData.${name}`, `cellData.${name} must have ${n} values (one per segment), got ${a.length}`);
    cells.push([name, a]);
  }
  const parts: string[] = [
    `<?xml version="1.0"?>\n`,
    `<VTKFile type="PolyData" version="1.0" byte_order="LittleEndian" header_type="UInt32">\n`,
    `<PolyData>\n`,
    // A VTK string array in ASCII: the character codes of "LPS" and a terminating 0.
    `<FieldData>\n<Array type="String" Name="SPACE" NumberOfTuples="1" format="ascii">76 80 83 0</Array>\n</FieldData>\n`,
    `<Piece NumberOfPoints="${n + 1}" NumberOfVerts="0" NumberOfLines="${n}" NumberOfStrips="0" NumberOfPolys="0">\n`,
    `<Points>\n`,
    dataArray("Points", points, 3),
    `</Points>\n`,
    `<CellData Scalars="radiusMm">\n`,
    ...cells.map(([name, a]) => dataArray(name, a)),
    `</CellData>\n`,
    `<Lines>\n`,
    dataArray("connectivity", connectivity),
    dataArray("offsets", offsets),
    `</Lines>\n`,
    `</Piece>\n`,
    `</PolyData>\n`,
    `</VTKFile>\n`,
  ];
  return parts.join("");
}

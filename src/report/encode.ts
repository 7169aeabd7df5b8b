/**
 * Compact encodings of the report's data: volumes quantised to 8 or 16 bits with a scale, gzip'd
 * and base64'd (the page inflates them with the browser's DecompressionStream), the anatomical
 * orientation of each view, and the tree's segments quantised to 16-bit coordinates.
 * JSON arrays of floats would make a 128³ report ten times larger.
 */
import { gzipSync } from "node:zlib";
import type { GridData, GridGeometry } from "../geometry/grid.js";
import { toRasGeometry } from "../io/frame.js";
import type { TreeSegments } from "./types.js";

export interface EncodedVolume {
  /** "u8" or "u16" (little endian). */
  readonly type: "u8" | "u16";
  /** value = stored × scale + offset. */
  readonly scale: number;
  readonly offset: number;
  /** base64 of the gzip'd stored values, x fastest. */
  readonly b64: string;
  /** Size of the gzip'd payload, bytes. */
  readonly gzipBytes: number;
}

/**
 * Quantise `data` to `bits` over [lo, hi] (values outside are clamped for display only), gzip,
 * base64. `levels` (default 2^bits − 1) may be lower to make a noisy image compress better.
 */
export function encodeVolume(data: ArrayLike<number>, lo: number, hi: number, bits: 8 | 16, levels = bits === 8 ? 255 : 65535): EncodedVolume {
  const scale = hi > lo ? (hi - lo) / levels : 1;
  const n = data.length;
  const stored = bits === 8 ? new Uint8Array(n) : new Uint16Array(n);
  for (let v = 0; v < n; v++) {
    const q = Math.round((data[v] - lo) / scale);
    stored[v] = q < 0 ? 0 : q > levels ? levels : q;
  }
  const bytes = new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
  if (bits === 16 && new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    for (let p = 0; p < bytes.length; p += 2) [bytes[p], bytes[p + 1]] = [bytes[p + 1], bytes[p]];
  }
  const gz = gzipSync(bytes, { level: 9 });
  return { type: bits === 8 ? "u8" : "u16", scale, offset: lo, b64: Buffer.from(gz).toString("base64"), gzipBytes: gz.length };
}

/** Label values re-coded to 0..255 (the report draws at most 255 labels), gzip'd and base64'd. */
export function encodeLabels(data: GridData): { b64: string; labels: number[] } {
  const labels = [...new Set(Array.from(data))].filter((l) => l !== 0).sort((a, b) => a - b).slice(0, 255);
  const code = new Map(labels.map((l, i) => [l, i + 1]));
  const stored = new Uint8Array(data.length);
  for (let v = 0; v < data.length; v++) stored[v] = code.get(data[v]) ?? 0;
  return { b64: Buffer.from(gzipSync(stored, { level: 9 })).toString("base64"), labels };
}

export interface ViewSpec {
  /** "axial", "coronal" or "sagittal". */
  readonly name: string;
  /** Grid axis sliced through (0 = i, 1 = j, 2 = k), and the axes shown horizontally and vertically. */
  readonly sliceAxis: number;
  readonly hAxis: number;
  readonly vAxis: number;
  /** Reverse the screen axis so that the display follows the radiological convention. */
  readonly hReversed: boolean;
  readonly vReversed: boolean;
  /** Patient directions at the screen's left, right, top and bottom edges. */
  readonly edges: readonly [string, string, string, string];
}

/**
 * Views in radiological convention: axial and coronal with the patient's right on the screen's
 * left, anterior up (axial), superior up (coronal, sagittal), anterior on the left (sagittal).
 * Each grid axis is assigned the RAS world axis it is closest to.
 */
export function viewSpecs(g: GridGeometry): ViewSpec[] {
  const { direction } = toRasGeometry(g);
  // For each world axis (R, A, S): the grid axis closest to it and the sign of that alignment.
  const gridAxisOf: number[] = [0, 0, 0];
  const sign: number[] = [1, 1, 1];
  const used = new Set<number>();
  for (const world of [2, 0, 1]) {
    let best = -1;
    let bestAbs = -1;
    for (let c = 0; c < 3; c++) {
      if (used.has(c)) continue;
      const a = Math.abs(direction[3 * world + c]);
      if (a > bestAbs) {
        bestAbs = a;
        best = c;
      }
    }
    used.add(best);
    gridAxisOf[world] = best;
    sign[world] = direction[3 * world + best] >= 0 ? 1 : -1;
  }
  const [x, y, z] = gridAxisOf;
  return [
    // Screen left = patient Right (+x in RAS): reverse when the axis runs towards +x.
    { name: "axial", sliceAxis: z, hAxis: x, vAxis: y, hReversed: sign[0] > 0, vReversed: sign[1] < 0, edges: ["R", "L", "A", "P"] },
    { name: "coronal", sliceAxis: y, hAxis: x, vAxis: z, hReversed: sign[0] > 0, vReversed: sign[2] < 0, edges: ["R", "L", "S", "I"] },
    { name: "sagittal", sliceAxis: x, hAxis: y, vAxis: z, hReversed: sign[1] > 0, vReversed: sign[2] < 0, edges: ["A", "P", "S", "I"] },
  ];
}

export interface EncodedTree {
  readonly count: number;
  readonly total: number;
  /** Bounding box of the drawn segments (mm): positions = lo + stored × (hi − lo) / 65535. */
  readonly lo: readonly number[];
  readonly hi: readonly number[];
  /** base64 of u16 xyz (proximal then distal, 6 per segment). */
  readonly positions: string;
  /** base64 of float32 radius, mm. */
  readonly radius: string;
  /** base64 of float32 lodged counts. */
  readonly lodged: string;
  readonly maxLodged: number;
  /** Smallest positive lodged value: the low end of the log colour bar. */
  readonly minPositiveLodged: number;
  readonly label: string;
  /** Liver and tumour surface points: base64 of float32 xyz (RAS, mm). */
  readonly outlines: ReadonlyArray<{ readonly name: string; readonly kind: "liver" | "tumour"; readonly points: string; readonly count: number }>;
}

/** Keep the `max` widest segments and pack them. */
export function encodeTree(tree: TreeSegments, max: number): EncodedTree {
  const total = tree.radiusMm.length;
  const order = Array.from({ length: total }, (_, i) => i);
  if (total > max) order.sort((a, b) => tree.radiusMm[b] - tree.radiusMm[a] || a - b);
  const keep = order.slice(0, Math.min(max, total)).sort((a, b) => a - b);
  // The canvas draws in RAS: negate x and y of LPS points.
  const sign = tree.frame === "LPS" ? [-1, -1, 1] : [1, 1, 1];
  const at = (arr: ArrayLike<number>, s: number, a: number) => sign[a] * arr[3 * s + a];
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (const s of keep) {
    for (let a = 0; a < 3; a++) {
      for (const arr of [tree.proximalMm, tree.distalMm]) {
        lo[a] = Math.min(lo[a], at(arr, s, a));
        hi[a] = Math.max(hi[a], at(arr, s, a));
      }
    }
  }
  const pos = new Uint16Array(keep.length * 6);
  const radius = new Float32Array(keep.length);
  const lodged = new Float32Array(keep.length);
  let maxLodged = 0;
  let minPositiveLodged = Infinity;
  keep.forEach((s, n) => {
    for (let a = 0; a < 3; a++) {
      const span = hi[a] - lo[a] || 1;
      pos[6 * n + a] = Math.round(((at(tree.proximalMm, s, a) - lo[a]) / span) * 65535);
      pos[6 * n + 3 + a] = Math.round(((at(tree.distalMm, s, a) - lo[a]) / span) * 65535);
    }
    radius[n] = tree.radiusMm[s];
    lodged[n] = tree.lodged[s];
    maxLodged = Math.max(maxLodged, tree.lodged[s]);
    if (tree.lodged[s] > 0) minPositiveLodged = Math.min(minPositiveLodged, tree.lodged[s]);
  });
  const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
  const outlines = (tree.outlines ?? []).map((o) => {
    const count = Math.floor(o.pointsMm.length / 3);
    const points = new Float32Array(3 * count);
    for (let p = 0; p < 3 * count; p++) points[p] = sign[p % 3] * o.pointsMm[p];
    return { name: o.name, kind: o.kind, points: b64(points), count };
  });
  return {
    count: keep.length, total, lo, hi, positions: b64(pos), radius: b64(radius), lodged: b64(lodged), maxLodged,
    minPositiveLodged: Number.isFinite(minPositiveLodged) ? minPositiveLodged : 0,
    label: tree.lodgedLabel ?? "lodged spheres",
    outlines,
  };
}

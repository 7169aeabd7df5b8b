/**
 * Space-filling subtrees by recursive spatial bisection (the statistical part of the hybrid tree).
 *
 * A node owns a set of terminal sites. It is split along the principal axis of the sites at a
 * count quantile (SubtreeShape; within a compartment all sites carry the same flow, so this is
 * the flow quantile away from tumour borders); its branch point lies on the way from its parent's branch
 * point towards its flow-weighted centroid. Recursion ends at single sites, which become the
 * terminals. Flows are exactly the sums of the demands below, and Murray's law is imposed later by
 * the sizing pass (murray.ts), so both hold exactly whatever the geometry.
 *
 * Cost: O(n) per level (quickselect), O(n log n) per subtree; no allocation per node.
 */
import type { TreeWriter } from "./writer.js";
import type { TerminalSites } from "./sample.js";
import { createStream } from "../random/stream.js";
import type { RandomStream } from "../random/stream.js";

/**
 * Shape of a bisection subtree. A node of n > 2 sites gives its smaller daughter
 * s = ⌊q·n⌋ (clamped to 1…⌊n/2⌋) of them, q = ½·U^a with U uniform on (0, 1) (a = `asymmetry`,
 * one draw per bifurcation from the subtree's own stream), and a fair coin decides whether the
 * smaller daughter takes the low or the high end along the principal axis. a = 0 is the median
 * split (no draws: the symmetric subtrees); a = 1 makes the smaller share uniform on (0, ½], which
 * gives Horton branching ratios R_B ≈ 3.1 and a median daughter radius ratio ≈ 0.78 (human
 * coronary casts: R_B 3–3.6, Kassab et al., Am J Physiol 1993;265:H350 (pig); median radius ratio
 * 0.76, Anat Rec 1998;251:50). Real arteries are long trunks with small side branches: a
 * symmetric split climbs one Strahler order per generation (R_B ≈ 2.5 over the whole tree).
 */
export interface SubtreeShape {
  readonly branchFraction: number;
  readonly asymmetry: number;
  /** The subtree's own stream (subtreeStream); unused when asymmetry = 0. */
  readonly stream: RandomStream | null;
}

/** First stream id of the bisection subtrees (ids below are site sampling and optimised growth). */
export const SUBTREE_STREAM_BASE = 2 ** 24;

/**
 * The random stream of the bisection subtree below territory `territory` of Couinaud segment
 * `couinaudSegment` (a property of the subtree, never of a thread or of the emission order).
 */
export function subtreeStream(seed: number, couinaudSegment: number, territory: number): RandomStream {
  return createStream(seed, SUBTREE_STREAM_BASE + couinaudSegment * 2 ** 21 + territory);
}

/** Scratch shared by the recursion: projection keys per site and the centroid/axis of a range. */
export class BisectScratch {
  readonly keys: Float64Array;
  readonly centroid = new Float64Array(3);
  readonly axis = new Float64Array(3);
  constructor(siteCount: number) {
    this.keys = new Float64Array(siteCount);
  }
}

/**
 * The sums of centroidAndAxis, each a loop alone in its function that returns right after it. Why:
 * the first call of centroidAndAxis covers all 10⁵ sites of the liver, so V8 compiles its loop on
 * the stack (OSR) before the code after the loop has ever run; that compiled loop then deoptimised
 * on every later call on reaching the code after it ("insufficient type feedback", kept because
 * such deopts do not discard the code): 204 000 deoptimisations and 1.0 s of the default case's
 * 4.0 s tree growth (Node 20, measured with --trace-deopt). A loop followed only by `return` has
 * nothing to deoptimise on. Each sum adds the same terms in the same order as one loop did.
 */
function flowSum(q: Float64Array, perm: Int32Array, lo: number, hi: number): number {
  let w = 0;
  for (let k = lo; k < hi; k++) w += q[perm[k]];
  return w;
}

function flowMoment(xyz: Float64Array, q: Float64Array, perm: Int32Array, lo: number, hi: number, axis: number): number {
  let m = 0;
  for (let k = lo; k < hi; k++) {
    const i = perm[k];
    m += q[i] * xyz[3 * i + axis];
  }
  return m;
}

/** Σ (x_a − ca)(x_b − cb) over perm[lo, hi). */
function centredProduct(xyz: Float64Array, perm: Int32Array, lo: number, hi: number, a: number, ca: number, b: number, cb: number): number {
  let sum = 0;
  for (let k = lo; k < hi; k++) {
    const i = perm[k];
    sum += (xyz[3 * i + a] - ca) * (xyz[3 * i + b] - cb);
  }
  return sum;
}

/** Flow-weighted centroid and principal axis (power iteration on the covariance) of perm[lo, hi). */
export function centroidAndAxis(s: BisectScratch, sites: TerminalSites, perm: Int32Array, lo: number, hi: number): void {
  const xyz = sites.xyzMm;
  const q = sites.flowMlPerMin;
  const w = flowSum(q, perm, lo, hi);
  const cx = flowMoment(xyz, q, perm, lo, hi, 0) / w;
  const cy = flowMoment(xyz, q, perm, lo, hi, 1) / w;
  const cz = flowMoment(xyz, q, perm, lo, hi, 2) / w;
  const sxx = centredProduct(xyz, perm, lo, hi, 0, cx, 0, cx);
  const syy = centredProduct(xyz, perm, lo, hi, 1, cy, 1, cy);
  const szz = centredProduct(xyz, perm, lo, hi, 2, cz, 2, cz);
  const sxy = centredProduct(xyz, perm, lo, hi, 0, cx, 1, cy);
  const sxz = centredProduct(xyz, perm, lo, hi, 0, cx, 2, cz);
  const syz = centredProduct(xyz, perm, lo, hi, 1, cy, 2, cz);
  // Start from the axis of largest variance; a few power iterations converge for distinct eigenvalues
  // and stay a sensible split direction otherwise.
  let ax = 0, ay = 0, az = 0;
  if (sxx >= syy && sxx >= szz) ax = 1;
  else if (syy >= szz) ay = 1;
  else az = 1;
  for (let it = 0; it < 8; it++) {
    const nx = sxx * ax + sxy * ay + sxz * az;
    const ny = sxy * ax + syy * ay + syz * az;
    const nz = sxz * ax + syz * ay + szz * az;
    const norm = Math.sqrt(nx * nx + ny * ny + nz * nz);
    if (norm === 0) break;
    ax = nx / norm;
    ay = ny / norm;
    az = nz / norm;
  }
  s.centroid[0] = cx;
  s.centroid[1] = cy;
  s.centroid[2] = cz;
  s.axis[0] = ax;
  s.axis[1] = ay;
  s.axis[2] = az;
}

/** Reorder perm[lo, hi) so that perm[k] has the k-th smallest key and smaller keys come first (Hoare quickselect). */
export function selectKth(perm: Int32Array, keys: Float64Array, lo: number, hi: number, k: number): void {
  let left = lo, right = hi - 1;
  while (right > left) {
    // Median of three pivot for sorted / adversarial inputs.
    const mid = (left + right) >>> 1;
    const a = keys[perm[left]], b = keys[perm[mid]], c = keys[perm[right]];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = left, j = right;
    while (i <= j) {
      while (keys[perm[i]] < pivot) i++;
      while (keys[perm[j]] > pivot) j--;
      if (i <= j) {
        const t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

/** Keys of perm[lo, hi): projections on the axis (a loop alone in its function, as centroidAndAxis's sums). */
function projectOnAxis(keys: Float64Array, xyz: Float64Array, perm: Int32Array, lo: number, hi: number, ax: number, ay: number, az: number): void {
  for (let k = lo; k < hi; k++) {
    const i = perm[k];
    keys[i] = ax * xyz[3 * i] + ay * xyz[3 * i + 1] + az * xyz[3 * i + 2];
  }
}

/** Split perm[lo, hi) at `mid` along the principal axis of the range (centroidAndAxis first). */
export function splitAlongAxis(s: BisectScratch, sites: TerminalSites, perm: Int32Array, lo: number, hi: number, mid: number): void {
  projectOnAxis(s.keys, sites.xyzMm, perm, lo, hi, s.axis[0], s.axis[1], s.axis[2]);
  selectKth(perm, s.keys, lo, hi, mid);
}

/**
 * Emit the bisection subtree of perm[lo, hi) below segment `parent` (whose distal point is the
 * proximal point of the new segment). `shape.branchFraction` ∈ (0, 1] places an internal branch
 * point at parent + f·(centroid − parent); terminals sit at their site; `shape.asymmetry` sets
 * where the sites are split (SubtreeShape). When `rootDistal` is given, the
 * subtree's first segment ends there instead. Returns the index of the subtree's first segment.
 */
export function emitBisection(
  w: TreeWriter,
  s: BisectScratch,
  sites: TerminalSites,
  perm: Int32Array,
  lo: number,
  hi: number,
  parent: number,
  shape: SubtreeShape,
  rootDistal: Float64Array | null = null,
): number {
  const branchFraction = shape.branchFraction;
  const xyz = sites.xyzMm;
  if (hi - lo === 1) {
    const i = perm[lo];
    const seg = w.emit(parent, xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]);
    w.compartment[seg] = sites.compartment[i];
    w.territoryMl[seg] = sites.territoryMl[i];
    w.demandMlPerMin[seg] = sites.flowMlPerMin[i];
    return seg;
  }
  centroidAndAxis(s, sites, perm, lo, hi);
  const n = hi - lo;
  let first = n >>> 1;
  if (shape.asymmetry > 0 && n > 2) {
    // Smaller daughter's share q = ½·U^a; which side of the axis gets it: a fair coin.
    const stream = shape.stream!;
    const q = 0.5 * Math.pow(stream.nextOpenFloat(), shape.asymmetry);
    const small = Math.min(Math.max(Math.floor(q * n), 1), n >>> 1);
    first = (stream.nextUint32() & 1) === 0 ? small : n - small;
  }
  const mid = lo + first;
  let dx: number, dy: number, dz: number;
  if (rootDistal !== null) {
    dx = rootDistal[0];
    dy = rootDistal[1];
    dz = rootDistal[2];
  } else {
    const d = w.distalMm;
    const px = d[3 * parent], py = d[3 * parent + 1], pz = d[3 * parent + 2];
    dx = px + branchFraction * (s.centroid[0] - px);
    dy = py + branchFraction * (s.centroid[1] - py);
    dz = pz + branchFraction * (s.centroid[2] - pz);
  }
  const seg = w.emit(parent, dx, dy, dz);
  splitAlongAxis(s, sites, perm, lo, hi, mid);
  emitBisection(w, s, sites, perm, lo, mid, seg, shape);
  emitBisection(w, s, sites, perm, mid, hi, seg, shape);
  return seg;
}

/**
 * Partition perm[lo, hi) into `clusters` contiguous ranges of (nearly) equal size by recursive
 * principal-axis bisection; writes the range starts into `outStarts` (length clusters + 1, last =
 * hi). Used to make the compact territories of the optimised tree's terminals.
 */
export function partitionIntoClusters(
  s: BisectScratch,
  sites: TerminalSites,
  perm: Int32Array,
  lo: number,
  hi: number,
  clusters: number,
  outStarts: Int32Array,
  offset = 0,
): void {
  if (clusters <= 1) {
    outStarts[offset] = lo;
    outStarts[offset + 1] = hi;
    return;
  }
  const left = clusters >>> 1;
  let mid = lo + Math.round(((hi - lo) * left) / clusters);
  // Every cluster keeps at least one site.
  mid = Math.min(Math.max(mid, lo + left), hi - (clusters - left));
  centroidAndAxis(s, sites, perm, lo, hi);
  splitAlongAxis(s, sites, perm, lo, hi, mid);
  partitionIntoClusters(s, sites, perm, lo, mid, left, outStarts, offset);
  partitionIntoClusters(s, sites, perm, mid, hi, clusters - left, outStarts, offset + left);
}

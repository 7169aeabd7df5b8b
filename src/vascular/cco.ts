/**
 * The optimised part of the tree: constrained constructive optimisation (CCO; Schreiner &
 * Buxbaum, IEEE TBME 1993;40:482; Karch et al., Comput Biol Med 1999;29:19), made local.
 *
 * Terminals (the centroids of compact territories, each with its summed flow) are added one at a
 * time in a seeded random order. For each, the `candidateSegments` nearest segments (spatial grid,
 * segmentIndex.ts — not a scan of the tree) are tried with a small lattice of bifurcation points
 * in the triangle (proximal, distal, new terminal). The cost of a connection is the total volume
 * of the tree after it, obtained without copying the tree: with Karch's reduced resistances R*,
 * volume factors W (subtree volume / (π r²)) and daughter ratios β, only the segments on the path
 * from the new bifurcation to the root change, so each trial costs O(depth):
 *   R*_i = L_i + [β_0⁴/R*_0 + β_1⁴/R*_1]⁻¹,  W_i = L_i + β_0² W_0 + β_1² W_1,
 *   r_root ∝ (Q R*_root)^¼  ⇒  volume ∝ √(Q_root R*_root) · W_root
 * (β from equal terminal pressures + Murray's law, as in murray.ts; the constant 8μ/π cancels).
 * Trials are taken in order of cost; the first whose new segments stay inside the liver and keep
 * their lumen clear of every non-adjacent segment (centre-line distance ≥ (r_a + r_b)·margin,
 * radii of the growing tree at that step) is accepted.
 */
import type { Domain } from "../geometry/domain.js";
import { labelAt } from "../geometry/domain.js";
import { createStream } from "../random/stream.js";
import type { BisectScratch } from "./bisect.js";
import { centroidAndAxis, emitBisection, subtreeStream } from "./bisect.js";
import type { TerminalSites } from "./sample.js";
import { SegmentIndex, segmentSegmentDistance } from "./segmentIndex.js";
import { M3_PER_S_PER_ML_PER_MIN } from "./tree.js";
import type { TreeWriter } from "./writer.js";

/** Barycentric (proximal, distal) weights of the trial bifurcation points; the rest goes to the new terminal. */
const TRIALS: readonly (readonly [number, number])[] = [
  [1 / 3, 1 / 3], [0.5, 0.25], [0.25, 0.5], [0.45, 0.45], [0.6, 0.2], [0.2, 0.6], [0.25, 0.25], [0.5, 0.4], [0.4, 0.5],
];

/** A finer lattice (step 1/10) tried when no coarse trial clears the other segments. */
const TRIALS_FINE: readonly (readonly [number, number])[] = (() => {
  const out: [number, number][] = [];
  for (let a = 1; a < 10; a++) for (let b = 1; a + b < 10; b++) out.push([a / 10, b / 10]);
  return out;
})();

const TRIALS_ALL = [...TRIALS, ...TRIALS_FINE];

/** Candidates (cheapest at the centroid trial) priced on the whole lattice in the first pass. */
const REFINED_CANDIDATES = 4;

/** Lumen clearance factor applied during growth (radii still grow after a segment is placed). */
export const CLEARANCE_MARGIN = 2;

/** Shared by all Couinaud segments: the index of every optimised segment placed so far and its radius. */
export class OptimisedIndex {
  readonly index: SegmentIndex;
  /** Radius estimate of every id, mm (fixed once its segment's group is finished). */
  radiusMm: number[] = [];
  nextId = 0;
  /** Largest radius estimate registered (search margin of the clearance check). */
  maxRadiusMm = 0;
  /** Connections accepted although no trial met the constraints. */
  fallbacks = 0;
  connections = 0;

  constructor(minMm: ArrayLike<number>, maxMm: ArrayLike<number>, cellMm: number, capacity: number) {
    this.index = new SegmentIndex(minMm, maxMm, cellMm, capacity);
  }

  add(ax: number, ay: number, az: number, bx: number, by: number, bz: number, radiusMm: number): number {
    const id = this.nextId++;
    this.index.set(id, ax, ay, az, bx, by, bz);
    this.radiusMm[id] = radiusMm;
    this.maxRadiusMm = Math.max(this.maxRadiusMm, radiusMm);
    return id;
  }
}

export interface CcoOptions {
  readonly murrayExponent: number;
  readonly viscosityMPaS: number;
  readonly inletPressureMmHg: number;
  readonly terminalPressureMmHg: number;
  readonly candidateSegments: number;
  readonly branchFraction: number;
  readonly asymmetry: number;
}

/** The growing CCO tree of one Couinaud segment (pointer-based; emitted in pre-order at the end). */
class CcoTree {
  m = 0;
  readonly prox: Float64Array;
  readonly dist: Float64Array;
  readonly par: Int32Array;
  readonly c0: Int32Array;
  readonly c1: Int32Array;
  readonly term: Int32Array;
  readonly Q: Float64Array;
  readonly L: Float64Array;
  readonly Rs: Float64Array;
  readonly W: Float64Array;
  readonly beta: Float64Array;
  readonly id: Int32Array;

  constructor(capacity: number) {
    this.prox = new Float64Array(3 * capacity);
    this.dist = new Float64Array(3 * capacity);
    this.par = new Int32Array(capacity).fill(-1);
    this.c0 = new Int32Array(capacity).fill(-1);
    this.c1 = new Int32Array(capacity).fill(-1);
    this.term = new Int32Array(capacity).fill(-1);
    this.Q = new Float64Array(capacity);
    this.L = new Float64Array(capacity);
    this.Rs = new Float64Array(capacity);
    this.W = new Float64Array(capacity);
    this.beta = new Float64Array(capacity).fill(1);
    this.id = new Int32Array(capacity).fill(-1);
  }
}

/** β of the first daughter and the parent's (R*, W) from the daughters' (Q, R*, W). Writes into `out`. */
function combine(out: Float64Array, gamma: number, length: number, qa: number, ra: number, wa: number, qb: number, rb: number, wb: number): void {
  const rho = Math.pow((qa * ra) / (qb * rb), 0.25);
  const rg = Math.pow(rho, gamma);
  const betaA = Math.pow(1 + 1 / rg, -1 / gamma);
  const betaB = Math.pow(1 + rg, -1 / gamma);
  const a2 = betaA * betaA, b2 = betaB * betaB;
  out[0] = length + 1 / ((a2 * a2) / ra + (b2 * b2) / rb);
  out[1] = length + a2 * wa + b2 * wb;
  out[2] = betaA;
  out[3] = betaB;
}

function dist3(a: Float64Array, ia: number, bx: number, by: number, bz: number): number {
  return Math.hypot(a[3 * ia] - bx, a[3 * ia + 1] - by, a[3 * ia + 2] - bz);
}

/**
 * Grow the optimised tree of one Couinaud segment over the territories perm[starts[k], starts[k+1])
 * below writer segment `parent`, then emit it and the territories' bisection subtrees into the
 * writer. Returns the writer index of the segment's first (segmental) artery.
 */
export function growOptimisedSegment(
  w: TreeWriter,
  domain: Domain,
  sites: TerminalSites,
  perm: Int32Array,
  starts: Int32Array,
  scratch: BisectScratch,
  parent: number,
  shared: OptimisedIndex,
  options: CcoOptions,
  seed: number,
  couinaudSegment: number,
): number {
  const K = starts.length - 1;
  const gamma = options.murrayExponent;
  // Territory centroids and flows.
  const centroid = new Float64Array(3 * K);
  const flow = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    centroidAndAxis(scratch, sites, perm, starts[k], starts[k + 1]);
    centroid.set(scratch.centroid, 3 * k);
    let q = 0;
    for (let j = starts[k]; j < starts[k + 1]; j++) q += sites.flowMlPerMin[perm[j]];
    flow[k] = q;
  }
  // Seeded random insertion order (Fisher–Yates).
  const stream = createStream(seed, 100 + couinaudSegment);
  const order = new Int32Array(K);
  for (let k = 0; k < K; k++) order[k] = k;
  for (let k = K - 1; k > 0; k--) {
    const j = stream.nextInt(k + 1);
    const t = order[k];
    order[k] = order[j];
    order[j] = t;
  }

  const t = new CcoTree(2 * K - 1);
  const p0x = w.distalMm[3 * parent], p0y = w.distalMm[3 * parent + 1], p0z = w.distalMm[3 * parent + 2];
  const deltaPPa = (options.inletPressureMmHg - options.terminalPressureMmHg) * 133.322387415;
  const kappa = (8 * options.viscosityMPaS * 1e-3) / Math.PI;
  const rootRadius = () => 1e3 * Math.pow((kappa * t.Rs[0] * 1e-3 * t.Q[0] * M3_PER_S_PER_ML_PER_MIN) / deltaPPa, 0.25);
  const radiusOf = (i: number, rRoot: number) => {
    let r = rRoot;
    for (let j = i; j > 0; j = t.par[j]) r *= t.beta[j];
    return r;
  };

  // Root: from the parent's distal point to the first territory.
  {
    const k = order[0];
    t.prox[0] = p0x;
    t.prox[1] = p0y;
    t.prox[2] = p0z;
    t.dist.set(centroid.subarray(3 * k, 3 * k + 3), 0);
    t.term[0] = k;
    t.Q[0] = flow[k];
    t.L[0] = Math.max(1e-9, dist3(t.dist, 0, p0x, p0y, p0z));
    t.Rs[0] = t.L[0];
    t.W[0] = t.L[0];
    t.m = 1;
    t.id[0] = shared.add(p0x, p0y, p0z, t.dist[0], t.dist[1], t.dist[2], 0);
  }

  const candIds: number[] = [];
  const candDist: number[] = [];
  const near: number[] = [];
  const tmp = new Float64Array(4);
  const trialCost: number[] = [];
  const trialSeg: number[] = [];
  const trialPoint: number[] = [];
  const idToLocal = new Map<number, number>();
  idToLocal.set(t.id[0], 0);
  const segEnds = new Float64Array(18);
  const radii = new Float64Array(3);

  /** Total-volume cost of joining the terminal (tx, ty, tz; flow q) to segment s at barycentric (wa, wb). */
  function addTrial(s: number, wa: number, wb: number, tx: number, ty: number, tz: number, q: number): void {
    const ax = t.prox[3 * s], ay = t.prox[3 * s + 1], az = t.prox[3 * s + 2];
    const bx = t.dist[3 * s], by = t.dist[3 * s + 1], bz = t.dist[3 * s + 2];
    const wt = 1 - wa - wb;
    const x = wa * ax + wb * bx + wt * tx, y = wa * ay + wb * by + wt * ty, z = wa * az + wb * bz + wt * tz;
    const lsp = Math.max(1e-9, Math.hypot(x - ax, y - ay, z - az));
    const ld = Math.max(1e-9, Math.hypot(bx - x, by - y, bz - z));
    const ln = Math.max(1e-9, Math.hypot(tx - x, ty - y, tz - z));
    // The part of the old segment below the new bifurcation keeps its subtree: R*_d = L_d + (R*_s − L_s).
    const rsD = ld + (t.Rs[s] - t.L[s]);
    const wD = ld + (t.W[s] - t.L[s]);
    combine(tmp, gamma, lsp, t.Q[s], rsD, wD, q, ln, ln);
    let qCur = t.Q[s] + q, rsCur = tmp[0], wCur = tmp[1];
    for (let cur = s, p = t.par[s]; p >= 0; cur = p, p = t.par[p]) {
      const sib = t.c0[p] === cur ? t.c1[p] : t.c0[p];
      combine(tmp, gamma, t.L[p], qCur, rsCur, wCur, t.Q[sib], t.Rs[sib], t.W[sib]);
      qCur += t.Q[sib];
      rsCur = tmp[0];
      wCur = tmp[1];
    }
    trialCost.push(Math.sqrt(qCur * rsCur) * wCur);
    trialSeg.push(s);
    trialPoint.push(x, y, z);
  }

  for (let step = 1; step < K; step++) {
    const k = order[step];
    let tx = centroid[3 * k], ty = centroid[3 * k + 1], tz = centroid[3 * k + 2];
    const q = flow[k];
    let chosen = -1;
    let bestFallback = -1;
    let bestFallbackClearance = -Infinity;
    // Passes: the nearest candidates with the coarse lattice, then 4× and 16× as many with the fine
    // lattice, then (last resort) with the terminal moved to the territory's site farthest from
    // every segment — a centroid can fall inside the lumen of a large artery crossing the territory.
    for (let pass = 0; pass < 4 && chosen < 0; pass++) {
    const widen = pass === 0 ? 1 : pass === 1 ? 4 : 16;
    if (pass === 3) {
      let best = -1;
      const stride = Math.max(1, Math.floor((starts[k + 1] - starts[k]) / 64));
      for (let j = starts[k]; j < starts[k + 1]; j += stride) {
        const site = perm[j];
        const sx = sites.xyzMm[3 * site], sy = sites.xyzMm[3 * site + 1], sz = sites.xyzMm[3 * site + 2];
        shared.index.nearest(sx, sy, sz, 1, candIds, candDist);
        let dmin = Infinity;
        for (const dd of candDist) dmin = Math.min(dmin, dd);
        if (dmin > best) {
          best = dmin;
          // A quarter of the way back to the centroid, so the terminal point is not itself a site
          // (the territory's bisection subtree ends a terminal exactly at every site).
          tx = 0.75 * sx + 0.25 * centroid[3 * k];
          ty = 0.75 * sy + 0.25 * centroid[3 * k + 1];
          tz = 0.75 * sz + 0.25 * centroid[3 * k + 2];
        }
      }
      centroid[3 * k] = tx;
      centroid[3 * k + 1] = ty;
      centroid[3 * k + 2] = tz;
    }
    const wanted = options.candidateSegments * widen;
    shared.index.nearest(tx, ty, tz, wanted, candIds, candDist);
    trialCost.length = 0;
    trialSeg.length = 0;
    trialPoint.length = 0;
    bestFallback = -1;
    bestFallbackClearance = -Infinity;
    // Keep only this segment's own tree, the nearest `candidateSegments` of them.
    const local: { s: number; d: number }[] = [];
    for (let c = 0; c < candIds.length; c++) {
      const s = idToLocal.get(candIds[c]);
      if (s !== undefined) local.push({ s, d: candDist[c] });
    }
    if (local.length === 0) for (let s = 0; s < t.m; s++) local.push({ s, d: 0 });
    local.sort((a, b) => a.d - b.d || a.s - b.s);
    const nCand = Math.min(local.length, wanted);
    // Pass 0 prices every candidate at the triangle's centroid and refines only the
    // REFINED_CANDIDATES cheapest with the rest of the lattice; later passes price everything.
    const lattice = widen === 1 ? TRIALS : TRIALS_ALL;
    const refineAll = widen !== 1;
    const firstCost = trialCost.length;
    for (let c = 0; c < nCand; c++) addTrial(local[c].s, lattice[0][0], lattice[0][1], tx, ty, tz, q);
    const order0: number[] = [];
    for (let c = 0; c < nCand; c++) order0.push(c);
    order0.sort((a, b) => trialCost[firstCost + a] - trialCost[firstCost + b] || a - b);
    const refined = refineAll ? nCand : Math.min(nCand, REFINED_CANDIDATES);
    for (let r = 0; r < refined; r++) {
      const seg = local[order0[r]].s;
      for (let l = 1; l < lattice.length; l++) addTrial(seg, lattice[l][0], lattice[l][1], tx, ty, tz, q);
    }
    // Try trials by increasing cost.
    const byCost = trialCost.map((_, i) => i).sort((a, b) => trialCost[a] - trialCost[b] || a - b);
    const rRoot = rootRadius();
    for (const trial of byCost) {
      const s = trialSeg[trial];
      const x = trialPoint[3 * trial], y = trialPoint[3 * trial + 1], z = trialPoint[3 * trial + 2];
      const rs = radiusOf(s, rRoot) * Math.pow((t.Q[s] + q) / t.Q[s], 1 / 3);
      const rn = rs * Math.pow(q / (t.Q[s] + q), 1 / 3);
      // New segments: s' (prox → b), d (b → old distal), n (b → terminal).
      segEnds[0] = t.prox[3 * s];
      segEnds[1] = t.prox[3 * s + 1];
      segEnds[2] = t.prox[3 * s + 2];
      segEnds[3] = segEnds[6] = segEnds[12] = x;
      segEnds[4] = segEnds[7] = segEnds[13] = y;
      segEnds[5] = segEnds[8] = segEnds[14] = z;
      segEnds[9] = t.dist[3 * s];
      segEnds[10] = t.dist[3 * s + 1];
      segEnds[11] = t.dist[3 * s + 2];
      segEnds[15] = tx;
      segEnds[16] = ty;
      segEnds[17] = tz;
      radii[0] = rs;
      radii[1] = rs;
      radii[2] = rn;
      // Smallest lumen clearance ratio (centre-line distance / (r_a + r_b)) of the three new segments
      // to every non-adjacent segment; −∞ if a new segment leaves the liver.
      let clearance = Infinity;
      for (let g = 0; g < 3 && clearance >= bestFallbackClearance; g++) {
        const e = segEnds.subarray(6 * g, 6 * g + 6);
        for (let f = 0.25; f < 1; f += 0.25) {
          if (labelAt(domain, e[0] + f * (e[3] - e[0]), e[1] + f * (e[4] - e[1]), e[2] + f * (e[5] - e[2])) === 0) {
            clearance = -Infinity;
            break;
          }
        }
        if (clearance === -Infinity) break;
        shared.index.near(e[0], e[1], e[2], e[3], e[4], e[5], CLEARANCE_MARGIN * (radii[g] + Math.max(rRoot, shared.maxRadiusMm)), near);
        const ends = shared.index.allEnds;
        for (let m = 0; m < near.length && clearance >= bestFallbackClearance; m++) {
          const other = near[m];
          if (other === t.id[s]) continue;
          const o = 6 * other;
          if (sharesEndpoint(e, ends, o)) continue;
          const dmin = segmentSegmentDistance(e[0], e[1], e[2], e[3], e[4], e[5], ends[o], ends[o + 1], ends[o + 2], ends[o + 3], ends[o + 4], ends[o + 5]);
          // Cheap rejection before the O(depth) radius of the other segment.
          if (dmin >= CLEARANCE_MARGIN * (radii[g] + shared.maxRadiusMm + rRoot)) continue;
          const localOther = idToLocal.get(other);
          const ro = localOther !== undefined ? radiusOf(localOther, rRoot) : shared.radiusMm[other];
          clearance = Math.min(clearance, dmin / (radii[g] + ro));
        }
      }
      if (clearance >= CLEARANCE_MARGIN) {
        chosen = trial;
        break;
      }
      if (clearance > bestFallbackClearance) {
        bestFallbackClearance = clearance;
        bestFallback = trial;
      }
    }
    if (chosen < 0 && pass === 3) {
      // No trial met the margin: take the one with the most clearance (inside the liver if any).
      chosen = bestFallback >= 0 ? bestFallback : byCost[0];
      shared.fallbacks++;
    }
    }
    shared.connections++;
    // Commit: s keeps its index as s' (prox → b); d continues to its old children; n is the terminal.
    const s = trialSeg[chosen];
    const x = trialPoint[3 * chosen], y = trialPoint[3 * chosen + 1], z = trialPoint[3 * chosen + 2];
    const d = t.m++;
    const n = t.m++;
    t.prox.set([x, y, z], 3 * d);
    t.dist.set(t.dist.subarray(3 * s, 3 * s + 3), 3 * d);
    t.c0[d] = t.c0[s];
    t.c1[d] = t.c1[s];
    if (t.c0[d] >= 0) {
      t.par[t.c0[d]] = d;
      t.par[t.c1[d]] = d;
    }
    t.term[d] = t.term[s];
    t.par[d] = s;
    t.Q[d] = t.Q[s];
    t.L[d] = Math.max(1e-9, dist3(t.dist, d, x, y, z));
    t.Rs[d] = t.L[d] + (t.Rs[s] - t.L[s]);
    t.W[d] = t.L[d] + (t.W[s] - t.L[s]);
    t.prox.set([x, y, z], 3 * n);
    t.dist.set([tx, ty, tz], 3 * n);
    t.par[n] = s;
    t.term[n] = k;
    t.Q[n] = q;
    t.L[n] = Math.max(1e-9, dist3(t.dist, n, x, y, z));
    t.Rs[n] = t.L[n];
    t.W[n] = t.L[n];
    t.dist.set([x, y, z], 3 * s);
    t.c0[s] = d;
    t.c1[s] = n;
    t.term[s] = -1;
    t.L[s] = Math.max(1e-9, dist3(t.prox, s, x, y, z));
    for (let i = s; i >= 0; i = t.par[i]) {
      const a = t.c0[i], b = t.c1[i];
      combine(tmp, gamma, t.L[i], t.Q[a], t.Rs[a], t.W[a], t.Q[b], t.Rs[b], t.W[b]);
      t.Q[i] = t.Q[a] + t.Q[b];
      t.Rs[i] = tmp[0];
      t.W[i] = tmp[1];
      t.beta[a] = tmp[2];
      t.beta[b] = tmp[3];
    }
    shared.index.set(t.id[s], t.prox[3 * s], t.prox[3 * s + 1], t.prox[3 * s + 2], x, y, z);
    t.id[d] = shared.add(x, y, z, t.dist[3 * d], t.dist[3 * d + 1], t.dist[3 * d + 2], 0);
    t.id[n] = shared.add(x, y, z, tx, ty, tz, 0);
    idToLocal.set(t.id[d], d);
    idToLocal.set(t.id[n], n);
  }
  // Freeze this segment's radii for the groups that come later.
  const rRoot = rootRadius();
  for (let i = 0; i < t.m; i++) {
    shared.radiusMm[t.id[i]] = radiusOf(i, rRoot);
    shared.maxRadiusMm = Math.max(shared.maxRadiusMm, shared.radiusMm[t.id[i]]);
  }

  // Emit in pre-order: internal optimised segments, then each territory's bisection subtree.
  const emit = (i: number, writerParent: number): number => {
    const k = t.term[i];
    let seg: number;
    if (k >= 0) {
      const shape = { branchFraction: options.branchFraction, asymmetry: options.asymmetry, stream: subtreeStream(seed, couinaudSegment, k) };
      seg = emitBisection(w, scratch, sites, perm, starts[k], starts[k + 1], writerParent, shape, t.dist.subarray(3 * i, 3 * i + 3));
    } else {
      seg = w.emit(writerParent, t.dist[3 * i], t.dist[3 * i + 1], t.dist[3 * i + 2]);
    }
    w.optimised[seg] = 1;
    if (k < 0) {
      emit(t.c0[i], seg);
      emit(t.c1[i], seg);
    }
    return seg;
  };
  return emit(0, parent);
}

function sharesEndpoint(a: Float64Array, b: Float64Array, offset: number): boolean {
  // Segments that share an end point are adjacent (parent–child or siblings).
  for (let i = 0; i <= 3; i += 3) {
    for (let j = offset; j <= offset + 3; j += 3) {
      if (a[i] === b[j] && a[i + 1] === b[j + 1] && a[i + 2] === b[j + 2]) return true;
    }
  }
  return false;
}

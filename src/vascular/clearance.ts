/**
 * Lumen clearance of the optimised part with the final radii: pairs of optimised segments that
 * share no end point and whose centre lines come closer than r_a + r_b (their lumens overlap).
 * Uses the grid index, so it costs O(K · local density), not O(K²).
 */
import { SegmentIndex, segmentSegmentDistance } from "./segmentIndex.js";
import type { ArterialTree } from "./tree.js";

export interface ClearanceReport {
  /** Non-adjacent optimised pairs with centre-line distance < r_a + r_b. */
  readonly overlappingPairs: number;
  /** Smallest distance / (r_a + r_b) over non-adjacent optimised pairs within reach (Infinity if none). */
  readonly minClearanceRatio: number;
}

/** A non-adjacent optimised pair with distance / (r_a + r_b) < 1 and the parameters of its closest points. */
export interface OverlapPair {
  readonly a: number;
  readonly b: number;
  /** Closest points: proximal_a + sa·(distal_a − proximal_a), proximal_b + sb·(distal_b − proximal_b). */
  readonly sa: number;
  readonly sb: number;
  readonly distanceMm: number;
}

export function optimisedClearance(tree: ArterialTree): ClearanceReport {
  return scanClearance(tree, null);
}

/** Every overlapping non-adjacent optimised pair (the pairs counted by optimisedClearance), in scan order. */
export function optimisedOverlaps(tree: ArterialTree): OverlapPair[] {
  const pairs: OverlapPair[] = [];
  scanClearance(tree, pairs);
  return pairs;
}

function scanClearance(tree: ArterialTree, pairs: OverlapPair[] | null): ClearanceReport {
  const flags = tree.optimised;
  if (flags === undefined) return { overlappingPairs: 0, minClearanceRatio: Infinity };
  const st = new Float64Array(2);
  const P = tree.proximalMm, D = tree.distalMm, r = tree.radiusMm;
  const ids: number[] = [];
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  let maxRadius = 0, lengthSum = 0;
  for (let i = 0; i < tree.segmentCount; i++) {
    if (!flags[i]) continue;
    ids.push(i);
    maxRadius = Math.max(maxRadius, r[i]);
    lengthSum += tree.lengthMm[i];
    for (let k = 0; k < 3; k++) {
      lo[k] = Math.min(lo[k], P[3 * i + k], D[3 * i + k]);
      hi[k] = Math.max(hi[k], P[3 * i + k], D[3 * i + k]);
    }
  }
  if (ids.length === 0) return { overlappingPairs: 0, minClearanceRatio: Infinity };
  const cell = Math.max(0.5, lengthSum / ids.length);
  const index = new SegmentIndex(lo, hi, cell, ids.length);
  ids.forEach((i, id) => index.set(id, P[3 * i], P[3 * i + 1], P[3 * i + 2], D[3 * i], D[3 * i + 1], D[3 * i + 2]));
  const same = (i: number, j: number) => {
    for (let a = 0; a < 2; a++) {
      const A = a === 0 ? P : D;
      for (let b = 0; b < 2; b++) {
        const B = b === 0 ? P : D;
        if (A[3 * i] === B[3 * j] && A[3 * i + 1] === B[3 * j + 1] && A[3 * i + 2] === B[3 * j + 2]) return true;
      }
    }
    return false;
  };
  const near: number[] = [];
  let overlapping = 0;
  let minRatio = Infinity;
  for (let id = 0; id < ids.length; id++) {
    const i = ids[id];
    index.near(P[3 * i], P[3 * i + 1], P[3 * i + 2], D[3 * i], D[3 * i + 1], D[3 * i + 2], r[i] + maxRadius, near);
    for (const other of near) {
      if (other <= id) continue;
      const j = ids[other];
      if (same(i, j)) continue;
      const d = segmentSegmentDistance(P[3 * i], P[3 * i + 1], P[3 * i + 2], D[3 * i], D[3 * i + 1], D[3 * i + 2], P[3 * j], P[3 * j + 1], P[3 * j + 2], D[3 * j], D[3 * j + 1], D[3 * j + 2], st);
      const ratio = d / (r[i] + r[j]);
      if (ratio < minRatio) minRatio = ratio;
      if (ratio < 1) {
        overlapping++;
        pairs?.push({ a: i, b: j, sa: st[0], sb: st[1], distanceMm: d });
      }
    }
  }
  return { overlappingPairs: overlapping, minClearanceRatio: minRatio };
}

/** Clearance ratio the repair aims at for a pair it moves (above 1: the re-sizing shifts radii a little). */
export const REPAIR_TARGET_RATIO = 1.15;

/**
 * Post-growth repair of lumen overlaps with the final radii: for every overlapping pair, move one
 * bifurcation point (the distal end of an optimised segment, shared with its daughters' proximal
 * ends) away from the other segment along the line joining the closest points, far enough that
 * the closest points would be REPAIR_TARGET_RATIO·(r_a + r_b) apart. The point moved is the end
 * of the narrower segment that carries most of the closest point (then the other segment's ends);
 * the root inlet never moves, nor does a point that would leave the liver. Moves at most one
 * point per segment pair and one move per point per call. Edits tree.proximalMm / distalMm in
 * place (lengths, radii and flows must be recomputed by the caller). Returns the points moved.
 */
export function moveOverlappingPoints(tree: ArterialTree, pairs: readonly OverlapPair[], inside: (x: number, y: number, z: number) => boolean): number {
  const P = tree.proximalMm, D = tree.distalMm, r = tree.radiusMm;
  const moved = new Set<number>();
  const ends = new Float64Array(3);
  for (const pair of pairs) {
    const { a, b, sa, sb } = pair;
    const ca = [0, 1, 2].map((k) => P[3 * a + k] + sa * (D[3 * a + k] - P[3 * a + k]));
    const cb = [0, 1, 2].map((k) => P[3 * b + k] + sb * (D[3 * b + k] - P[3 * b + k]));
    let u = [ca[0] - cb[0], ca[1] - cb[1], ca[2] - cb[2]];
    let d = Math.hypot(u[0], u[1], u[2]);
    if (d < 1e-12) {
      // Crossing centre lines: move along the common normal.
      const da = [0, 1, 2].map((k) => D[3 * a + k] - P[3 * a + k]);
      const db = [0, 1, 2].map((k) => D[3 * b + k] - P[3 * b + k]);
      u = [da[1] * db[2] - da[2] * db[1], da[2] * db[0] - da[0] * db[2], da[0] * db[1] - da[1] * db[0]];
      const n = Math.hypot(u[0], u[1], u[2]);
      if (!(n > 0)) continue;
      d = 0;
      u = u.map((v) => v / n);
    } else u = u.map((v) => v / d);
    const need = REPAIR_TARGET_RATIO * (r[a] + r[b]) - d;
    if (!(need > 0)) continue;
    // Candidates: (node = segment whose distal point moves, weight of that point at the closest point, direction sign).
    const cands: [number, number, number][] = [];
    const addSegment = (seg: number, s: number, sign: number) => {
      // The end with more weight at the closest point first; terminals (sites) never move.
      const own: [number, number, number] = [seg, s, sign];
      const up: [number, number, number] | null = tree.parent[seg] >= 0 ? [tree.parent[seg], 1 - s, sign] : null;
      const list = up === null ? [own] : s >= 1 - s ? [own, up] : [up, own];
      for (const e of list) if (tree.child0[e[0]] >= 0) cands.push(e);
    };
    if (r[a] <= r[b]) {
      addSegment(a, sa, 1);
      addSegment(b, sb, -1);
    } else {
      addSegment(b, sb, -1);
      addSegment(a, sa, 1);
    }
    for (const [node, weight, sign] of cands) {
      if (weight < 0.2 || moved.has(node)) continue;
      const shift = need / weight;
      for (let k = 0; k < 3; k++) ends[k] = D[3 * node + k] + sign * shift * u[k];
      if (!inside(ends[0], ends[1], ends[2])) continue;
      D.set(ends, 3 * node);
      const c0 = tree.child0[node], c1 = tree.child1[node];
      if (c0 >= 0) P.set(ends, 3 * c0);
      if (c1 >= 0) P.set(ends, 3 * c1);
      moved.add(node);
      break;
    }
  }
  return moved.size;
}

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

export function optimisedClearance(tree: ArterialTree): ClearanceReport {
  const flags = tree.optimised;
  if (flags === undefined) return { overlappingPairs: 0, minClearanceRatio: Infinity };
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
      const d = segmentSegmentDistance(P[3 * i], P[3 * i + 1], P[3 * i + 2], D[3 * i], D[3 * i + 1], D[3 * i + 2], P[3 * j], P[3 * j + 1], P[3 * j + 2], D[3 * j], D[3 * j + 1], D[3 * j + 2]);
      const ratio = d / (r[i] + r[j]);
      if (ratio < minRatio) minRatio = ratio;
      if (ratio < 1) overlapping++;
    }
  }
  return { overlappingPairs: overlapping, minClearanceRatio: minRatio };
}

/**
 * Cluster statistics of lodged spheres. A cluster is the spheres lodged in one vessel, merged with
 * those of its parent vessel and its sibling when both hold spheres and their lodging points lie
 * within `distanceMm` (connected vessels). The lodging point of a terminal is its distal end (the
 * sphere went all the way down); of a non-terminal, its proximal end (the sphere was too wide to
 * enter it and wedged at its inlet) — so spheres wedged at the two inlets of one bifurcation always
 * form one cluster. Histological counterpart: Högberg et al. EJNMMI Phys 2015 (clusters of 1–453).
 */
import type { ArterialTree } from "../vascular/tree.js";

/** [cluster size in spheres, number of clusters], sorted by size. */
export type ClusterHistogram = Array<[number, number]>;

function lodgingPoint(tree: ArterialTree, j: number): Float64Array {
  const points = tree.child0[j] < 0 ? tree.distalMm : tree.proximalMm;
  return points.subarray(3 * j, 3 * j + 3);
}

function within(tree: ArterialTree, a: number, b: number, distanceMm: number): boolean {
  const pa = lodgingPoint(tree, a);
  const pb = lodgingPoint(tree, b);
  const dx = pa[0] - pb[0];
  const dy = pa[1] - pb[1];
  const dz = pa[2] - pb[2];
  return dx * dx + dy * dy + dz * dz <= distanceMm * distanceMm;
}

/** Histogram of cluster sizes from per-segment lodged counts, over segments [first, end). */
export function clusterHistogram(
  tree: ArterialTree,
  lodged: ArrayLike<number>,
  distanceMm: number,
  first = 0,
  end = tree.segmentCount,
): ClusterHistogram {
  // Union-find over segments with spheres; roots keep the cluster's sphere count.
  const parentOf = new Int32Array(end - first).fill(-1);
  const size = new Float64Array(end - first);
  const find = (x: number): number => {
    let r = x;
    while (parentOf[r] >= 0) r = parentOf[r];
    while (parentOf[x] >= 0) {
      const next = parentOf[x];
      parentOf[x] = r;
      x = next;
    }
    return r;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a - first);
    const rb = find(b - first);
    if (ra === rb) return;
    parentOf[rb] = ra;
    size[ra] += size[rb];
  };
  for (let j = first; j < end; j++) size[j - first] = lodged[j];
  for (let j = first; j < end; j++) {
    if (lodged[j] === 0) continue;
    const p = tree.parent[j];
    if (p >= first && lodged[p] > 0 && within(tree, j, p, distanceMm)) union(p, j);
    // Siblings: handle the pair once, from child0.
    if (p >= first && tree.child0[p] === j) {
      const sibling = tree.child1[p];
      if (lodged[sibling] > 0 && within(tree, j, sibling, distanceMm)) union(j, sibling);
    }
  }
  const counts = new Map<number, number>();
  for (let j = first; j < end; j++) {
    const k = j - first;
    if (lodged[j] > 0 && parentOf[k] < 0) counts.set(size[k], (counts.get(size[k]) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => a[0] - b[0]);
}

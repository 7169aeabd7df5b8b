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

/** Squared distance between the lodging points of segments a and b, mm². */
function lodgingDistanceSq(tree: ArterialTree, a: number, b: number): number {
  const pa = tree.child0[a] < 0 ? tree.distalMm : tree.proximalMm;
  const pb = tree.child0[b] < 0 ? tree.distalMm : tree.proximalMm;
  const dx = pa[3 * a] - pb[3 * b];
  const dy = pa[3 * a + 1] - pb[3 * b + 1];
  const dz = pa[3 * a + 2] - pb[3 * b + 2];
  return dx * dx + dy * dy + dz * dz;
}

/** Root of x in the union-find forest `up` (−1 = root), with path halving. */
function find(up: Int32Array, x: number): number {
  while (up[x] >= 0) {
    const next = up[x];
    if (up[next] >= 0) up[x] = up[next];
    x = next;
  }
  return x;
}

/** Histogram of cluster sizes from per-segment lodged counts, over segments [first, end). */
export function clusterHistogram(
  tree: ArterialTree,
  lodged: ArrayLike<number>,
  distanceMm: number,
  first = 0,
  end = tree.segmentCount,
): ClusterHistogram {
  // Union-find over segments with spheres (local index j − first); roots hold the cluster size.
  const up = new Int32Array(end - first).fill(-1);
  const size = new Float64Array(end - first);
  const maxSq = distanceMm * distanceMm;
  const union = (a: number, b: number): void => {
    const ra = find(up, a - first);
    const rb = find(up, b - first);
    if (ra === rb) return;
    up[rb] = ra;
    size[ra] += size[rb];
  };
  for (let j = first; j < end; j++) size[j - first] = lodged[j];
  const parent = tree.parent;
  const child0 = tree.child0;
  const child1 = tree.child1;
  for (let j = first; j < end; j++) {
    if (lodged[j] === 0) continue;
    const p = parent[j];
    if (p < first) continue;
    if (lodged[p] > 0 && lodgingDistanceSq(tree, j, p) <= maxSq) union(p, j);
    // Siblings: handle the pair once, from child0.
    if (child0[p] === j) {
      const sibling = child1[p];
      if (lodged[sibling] > 0 && lodgingDistanceSq(tree, j, sibling) <= maxSq) union(j, sibling);
    }
  }
  const counts = new Map<number, number>();
  for (let j = first; j < end; j++) {
    const k = j - first;
    if (lodged[j] > 0 && up[k] < 0) counts.set(size[k], (counts.get(size[k]) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => a[0] - b[0]);
}

/**
 * Cluster statistics of lodged spheres. A cluster is the spheres lodged in one vessel, merged with
 * those of its parent vessel and its sibling when both hold spheres and their lodging points lie
 * within `distanceMm` (connected vessels). The lodging point of a terminal is its distal end (the
 * sphere went all the way down); of a non-terminal, its proximal end (the sphere was too wide to
 * enter it and wedged at its inlet) — so spheres wedged at the two inlets of one bifurcation always
 * form one cluster. Histological counterpart: Högberg et al. EJNMMI Phys 2015 (clusters of 1–453).
 */
import type { ArterialTree } from "../vascular/tree.js";
import { SubTerminalCascade, type SubTerminalModel, type SubTerminalTree } from "./models/subTerminal.js";
import type { TerritoryCells } from "./models/territoryCells.js";

/** [cluster size in spheres, number of clusters], sorted by size. */
export type ClusterHistogram = Array<[number, number]>;

/** The tree arrays cluster statistics read (an ArterialTree, or views on its arrays). */
export type ClusterTree = Pick<ArterialTree, "parent" | "child0" | "child1" | "proximalMm" | "distalMm">;

/**
 * Union-find forest over segments: up[j − offset] is j's parent in the forest (−1 = root, index
 * relative to `offset`), size[j − offset] the spheres of j's cluster when j is a root.
 */
export interface ClusterForest {
  readonly up: Int32Array;
  readonly size: Float64Array;
  readonly offset: number;
}


/** Root of segment x's cluster (absolute index), with path halving. */
export function clusterRoot(forest: ClusterForest, x: number): number {
  const up = forest.up;
  let k = x - forest.offset;
  while (up[k] >= 0) {
    const next = up[k];
    if (up[next] >= 0) up[k] = up[next];
    k = next;
  }
  return k + forest.offset;
}

/** Start segments [first, end) as clusters of their own lodged spheres. */
export function initClusters(forest: ClusterForest, lodged: ArrayLike<number>, first: number, end: number): void {
  const o = forest.offset;
  forest.up.fill(-1, first - o, end - o);
  for (let j = first; j < end; j++) forest.size[j - o] = lodged[j];
}

function unite(forest: ClusterForest, a: number, b: number): void {
  const ra = clusterRoot(forest, a) - forest.offset;
  const rb = clusterRoot(forest, b) - forest.offset;
  if (ra === rb) return;
  forest.up[rb] = ra;
  forest.size[ra] += forest.size[rb];
}

/**
 * Join the cluster of each segment j in [first, end) with its parent's and its sibling's (the pair
 * handled once, from child0) when both hold spheres and their lodging points lie within `maxSq`
 * (mm²); parents before `parentFirst` are not joined. Any order of segments gives the same
 * partition. The lodging point of a terminal is its distal end, of a non-terminal its proximal end.
 */
export function joinClusters(forest: ClusterForest, tree: ClusterTree, lodged: ArrayLike<number>, maxSq: number, parentFirst: number, first: number, end: number): void {
  const { parent, child0, child1, proximalMm, distalMm } = tree;
  const near = (a: number, b: number): boolean => {
    const pa = child0[a] < 0 ? distalMm : proximalMm;
    const pb = child0[b] < 0 ? distalMm : proximalMm;
    const dx = pa[3 * a] - pb[3 * b];
    const dy = pa[3 * a + 1] - pb[3 * b + 1];
    const dz = pa[3 * a + 2] - pb[3 * b + 2];
    return dx * dx + dy * dy + dz * dz <= maxSq;
  };
  for (let j = first; j < end; j++) {
    if (lodged[j] === 0) continue;
    const p = parent[j];
    if (p < parentFirst) continue;
    if (lodged[p] > 0 && near(j, p)) unite(forest, p, j);
    if (child0[p] === j) {
      const sibling = child1[p];
      if (lodged[sibling] > 0 && near(j, sibling)) unite(forest, j, sibling);
    }
  }
}

/** Cluster sizes below this are tallied in a typed array first (a Map update per cluster is slow). */
const SMALL_SIZES = 256;

/** Add to `out` (size → clusters) the clusters rooted in [first, end), except the one rooted at `skipRoot`. */
export function countClusters(out: Map<number, number>, forest: ClusterForest, lodged: ArrayLike<number>, first: number, end: number, skipRoot = -1): void {
  const o = forest.offset;
  const small = new Float64Array(SMALL_SIZES);
  for (let j = first; j < end; j++) {
    if (lodged[j] > 0 && forest.up[j - o] < 0 && j !== skipRoot) {
      const s = forest.size[j - o];
      if (s < SMALL_SIZES && Number.isInteger(s)) small[s]++;
      else out.set(s, (out.get(s) ?? 0) + 1);
    }
  }
  for (let s = 1; s < SMALL_SIZES; s++) if (small[s] > 0) out.set(s, (out.get(s) ?? 0) + small[s]);
}

/** Histogram of cluster sizes from per-segment lodged counts, over segments [first, end). */
export function clusterHistogram(
  tree: ClusterTree & Pick<ArterialTree, "segmentCount">,
  lodged: ArrayLike<number>,
  distanceMm: number,
  first = 0,
  end = tree.segmentCount,
): ClusterHistogram {
  const forest: ClusterForest = { up: new Int32Array(end - first), size: new Float64Array(end - first), offset: first };
  initClusters(forest, lodged, first, end);
  const maxSq = distanceMm * distanceMm;
  joinClusters(forest, tree, lodged, maxSq, first, first, end);
  const counts = new Map<number, number>();
  countClusters(counts, forest, lodged, first, end);
  return sortedHistogram(counts);
}

/** The histogram of a size → clusters map, sorted by size. */
export function sortedHistogram(counts: Map<number, number>): ClusterHistogram {
  return [...counts.entries()].sort((a, b) => a[0] - b[0]);
}

/**
 * Cluster sizes at a fixed physical scale: the spheres lodged in one unit-mass piece of tissue (the
 * sub-terminal cascade's leaves: cells of transport.heterogeneity.unitMassMg, default 1 mg ≈ one
 * portal tract with its terminal arterioles), plus the spheres wedged at the inlet of one vessel
 * or, by the cascade's unresolved size exclusion, at one of its branch points.
 * Kennedy et al. (Int J Radiat Oncol Biol Phys 2004;60:1552) counted spheres in clusters within
 * terminal arterioles and Högberg et al. (EJNMMI Phys 2015) clusters of 1–453 spheres in tissue
 * sections: both a tissue scale below the portal tract, not a vessel of the model's tree. The
 * per-vessel clusters (clusterHistogram) change with the terminal count (a 4k-terminal tree puts
 * ten times more spheres in a terminal than a 40k one); these change less, but they are the
 * cascade's leaves, which are the terminals themselves once those weigh less than the unit mass:
 * at the portal-tract resolution they are not a fixed scale (docs/transport.md "Resolution
 * study"; bench/transport-resolution.ts bins positions into 1 mm cubes for that). The leaf counts
 * are exactly the deposit's (the same split-fraction and counts streams; positions are not needed).
 */
export function unitClusterHistogram(
  tree: ClusterTree & SubTerminalTree,
  lodged: ArrayLike<number>,
  seed: number,
  subTerminal: SubTerminalModel,
  cells: TerritoryCells | null,
  first = 0,
  end = tree.segmentCount,
): ClusterHistogram {
  const cascade = new SubTerminalCascade(subTerminal);
  const tally = new ClusterTally();
  const add = tally.add;
  for (let j = first; j < end; j++) {
    const n = lodged[j];
    if (n === 0) continue;
    if (tree.child0[j] < 0) cascade.spreadTerminal(tree, cells, j, n, seed, add);
    else add(n);
  }
  return tally.histogram();
}

/**
 * Counts of clusters by size (spheres), without allocation per cluster below SMALL_SIZES. The
 * deposit tallies its leaves into one (positions.ts `onCluster`), so a run gets its unit clusters
 * without replaying the cascade (unitClusterHistogram); tallies of disjoint work units add up.
 */
export class ClusterTally {
  private readonly small = new Float64Array(SMALL_SIZES);
  private readonly large = new Map<number, number>();
  /** Count one cluster of `spheres` (a bound function: pass it as a callback). */
  readonly add = (spheres: number): void => {
    if (spheres < SMALL_SIZES) this.small[spheres]++;
    else this.large.set(spheres, (this.large.get(spheres) ?? 0) + 1);
  };
  /** The histogram, sizes ascending (clusters of 0 spheres are never counted). */
  histogram(): ClusterHistogram {
    const all = new Map(this.large);
    for (let s = 1; s < SMALL_SIZES; s++) if (this.small[s] > 0) all.set(s, (all.get(s) ?? 0) + this.small[s]);
    return sortedHistogram(all);
  }
}

/** The sum of histograms (of disjoint work units), sizes ascending. */
export function addHistograms(parts: readonly ClusterHistogram[]): ClusterHistogram {
  const all = new Map<number, number>();
  for (const part of parts) for (const [size, count] of part) all.set(size, (all.get(size) ?? 0) + count);
  return sortedHistogram(all);
}

/**
 * Lodging positions → sphere-count grid on the worker pool. The work units are the blocks of
 * 4096 tree segments whose positions come from their own random stream (src/transport/positions.ts;
 * the units `--shard` splits, src/pipeline/simulate.ts). A task runs a contiguous range of blocks
 * and returns its own count grid; counts are integers, so adding the grids in task order gives the
 * inline grid exactly, for any number of workers.
 *
 * The tree arrays the positions read (child0, proximal/distal points, radii, territories) and the
 * lodged counts live in SharedArrayBuffers (the tree's copied once per tree, see sharedMemory.ts);
 * a task carries views on them.
 */
import type { ArterialTree } from "../vascular/tree.js";
import type { Grid, GridGeometry } from "../geometry/index.js";
import { compartmentAcceptance, forEachLodgedSphereChunk, POSITION_CHUNK_SPHERES, SEGMENTS_PER_STREAM, type LodgingAcceptance } from "../transport/positions.js";
import type { Domain } from "../geometry/domain.js";
import { boxVoxelOf, countSpheresInGrid } from "../dose/activity.js";
import type { NuclideId } from "../physics/index.js";
import { WorkUnitError } from "../errors.js";
import type { WorkerPool } from "./pool.js";
import { plantedFailure, type Task } from "./tasks.js";
import { sharedCopyOf, toShared } from "./sharedMemory.js";
import type { SubTerminalModel } from "../transport/models/subTerminal.js";
import type { TerritoryCells } from "../transport/models/territoryCells.js";
import { addHistograms, ClusterTally, type ClusterHistogram } from "../transport/clusters.js";

/** Segments per position block: a block of the positions' random streams, and the work unit of the pool and of `--shard`. */
export const SEGMENTS_PER_BLOCK = SEGMENTS_PER_STREAM;
/** Smallest task, in spheres (≈ 10 ms of work against ≈ 0.1 ms per task round trip). */
const MIN_SPHERES_PER_TASK = 200_000;
const TASKS_PER_WORKER = 4;

/** Views on the tree arrays forEachLodgedSphereChunk reads, and the lodged counts. */
export interface SharedPositionsTree {
  readonly segmentCount: number;
  readonly child0: Int32Array;
  readonly proximalMm: Float64Array;
  readonly distalMm: Float64Array;
  readonly radiusMm: Float64Array;
  /** The sub-terminal cascade's unresolved exclusion reads a terminal's parent's lumen. */
  readonly parent: Int32Array;
  readonly territoryMl: Float64Array;
  readonly compartment: Int32Array;
  readonly segmentLodged: Uint32Array;
}

export interface DepositBlocksInput {
  readonly tree: SharedPositionsTree;
  readonly seed: number;
  readonly nuclide: NuclideId;
  readonly geometry: GridGeometry;
  /** The liver and tumours, for clipping lodging positions to each terminal's tissue (mask data shared). */
  readonly domain: Domain;
  /** Blocks to run, ascending. */
  readonly blocks: Int32Array;
  /** The "fractal" model's sub-terminal cascade (plain numbers), or null for uniform territories. */
  readonly subTerminal?: SubTerminalModel | null;
  /** The terminals' unit-mass cells for the cascade (views on shared memory), or null for territory cubes. */
  readonly territoryCells?: TerritoryCells | null;
}

export interface DepositBlocksOutput {
  /** Spheres per voxel from these blocks (integers). */
  readonly counts: Float64Array;
  readonly outsideGrid: number;
  /** Spheres per unit-mass piece of these blocks (with a sub-terminal cascade; else null). */
  readonly unitClusters: ClusterHistogram | null;
}

export function positionBlockId(block: number): string {
  return `positions/block-${block}`;
}

/**
 * Add the lodged spheres of `blocks` (ascending block numbers) to the count grid `counts`, one
 * position scan per run of consecutive blocks; `beforeBlock` is called with each block before its
 * run is scanned. Returns the number of spheres outside the grid. The inline deposit and each pool
 * task run this: counts are integers, so any split of the blocks adds up to the same grid.
 */
export function depositBlocks(
  counts: Grid<Float64Array>,
  tree: ArterialTree,
  segmentLodged: ArrayLike<number>,
  blocks: ArrayLike<number>,
  seed: number,
  accept: LodgingAcceptance,
  beforeBlock?: (block: number) => void,
  subTerminal: SubTerminalModel | null = null,
  cells: TerritoryCells | null = null,
  onCluster: ((spheres: number) => void) | null = null,
): number {
  let outsideGrid = 0;
  // A leaf inside one voxel adds its spheres there without placing them (positions.ts wholeLeaf):
  // the same counts, the same positions for every other sphere.
  const voxelOfBox = boxVoxelOf(counts);
  const data = counts.data;
  const wholeLeaf = (box: Float64Array, spheres: number): boolean => {
    const v = voxelOfBox(box);
    if (v < 0) return false;
    data[v] += spheres;
    return true;
  };
  for (let k = 0; k < blocks.length; ) {
    let last = k;
    while (last + 1 < blocks.length && blocks[last + 1] === blocks[last] + 1) last++;
    if (beforeBlock) for (let i = k; i <= last; i++) beforeBlock(blocks[i]);
    const first = blocks[k] * SEGMENTS_PER_BLOCK;
    const end = Math.min(tree.segmentCount, (blocks[last] + 1) * SEGMENTS_PER_BLOCK);
    forEachLodgedSphereChunk(tree, segmentLodged, seed, (chunk) => {
      outsideGrid += countSpheresInGrid(counts, chunk.positionsMm);
    }, POSITION_CHUNK_SPHERES, accept, first, end, subTerminal, cells, onCluster, wholeLeaf);
    k = last + 1;
  }
  return outsideGrid;
}

/** Handler of "positions.depositBlocks". */
export function runDepositBlocksTask(input: DepositBlocksInput): DepositBlocksOutput {
  const t = input.tree;
  const counts: Grid<Float64Array> = { ...input.geometry, data: new Float64Array(input.geometry.dims[0] * input.geometry.dims[1] * input.geometry.dims[2]) };
  // The fields positions.ts reads of an ArterialTree (segmentCount, child0, proximalMm, distalMm,
  // radiusMm, parent, territoryMl); a missing one would throw, not silently differ (test/parallel/cli.test.ts).
  const view = t as unknown as ArterialTree;
  const tally = input.subTerminal ? new ClusterTally() : null;
  const outsideGrid = depositBlocks(counts, view, t.segmentLodged, input.blocks, input.seed, compartmentAcceptance(input.domain, t.compartment), (block) => {
    try {
      plantedFailure(positionBlockId(block));
    } catch (err) {
      throw new WorkUnitError(positionBlockId(block), err);
    }
  }, input.subTerminal ?? null, input.territoryCells ?? null, tally?.add ?? null);
  return { counts: counts.data, outsideGrid, unitClusters: tally?.histogram() ?? null };
}

export interface ParallelDepositOptions {
  readonly signal?: AbortSignal;
  /** Called after each task: spheres placed so far, total. */
  readonly onProgress?: (spheresDone: number, spheresTotal: number) => void;
  /** The "fractal" model's sub-terminal cascade (models/subTerminal.ts); null/absent: uniform territories. */
  readonly subTerminal?: SubTerminalModel | null;
  /** Its terminals' unit-mass cells (models/territoryCells.ts), copied to shared memory once per call. */
  readonly territoryCells?: TerritoryCells | null;
}

/**
 * Deposit the lodged spheres of the given blocks (`inShard` filter applied by the caller) on a
 * count grid with `geometry`, on `pool`. Returns the counts (integers) and the spheres outside.
 */
export async function depositBlocksOnPool(
  tree: ArterialTree,
  segmentLodged: Uint32Array,
  blocks: readonly number[],
  seed: number,
  nuclide: NuclideId,
  geometry: GridGeometry,
  pool: WorkerPool,
  domain: Domain,
  options: ParallelDepositOptions = {},
): Promise<{ counts: Grid<Float64Array>; outsideGrid: number; unitClusters: ClusterHistogram | null }> {
  // The tree's arrays: the copies the transport already made for this tree, if it ran on threads.
  const shared: SharedPositionsTree = {
    segmentCount: tree.segmentCount,
    child0: sharedCopyOf(tree.child0),
    proximalMm: sharedCopyOf(tree.proximalMm),
    distalMm: sharedCopyOf(tree.distalMm),
    radiusMm: sharedCopyOf(tree.radiusMm),
    parent: sharedCopyOf(tree.parent),
    territoryMl: sharedCopyOf(tree.territoryMl),
    compartment: sharedCopyOf(tree.compartment),
    segmentLodged: toShared(segmentLodged),
  };
  // A mask liver's voxels go into shared memory once instead of a structured clone per task.
  const sharedDomain: Domain =
    domain.liver.kind === "mask"
      ? { ...domain, liver: { kind: "mask", grid: { ...domain.liver.grid, data: toShared(domain.liver.grid.data) } } }
      : domain;
  const cells = options.territoryCells ?? null;
  const sharedCells: TerritoryCells | null = cells === null ? null : { ...cells, offsets: toShared(cells.offsets), cells: toShared(cells.cells), perfusion: toShared(cells.perfusion) };
  // Spheres per block, then contiguous groups of blocks of similar sphere counts.
  const spheresOf = (b: number) => {
    let s = 0;
    const end = Math.min(tree.segmentCount, (b + 1) * SEGMENTS_PER_BLOCK);
    for (let j = b * SEGMENTS_PER_BLOCK; j < end; j++) s += segmentLodged[j];
    return s;
  };
  const weights = blocks.map(spheresOf);
  const total = weights.reduce((a, b) => a + b, 0);
  const target = Math.max(MIN_SPHERES_PER_TASK, total / (pool.workers * TASKS_PER_WORKER));
  const tasks: Task<DepositBlocksInput>[] = [];
  const taskSpheres: number[] = [];
  for (let first = 0; first < blocks.length; ) {
    let last = first;
    let s = weights[first];
    while (last + 1 < blocks.length && s + weights[last + 1] <= target) s += weights[++last];
    const group = blocks.slice(first, last + 1);
    tasks.push({
      kind: "positions.depositBlocks",
      unitId: group.length === 1 ? positionBlockId(group[0]) : `positions/blocks-${group[0]}..${group[group.length - 1]}`,
      input: { tree: shared, seed, nuclide, geometry: plainGeometry(geometry), domain: sharedDomain, blocks: Int32Array.from(group), subTerminal: options.subTerminal ?? null, territoryCells: sharedCells },
    });
    taskSpheres.push(s);
    first = last + 1;
  }
  let placed = 0;
  const outputs = await pool.runAll<DepositBlocksOutput>(tasks, {
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (_done, _tasks, finished) => {
      placed += taskSpheres[finished];
      options.onProgress?.(placed, total);
    },
  });
  const counts: Grid<Float64Array> = { ...geometry, data: new Float64Array(geometry.dims[0] * geometry.dims[1] * geometry.dims[2]) };
  let outsideGrid = 0;
  for (const out of outputs) {
    const c = out.counts;
    const data = counts.data;
    for (let v = 0; v < data.length; v++) data[v] += c[v];
    outsideGrid += out.outsideGrid;
  }
  const parts = outputs.map((o) => o.unitClusters).filter((h): h is ClusterHistogram => h !== null);
  return { counts, outsideGrid, unitClusters: parts.length === outputs.length && parts.length > 0 ? addHistograms(parts) : null };
}

/** The geometry fields only (a Grid may carry its data; tasks must not clone it). */
function plainGeometry(g: GridGeometry): GridGeometry {
  return { dims: g.dims, spacingMm: g.spacingMm, originMm: g.originMm, direction: g.direction, frame: g.frame } as GridGeometry;
}

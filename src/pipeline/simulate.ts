/**
 * The whole treatment from a case, on Node: the pure core (src/pipeline/core.ts: planning → tree
 * → transport → lodging positions) with sirtsim's version and the Node.js version for provenance,
 * and the same stages with their work units on a worker pool. Every stage is a pure function of
 * its inputs and a seed; this module only wires them.
 */
import type { WorkerPool } from "../parallel/pool.js";
import type { Shard } from "../parallel/shard.js";
import { WHOLE_RUN } from "../parallel/shard.js";
import { simulateTransportParallel } from "../parallel/transport.js";
import { depositBlocksOnPool, type ParallelDepositOptions } from "../parallel/deposit.js";
import { growTreeOnPool } from "../parallel/tree.js";
import { sirtsimVersion } from "../io/results.js";
import type { SimulationCase } from "./caseInput.js";
import { doseGridGeometry } from "./doseStage.js";
import { coreSteps, depositLodgedSpheres, shardBlocks, simulateCore as simulateCorePure, subTerminalOf } from "./core.js";
import type { ShardCounts, SimulateOptions, SimulationCore } from "./core.js";

export { depositLodgedSpheres, resolveTransportSections, simulatedLungDoseGy, simulationConstants } from "./core.js";
export type { ResolvedTransport, ShardCounts, SimulateOptions, SimulationCore, StageInputs } from "./core.js";

/** Version and runtime of this process, for provenance. */
function nodeRuntime<T extends SimulateOptions>(options: T): T {
  return { version: sirtsimVersion(), runtime: process.version, ...options };
}

/** Planning, tree and transport: deterministic given the case and its seeds. */
export function simulateCore(simCase: SimulationCase, options: SimulateOptions = {}): SimulationCore {
  return simulateCorePure(simCase, nodeRuntime(options));
}

export interface ParallelSimulateOptions extends SimulateOptions {
  /** Worker pool for the transport's work units (`createPool({ workers: 1 })` runs them inline). */
  readonly pool: WorkerPool;
  /** Stops between transport batches and units (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Called after each transport batch: spheres injected so far, total, batches. */
  readonly onTransportProgress?: (spheresInjected: number, spheresTotal: number, batches: number) => void;
}

/**
 * simulateCore with the transport's work units on a worker pool: the same SimulationCore, bit for
 * bit, for any pool size (docs/parallel.md).
 */
export async function simulateCoreParallel(simCase: SimulationCase, options: ParallelSimulateOptions): Promise<SimulationCore> {
  // The tree is grown on a worker (src/parallel/tree.ts): the same tree, and Ctrl-C / SIGTERM are
  // handled during a growth of minutes instead of after it.
  if (options.stages?.tree === undefined) {
    const t0 = Date.now();
    const tree = await growTreeOnPool(options.pool, simCase.domain, simCase.tree, simCase.tree.seed, simCase.integral);
    options = { ...options, stages: { ...options.stages, tree, treeGrownMs: Date.now() - t0 } };
  }
  const steps = coreSteps(simCase, nodeRuntime(options));
  let step = steps.next();
  while (!step.done) {
    const { tree, options: transportOptions, seed } = step.value;
    const transport = await simulateTransportParallel(tree, transportOptions, seed, options.pool, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onTransportProgress ? { onProgress: options.onTransportProgress } : {}),
    });
    step = steps.next(transport);
  }
  return step.value;
}

/**
 * depositLodgedSpheres with the shard's blocks on a worker pool: the same count grid, exactly
 * (integer counts), for any pool size. A 1-worker pool runs the inline depositLodgedSpheres.
 */
export async function depositLodgedSpheresParallel(
  simCase: SimulationCase,
  core: SimulationCore,
  pool: WorkerPool,
  shard: Shard = WHOLE_RUN,
  options: ParallelDepositOptions = {},
): Promise<ShardCounts> {
  if (pool.workers === 1) return depositLodgedSpheres(simCase, core, shard);
  const geometry = doseGridGeometry(simCase.domain, simCase.dose.voxelMm, simCase.dose.marginMm);
  const blocks = shardBlocks(core.tree, shard);
  const { counts, outsideGrid, unitClusters } = await depositBlocksOnPool(core.tree, core.transport.segmentLodged, blocks, simCase.seed, core.nuclide, geometry, pool, simCase.domain, { ...options, ...subTerminalOf(core, simCase.domain) });
  return { counts, outsideGrid, units: blocks.length, unitClusters: shard.count === 1 ? unitClusters : null };
}

/**
 * The transport Monte Carlo on the worker pool (issue 6). The driver is the same generator as the
 * inline simulateTransport (src/transport/simulate.ts `transportSteps`); only the running of the
 * passes it yields over the cut subtrees (src/transport/subtrees.ts) differs:
 *
 *  - the driver keeps the part of the tree outside the cut subtrees (the top unit of each batch,
 *    the top of each flow solve, the joins of clusters across the cut) on the main thread: at the
 *    default cut depth that is a few hundred segments;
 *  - every pass over the cut subtrees — the baseline, each flow solve, each batch's cascade with
 *    its bookkeeping and embolic re-solve, the cluster statistics — is split into tasks of
 *    consecutive subtrees of similar cost. A subtree's cascade unit has its own random stream keyed
 *    by (seed, batch, subtree root), fixed by the tree whatever the number of threads; packing
 *    changes who runs a subtree, never its numbers.
 *
 * Memory: every per-segment array of the run lives in a SharedArrayBuffer (the tree's arrays are
 * copied there once per tree and kept while the tree lives); a task carries views on them
 * (sharing, not copying) plus a few numbers. Subtrees write disjoint segment ranges and return
 * integer sums and a maximum, added in task order: the result is bit-identical to the inline run
 * for any number of workers.
 */
import type { ArterialTree } from "../vascular/tree.js";
import { transportSteps, type TransportOptions, type TransportStep } from "../transport/simulate.js";
import { LOCAL_MEMORY, type TransportMemory } from "../transport/context.js";
import {
  addSubtreeResult,
  emptySubtreeResult,
  runSubtreeWork,
  subtreeUnitId,
  type SubtreeResult,
  type SubtreeWork,
} from "../transport/subtrees.js";
import type { TransportResult } from "../transport/result.js";
import type { WorkerPool } from "./pool.js";
import { plantedFailure, type Task } from "./tasks.js";
import { WorkUnitError } from "../errors.js";
import { sharedCopyOf } from "./sharedMemory.js";

/** A task: consecutive subtrees of one pass (the work's roots and spheres sliced to them). */
export interface SubtreeTaskInput {
  readonly work: SubtreeWork;
}

/** Handler of "transport.subtrees": run the subtrees, naming the one that fails. */
export function runSubtreesTask(input: SubtreeTaskInput): SubtreeResult {
  const work = input.work;
  let unitId = "";
  try {
    return runSubtreeWork(work, 0, work.roots.length, (root) => {
      unitId = subtreeUnitId(work.pass, work.batch, root);
      plantedFailure(unitId);
    });
  } catch (err) {
    throw err instanceof WorkUnitError ? err : new WorkUnitError(unitId, err);
  }
}

/** Estimated cost of a subtree in segment visits: its size, or spheres × depth for a sparse cascade. */
const VISITS_PER_SPHERE = 32;
/** Below this many estimated visits a pass runs on this thread (task latency ≈ 60 µs). */
const MIN_VISITS_PER_TASK = 40_000;
/**
 * Tasks per worker per pass, so that uneven subtrees still balance: with 8, list scheduling of the
 * measured subtree times of a 10⁶-terminal run kept both threads ≥ 97 % busy (4: 94–97 %).
 */
const TASKS_PER_WORKER = 8;

export interface ParallelTransportOptions {
  /** Stop between passes and between tasks (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Called after each batch: spheres injected so far, total, batches run. */
  readonly onProgress?: (spheresInjected: number, spheresTotal: number, batches: number) => void;
  /**
   * Smallest task, in estimated segment visits; a pass below it runs on this thread. Default
   * 40,000 (≈ 0.4 ms, against ≈ 60 µs per task round trip), or the environment variable
   * SIRTSIM_MIN_TASK_VISITS. Tests set 0 to force dispatch of every pass.
   */
  readonly minTaskVisits?: number;
}

/**
 * simulateTransport with the passes over the cut subtrees run on `pool`. Bit-identical to
 * simulateTransport(tree, options, seed) for any pool size (test/parallel/transport.test.ts).
 */
export async function simulateTransportParallel(
  tree: ArterialTree,
  options: TransportOptions,
  seed: number,
  pool: WorkerPool,
  runOptions: ParallelTransportOptions = {},
): Promise<TransportResult> {
  const runner = createSubtreeRunner(pool, runOptions);
  const steps = transportSteps(tree, options, seed, runner.memory);
  let yieldedAt = Date.now();
  let step = steps.next();
  while (!step.done) {
    const result = await runner.run(step.value);
    const p = step.value.progress;
    if (p !== null) runOptions.onProgress?.(p.spheresInjected, p.spheresTotal, p.batches);
    // Let signal handlers and progress timers run between passes of inline work.
    if (Date.now() - yieldedAt > 50) {
      await new Promise((resolve) => setImmediate(resolve));
      yieldedAt = Date.now();
    }
    step = steps.next(result);
  }
  return step.value;
}

/** Runs the passes of one transport run on a pool (what simulateTransportParallel drives). */
export interface SubtreeRunner {
  /** Where transportSteps puts its arrays: shared memory when the pool has threads. */
  readonly memory: TransportMemory;
  /** Run one pass over its subtrees; resolve with the summed result. */
  run(step: TransportStep): Promise<SubtreeResult>;
}

/** Run arrays on new SharedArrayBuffers; the tree's arrays copied there once per tree. */
const SHARED_MEMORY: TransportMemory = {
  float64: (length) => new Float64Array(new SharedArrayBuffer(8 * length)),
  int32: (length) => new Int32Array(new SharedArrayBuffer(4 * length)),
  uint8: (length) => new Uint8Array(new SharedArrayBuffer(length)),
  uint32: (length) => new Uint32Array(new SharedArrayBuffer(4 * length)),
  share: sharedCopyOf,
};

export function createSubtreeRunner(pool: WorkerPool, runOptions: Pick<ParallelTransportOptions, "signal" | "minTaskVisits"> = {}): SubtreeRunner {
  const threads = pool.workers > 1;
  const fromEnv = Number(process.env.SIRTSIM_MIN_TASK_VISITS ?? NaN);
  const minTaskVisits = runOptions.minTaskVisits ?? (fromEnv >= 0 ? fromEnv : MIN_VISITS_PER_TASK);
  return {
    memory: threads ? SHARED_MEMORY : LOCAL_MEMORY,
    async run(step) {
      if (runOptions.signal?.aborted) throw new Error("aborted");
      const tasks = packTasks(step.work, threads ? pool.workers : 1, minTaskVisits);
      // Cheap passes (or one task) run here: the same handler, without the ~60 µs of a round trip.
      const outputs: SubtreeResult[] = [];
      if (tasks.length <= 1) {
        for (const task of tasks) outputs.push(runSubtreesTask(task.input));
      } else {
        // Largest first (the results add exactly in any order): the last task to finish is small.
        tasks.sort((x, y) => y.cost - x.cost);
        outputs.push(...(await pool.runAll<SubtreeResult>(tasks, runOptions.signal ? { signal: runOptions.signal } : {})));
      }
      const total = emptySubtreeResult(step.work.scalars.compartments);
      for (const out of outputs) addSubtreeResult(total, out);
      return total;
    },
  };
}

/** Consecutive subtrees packed into tasks of similar estimated cost (one task below minTaskVisits). */
function packTasks(work: SubtreeWork, workers: number, minTaskVisits: number): Array<Task<SubtreeTaskInput> & { cost: number }> {
  const { roots, spheres } = work;
  const subtreeEnd = work.arrays.subtreeEnd;
  const cost = new Float64Array(roots.length);
  let totalCost = 0;
  for (let k = 0; k < roots.length; k++) {
    const size = subtreeEnd[roots[k]] - roots[k];
    cost[k] = (spheres === null ? size : Math.min(size, spheres[k] * VISITS_PER_SPHERE)) + 64;
    totalCost += cost[k];
  }
  const target = workers === 1 ? Infinity : Math.max(minTaskVisits, totalCost / (workers * TASKS_PER_WORKER));
  const tasks: Array<Task<SubtreeTaskInput> & { cost: number }> = [];
  for (let first = 0; first < roots.length; ) {
    let last = first;
    let c = cost[first];
    while (last + 1 < roots.length && c + cost[last + 1] <= target) c += cost[++last];
    const unitId =
      last === first
        ? subtreeUnitId(work.pass, work.batch, roots[first])
        : `transport/${work.pass}/batch-${work.batch}/subtrees-${roots[first]}..${roots[last]}`;
    tasks.push({
      kind: "transport.subtrees",
      unitId,
      cost: c,
      input: { work: { ...work, roots: roots.slice(first, last + 1), spheres: spheres === null ? null : spheres.slice(first, last + 1) } },
    });
    first = last + 1;
  }
  return tasks;
}

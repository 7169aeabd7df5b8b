/**
 * The transport Monte Carlo on the worker pool (issue 6). The driver is the same generator as the
 * inline simulateTransport (src/transport/simulate.ts `transportSteps`); only the running of each
 * batch's work units differs:
 *
 *  - the top unit of a batch (lung shunt and the cascade down to the cut roots) runs here, on the
 *    main thread: it is small (cutDepth generations) and every other unit needs its output;
 *  - each cut subtree that received spheres is one work unit with its own random stream keyed by
 *    (seed, batch, subtree root) — fixed by the tree, whatever the number of threads. Consecutive
 *    units are packed into tasks of similar cost; packing changes who runs a unit, never its result.
 *
 * Memory: the tree's arrays, the split probabilities (which the driver re-solves between batches
 * when embolic feedback is on) and the per-batch outputs live in SharedArrayBuffers created once
 * per run; a task carries views on them (sharing, not copying) plus four numbers. Units write
 * disjoint segment ranges of the shared lodged-count array and return only the list of segments
 * they touched, which is appended in unit (pre-)order: the same list, in the same order, as the
 * inline runCascadeBatch builds, so the result is bit-identical for any number of workers.
 */
import type { ArterialTree } from "../vascular/tree.js";
import { runCascadeUnit, type CascadeArrays, type TouchedList } from "../transport/cascade.js";
import { transportSteps, type CascadeBatchStep, type TransportOptions } from "../transport/simulate.js";
import type { TransportResult } from "../transport/result.js";
import type { WorkerPool } from "./pool.js";
import { plantedFailure, runTask, type Task } from "./tasks.js";
import { WorkUnitError } from "../errors.js";

/**
 * Views on the shared arrays of one run (a task carries these; SAB-backed views are not copied):
 * the cascade's arrays (its two scalars travel per task) plus the batch's output and scratch.
 */
export type SharedCascade = Omit<CascadeArrays, "noiseConcentration" | "lungShuntFraction"> & {
  readonly batchLodged: Float64Array;
  readonly scratch: Float64Array;
};

/** A task: consecutive cut-subtree units of one batch. */
export interface CascadeUnitsInput {
  readonly shared: SharedCascade;
  readonly seed: number;
  readonly batch: number;
  readonly noiseConcentration: number;
  /** Subtree roots and the spheres that reach each (same length). */
  readonly roots: Int32Array;
  readonly spheres: Float64Array;
}

export interface CascadeUnitsOutput {
  readonly lung: number;
  /** Segments whose lodged count went from 0 to > 0, unit by unit in root order. */
  readonly touched: Int32Array;
}

/** Stable name of a cut-subtree unit, for error messages and SIRTSIM_FAIL_UNIT. */
export function cascadeUnitId(batch: number, root: number): string {
  return `transport/batch-${batch}/subtree-${root}`;
}

/** Estimated cost of a unit, in segment visits: bounded by the subtree and by spheres × depth. */
const VISITS_PER_SPHERE = 32;
/** Below this many estimated visits a batch's units run on this thread (task latency ≈ 60 µs). */
const MIN_VISITS_PER_TASK = 40_000;
/** Tasks per worker per batch, so that uneven subtrees still balance. */
const TASKS_PER_WORKER = 4;

const EMPTY = new Float64Array(0);
let touchedScratch = new Int32Array(0);

/** Handler of "transport.cascadeUnits": run the units, return lung count and touched segments. */
export function runCascadeUnitsTask(input: CascadeUnitsInput): CascadeUnitsOutput {
  const s = input.shared;
  // SharedCascade is CascadeArrays plus the batch buffers; the top unit alone reads the LSF.
  const arrays: CascadeArrays = { ...s, noiseConcentration: input.noiseConcentration, lungShuntFraction: 0 };
  let capacity = 0;
  for (let k = 0; k < input.roots.length; k++) capacity += s.subtreeEnd[input.roots[k]] - input.roots[k];
  if (touchedScratch.length < capacity) touchedScratch = new Int32Array(capacity);
  const touched: TouchedList = { segments: touchedScratch, count: 0 };
  let lung = 0;
  for (let k = 0; k < input.roots.length; k++) {
    const root = input.roots[k];
    const unitId = cascadeUnitId(input.batch, root);
    try {
      plantedFailure(unitId);
      lung += runCascadeUnit(s.batchLodged, EMPTY, s.scratch, arrays, { batch: input.batch, root, spheres: input.spheres[k], top: false }, input.seed, touched);
    } catch (err) {
      throw err instanceof WorkUnitError ? err : new WorkUnitError(unitId, err);
    }
  }
  return { lung, touched: touchedScratch.slice(0, touched.count) };
}

export interface ParallelTransportOptions {
  /** Stop between batches and between tasks (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Called after each batch: spheres injected so far, total, batches run. */
  readonly onProgress?: (spheresInjected: number, spheresTotal: number, batches: number) => void;
  /**
   * Smallest task, in estimated segment visits; a batch below it runs on this thread. Default
   * 40,000 (≈ 0.4 ms, against ≈ 60 µs per task round trip), or the environment variable
   * SIRTSIM_MIN_TASK_VISITS. Tests set 0 to force dispatch of every batch.
   */
  readonly minTaskVisits?: number;
}

/**
 * simulateTransport with each batch's cut-subtree units run on `pool`. Bit-identical to
 * simulateTransport(tree, options, seed) for any pool size (test/parallel/transport.test.ts).
 */
export async function simulateTransportParallel(
  tree: ArterialTree,
  options: TransportOptions,
  seed: number,
  pool: WorkerPool,
  runOptions: ParallelTransportOptions = {},
): Promise<TransportResult> {
  const runner = createBatchRunner(pool, seed, runOptions);
  const steps = transportSteps(tree, options, seed, runner.allocate);
  let yieldedAt = Date.now();
  let step = steps.next();
  while (!step.done) {
    const b = step.value;
    const lung = await runner.run(b);
    runOptions.onProgress?.(b.injectedBefore + b.spheres, b.totalSpheres, b.batch + 1);
    // Let signal handlers and progress timers run between batches of inline work.
    if (Date.now() - yieldedAt > 50) {
      await new Promise((resolve) => setImmediate(resolve));
      yieldedAt = Date.now();
    }
    step = steps.next(lung);
  }
  return step.value;
}

/** Runs the batches of one transport run on a pool (what simulateTransportParallel drives). */
export interface BatchRunner {
  /** Allocator for transportSteps: SharedArrayBuffer-backed when the pool has threads. */
  readonly allocate: (length: number) => Float64Array;
  /** Run one batch's units; resolve with the spheres shunted to the lungs. */
  run(step: CascadeBatchStep): Promise<number>;
}

export function createBatchRunner(pool: WorkerPool, seed: number, runOptions: Pick<ParallelTransportOptions, "signal" | "minTaskVisits"> = {}): BatchRunner {
  const threads = pool.workers > 1;
  const fromEnv = Number(process.env.SIRTSIM_MIN_TASK_VISITS ?? NaN);
  const minTaskVisits = runOptions.minTaskVisits ?? (fromEnv >= 0 ? fromEnv : MIN_VISITS_PER_TASK);
  let shared: SharedCascade | null = null;
  return {
    allocate: (length) => (threads ? new Float64Array(new SharedArrayBuffer(8 * length)) : new Float64Array(length)),
    run(b) {
      if (runOptions.signal?.aborted) throw new Error("aborted");
      shared ??= shareArrays(b, threads);
      return runBatch(b, shared, seed, pool, minTaskVisits, runOptions.signal);
    },
  };
}

/** Copy the tree's arrays into shared memory once per run (the driver's own arrays already are). */
function shareArrays(b: CascadeBatchStep, threads: boolean): SharedCascade {
  const a = b.arrays;
  const share = <T extends Int32Array | Float64Array | Uint8Array>(x: T): T => {
    if (!threads || x.buffer instanceof SharedArrayBuffer) return x;
    const Ctor = x.constructor as new (buffer: SharedArrayBuffer) => T;
    const out = new Ctor(new SharedArrayBuffer(x.byteLength));
    out.set(x as never);
    return out;
  };
  return {
    child0: share(a.child0),
    child1: share(a.child1),
    subtreeEnd: share(a.subtreeEnd),
    compartment: share(a.compartment),
    split0: a.split0, // updated in place by the driver between batches: must be its own array
    passFraction: a.passFraction === null ? null : share(a.passFraction),
    shuntFraction: share(a.shuntFraction),
    isCutRoot: share(a.isCutRoot),
    batchLodged: b.workspace.batchLodged,
    scratch: b.workspace.scratch,
  };
}

/** Run one batch: the top unit here, the cut units as tasks; return the spheres shunted to the lungs. */
async function runBatch(b: CascadeBatchStep, shared: SharedCascade, seed: number, pool: WorkerPool, minTaskVisits: number, signal?: AbortSignal): Promise<number> {
  const { workspace, arrays, entry, cutRoots, batch } = b;
  const { cutArrivals, touched } = workspace;
  let lung = runCascadeUnit(workspace.batchLodged, cutArrivals, workspace.scratch, arrays, { batch, root: entry, spheres: b.spheres, top: true }, seed, touched);
  // Units with spheres, in pre-order, and their estimated cost.
  const roots: number[] = [];
  const spheres: number[] = [];
  const cost: number[] = [];
  let totalCost = 0;
  for (let k = 0; k < cutRoots.length; k++) {
    const root = cutRoots[k];
    const n = cutArrivals[root];
    if (n === 0) continue;
    cutArrivals[root] = 0;
    roots.push(root);
    spheres.push(n);
    const c = Math.min(shared.subtreeEnd[root] - root, n * VISITS_PER_SPHERE) + 64;
    cost.push(c);
    totalCost += c;
  }
  if (roots.length === 0) return lung;
  // Pack consecutive units into tasks of similar cost.
  const target = Math.max(minTaskVisits, totalCost / (pool.workers * TASKS_PER_WORKER));
  const tasks: Task<CascadeUnitsInput>[] = [];
  for (let first = 0; first < roots.length; ) {
    let last = first;
    let c = cost[first];
    while (last + 1 < roots.length && c + cost[last + 1] <= target) c += cost[++last];
    tasks.push({
      kind: "transport.cascadeUnits",
      unitId: last === first ? cascadeUnitId(batch, roots[first]) : `transport/batch-${batch}/subtrees-${roots[first]}..${roots[last]}`,
      input: {
        shared,
        seed,
        batch,
        noiseConcentration: arrays.noiseConcentration,
        roots: Int32Array.from(roots.slice(first, last + 1)),
        spheres: Float64Array.from(spheres.slice(first, last + 1)),
      },
    });
    first = last + 1;
  }
  // Cheap batches (or one task) run here: the same handler, without the ~60 µs of a round trip.
  const outputs: CascadeUnitsOutput[] =
    pool.workers === 1 || tasks.length === 1
      ? await runInline(tasks, signal)
      : await pool.runAll<CascadeUnitsOutput>(tasks, signal ? { signal } : {});
  for (const out of outputs) {
    lung += out.lung;
    touched.segments.set(out.touched, touched.count);
    touched.count += out.touched.length;
  }
  return lung;
}

async function runInline(tasks: readonly Task[], signal?: AbortSignal): Promise<CascadeUnitsOutput[]> {
  const out: CascadeUnitsOutput[] = [];
  for (const task of tasks) {
    if (signal?.aborted) throw new Error("aborted");
    out.push(await runTask<CascadeUnitsOutput>(task));
  }
  return out;
}

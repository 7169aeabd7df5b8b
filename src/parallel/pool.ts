/**
 * A pool of worker threads on piscina (DESIGN.md: persistent workers, ~50 µs per task; a new
 * Worker per task costs 35–59 ms). `workers: 1` runs every task inline in this thread, through the
 * same handler table, so tests exercise the same code path without threads.
 *
 * Results come back in unit order, whatever order the threads finish in, so anything that folds
 * them (sums of counts, energy grids) is independent of the thread count.
 */
import { availableParallelism } from "node:os";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SHARE_ENV } from "node:worker_threads";
import { Piscina } from "piscina";
import { WorkUnitError } from "../errors.js";
import { runTask, Task } from "./tasks.js";
// Inline runs dispatch through the same handler table as the workers.
import "./handlers.js";

export interface PoolOptions {
  /** Number of worker threads; 1 runs inline. Default: available cores. */
  readonly workers?: number;
  /** Stop dispatching new units when aborted (Ctrl-C); units already running finish. */
  readonly signal?: AbortSignal;
  /** With `workers: 1`: run the tasks on one worker thread instead of inline (default false). */
  readonly threaded?: boolean;
  /** Called after each unit completes: units done so far, total, and the index of the one that finished. */
  readonly onProgress?: (done: number, total: number, finishedTask: number) => void;
}

export interface WorkerPool {
  readonly workers: number;
  /** Run all tasks; resolve with their outputs in task order. The first failure rejects. */
  runAll<O>(tasks: readonly Task[], options?: Pick<PoolOptions, "signal" | "onProgress">): Promise<O[]>;
  /** Stop the threads. Safe to call twice. */
  destroy(): Promise<void>;
}

/** Default worker count: the machine's available parallelism. */
export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism());
}

/** The compiled worker entry point (dist/workers/task.js), found from the package root. */
export function workerEntryPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "package.json"))) {
      const entry = join(dir, "dist", "workers", "task.js");
      if (!existsSync(entry)) throw new Error(`worker entry ${entry} is missing: run \`npm run build\` first`);
      return entry;
    }
    dir = dirname(dir);
  }
  throw new Error("cannot locate the sirtsim package root for the worker entry point");
}

export function createPool(options: PoolOptions = {}): WorkerPool {
  const workers = options.workers ?? defaultWorkerCount();
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
  if (workers === 1 && !options.threaded) return inlinePool();
  const piscina = new Piscina({
    filename: workerEntryPath(),
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 60_000,
    // Workers see the live process.env (SIRTSIM_FAIL_UNIT set after the pool started, in tests).
    env: SHARE_ENV,
  });
  let destroyed = false;
  return {
    workers,
    async runAll<O>(tasks: readonly Task[], runOptions: Pick<PoolOptions, "signal" | "onProgress"> = {}): Promise<O[]> {
      // Our own dispatch with a bounded number of tasks in flight, rather than piscina's abort
      // signals: aborting a running piscina task terminates its thread. On a failure or Ctrl-C we
      // stop dispatching, let the units in flight finish, and report the first failure.
      const results = new Array<O>(tasks.length);
      const inFlightLimit = workers * 2;
      let next = 0;
      let done = 0;
      let failure: unknown = null;
      const stopped = () => failure !== null || runOptions.signal?.aborted === true;
      const lane = async (): Promise<void> => {
        while (!stopped() && next < tasks.length) {
          const index = next++;
          const task = tasks[index];
          try {
            results[index] = (await piscina.run(task)) as O;
            runOptions.onProgress?.(++done, tasks.length, index);
          } catch (err) {
            if (failure === null) failure = asWorkUnitError(task.unitId, err);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(inFlightLimit, tasks.length) }, lane));
      if (failure !== null) throw failure;
      if (runOptions.signal?.aborted) throw new Error("aborted");
      return results;
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await piscina.destroy();
    },
  };
}

/**
 * Errors cross the thread boundary as plain Errors: restore the WorkUnitError naming the unit (the
 * one the worker named, when a task ran several units).
 */
function asWorkUnitError(unitId: string, err: unknown): WorkUnitError {
  if (err instanceof WorkUnitError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const named = /^work unit (\S+) failed: ([\s\S]*)$/.exec(message);
  const error = new WorkUnitError(named ? named[1] : unitId, new Error(named ? named[2] : message));
  if (err instanceof Error && err.stack) error.stack = err.stack;
  return error;
}

function inlinePool(): WorkerPool {
  return {
    workers: 1,
    async runAll<O>(tasks: readonly Task[], runOptions: Pick<PoolOptions, "signal" | "onProgress"> = {}): Promise<O[]> {
      const out: O[] = [];
      let yieldedAt = Date.now();
      for (let i = 0; i < tasks.length; i++) {
        if (runOptions.signal?.aborted) throw new Error("aborted");
        out.push(await runTask<O>(tasks[i]));
        runOptions.onProgress?.(i + 1, tasks.length, i);
        // Awaiting a settled promise does not return to the event loop: yield now and then so
        // that Ctrl-C handlers and progress timers run between units.
        if (Date.now() - yieldedAt > 50) {
          await new Promise((resolve) => setImmediate(resolve));
          yieldedAt = Date.now();
        }
      }
      return out;
    },
    async destroy() {},
  };
}

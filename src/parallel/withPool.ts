/**
 * What a heavy command does with `--workers N`: parse it (default: available cores), start the
 * pool, and shut it down however the command ends — success, a failing work unit, or an input
 * error — so that no thread keeps the process alive.
 */
import { InputError } from "../errors.js";
import { createPool, defaultWorkerCount, type WorkerPool } from "./pool.js";

/** Largest accepted --workers. */
export const MAX_WORKERS = 256;

/** `--workers N`: an integer in [1, 256]; absent = available cores. */
export function parseWorkers(text: string | undefined): number {
  if (text === undefined) return defaultWorkerCount();
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < 1 || n > MAX_WORKERS) {
    throw new InputError("--workers", `--workers must be an integer in [1, ${MAX_WORKERS}], got ${JSON.stringify(text)}`);
  }
  return n;
}

/** Run `fn` with a pool of `workers` threads (1 = inline) and destroy the pool afterwards. */
export async function withPool<T>(workers: number, fn: (pool: WorkerPool) => Promise<T>): Promise<T> {
  const pool = createPool({ workers });
  try {
    return await fn(pool);
  } finally {
    await pool.destroy();
  }
}

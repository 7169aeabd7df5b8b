/**
 * Tree growth on a worker thread. Growth is one synchronous computation (minutes at 1.5e6
 * terminals); run on the main thread it keeps the event loop busy, so Ctrl-C and SIGTERM handlers
 * (src/cli/run.ts: remove the staging folder and the lock, exit 130/143) wait until it ends
 * (issue 19: SIGTERM "ignored" for the whole growth). On a pool of ≥ 2 workers the growth runs in
 * a worker and the main thread only waits, so a signal is handled at once. The tree is the same:
 * growTree is a pure function of its inputs (the plain-data domain, options, seed and integral).
 * A 1-worker (inline) pool grows on a thread of its own, started for the growth.
 */
import { InputError } from "../errors.js";
import type { Domain } from "../geometry/domain.js";
import type { DomainIntegral } from "../geometry/integrate.js";
import { growTreeDetailed, type GrowOptions, type GrowthStats } from "../vascular/grow.js";
import type { ArterialTree } from "../vascular/tree.js";
import { createPool, workerEntryPath, type WorkerPool } from "./pool.js";

export interface GrowTreeInput {
  readonly domain: Domain;
  readonly options: Partial<GrowOptions>;
  readonly seed: number;
  readonly integral: DomainIntegral | undefined;
}

/** What crosses back: the tree, or an input error as data (its class does not survive the thread boundary). */
export type GrowTreeOutput = { readonly tree: ArterialTree; readonly stats: GrowthStats } | { readonly inputError: { readonly field: string; readonly message: string } };

/** The "vascular.growTree" work unit. */
export function runGrowTreeTask(input: GrowTreeInput): GrowTreeOutput {
  try {
    return growTreeDetailed(input.domain, input.options, input.seed, input.integral);
  } catch (err) {
    if (err instanceof InputError) return { inputError: { field: err.field, message: err.message } };
    throw err;
  }
}

/** growTreeDetailed on a worker of `pool` (inline for a 1-worker pool): the same tree, with signals handled during growth. */
export async function growTreeDetailedOnPool(pool: WorkerPool, domain: Domain, options: Partial<GrowOptions>, seed: number, integral?: DomainIntegral): Promise<{ tree: ArterialTree; stats: GrowthStats }> {
  // An inline pool (--workers 1) gets one thread of its own for the growth: the work units stay
  // inline, but the main thread stays free for signals (a SLURM task of one CPU is sent SIGTERM).
  let own: WorkerPool | undefined;
  if (pool.workers === 1) {
    try {
      workerEntryPath();
    } catch {
      // No compiled worker entry (the library run from its TypeScript sources): grow inline.
      return growTreeDetailed(domain, options, seed, integral);
    }
    own = createPool({ workers: 1, threaded: true });
  }
  let out: GrowTreeOutput;
  try {
    [out] = await (own ?? pool).runAll<GrowTreeOutput>([{ kind: "vascular.growTree", unitId: "tree/grow", input: { domain, options, seed, integral } satisfies GrowTreeInput }]);
  } finally {
    await own?.destroy();
  }
  if ("inputError" in out) throw new InputError(out.inputError.field, out.inputError.message);
  return out;
}

/** growTree on a worker of `pool` (inline for a 1-worker pool). */
export async function growTreeOnPool(pool: WorkerPool, domain: Domain, options: Partial<GrowOptions>, seed: number, integral?: DomainIntegral): Promise<ArterialTree> {
  return (await growTreeDetailedOnPool(pool, domain, options, seed, integral)).tree;
}

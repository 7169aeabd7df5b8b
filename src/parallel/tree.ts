/**
 * Tree growth on a worker thread. Growth is one synchronous computation (minutes at 1.5e6
 * terminals); run on the main thread it keeps the event loop busy, so Ctrl-C and SIGTERM handlers
 * (src/cli/run.ts: remove the staging folder and the lock, exit 130/143) wait until it ends
 * (issue 19: SIGTERM "ignored" for the whole growth). On a pool of ≥ 2 workers the growth runs in
 * a worker and the main thread only waits (but for the tessellation's sums, below), so a signal is
 * handled at once. The tree is the same:
 * growTree is a pure function of its inputs (the plain-data domain, options, seed and integral).
 * A 1-worker (inline) pool grows on a thread of its own, started for the growth.
 *
 * On a pool of ≥ 2 workers the tessellation of the terminal territories (57–61 % of the growth's
 * time at 1.5e6 terminals on one thread, bench/tessellation.mjs) is spread over the pool: a worker samples the
 * sites and measures the lattice, the owner search of each Lloyd pass runs in slabs of lattice
 * layers on every worker, and this thread adds the points and moves the sites in lattice order
 * between the passes (vascular/territories.ts tessellationSteps; a signal waits for the pass's sums,
 * well under a second at 1.5e6 terminals: a review measured 0.28 s); a worker then grows the tree from the tessellated
 * sites. The owner of a lattice point is exact, and the sums are taken in one order, so the tree
 * is bit-identical to the one-thread growth for any worker count (tested).
 */
import { InputError } from "../errors.js";
import type { Domain } from "../geometry/domain.js";
import type { DomainIntegral } from "../geometry/integrate.js";
import { growthSites, growTreeDetailed, stageClock, tessellates, type GrowOptions, type GrowthStats } from "../vascular/grow.js";
import type { TerminalSites } from "../vascular/sample.js";
import { latticeOwners, siteHash, tessellationLattice, tessellationSteps, type LatticeGrid, type SiteHash, type TessellationLattice } from "../vascular/territories.js";
import type { ArterialTree } from "../vascular/tree.js";
import { createPool, workerEntryPath, type WorkerPool } from "./pool.js";

export interface GrowTreeInput {
  readonly domain: Domain;
  readonly options: Partial<GrowOptions>;
  readonly seed: number;
  readonly integral: DomainIntegral | undefined;
  /** The sites after the tessellation, when the pool ran it (growTreeDetailed's `tessellated`). */
  readonly sites?: TerminalSites;
}

/** What crosses back: the tree, or an input error as data (its class does not survive the thread boundary). */
export type GrowTreeOutput = { readonly tree: ArterialTree; readonly stats: GrowthStats } | InputErrorData;

type InputErrorData = { readonly inputError: { readonly field: string; readonly message: string } };

/** `fn()`, or its InputError as data (its class does not survive the thread boundary). */
function withInputErrorAsData<T>(fn: () => T): T | InputErrorData {
  try {
    return fn();
  } catch (err) {
    if (err instanceof InputError) return { inputError: { field: err.field, message: err.message } };
    throw err;
  }
}

function throwInputError<T extends object>(out: T | InputErrorData): T {
  if ("inputError" in out) throw new InputError(out.inputError.field, out.inputError.message);
  return out;
}

/** The "vascular.growTree" work unit. */
export function runGrowTreeTask(input: GrowTreeInput): GrowTreeOutput {
  return withInputErrorAsData(() => growTreeDetailed(input.domain, input.options, input.seed, input.integral, input.sites));
}

type GrowthSitesOutput =
  | { readonly sites: TerminalSites; readonly integral: DomainIntegral; readonly rootFlowMlPerMin: number; readonly lattice: TessellationLattice; readonly latticeSeconds: { readonly wall: number; readonly cpu: number } }
  | InputErrorData;

/** The "vascular.growthSites" work unit: the checked options' terminal sites and the tessellation's lattice. */
export function runGrowthSitesTask(input: GrowTreeInput): GrowthSitesOutput {
  return withInputErrorAsData(() => {
    const { sites, integral, rootFlowMlPerMin } = growthSites(input.domain, input.options, input.seed, input.integral);
    const clock = stageClock();
    const lattice = tessellationLattice(input.domain, integral, sites, sharedBuffer);
    clock.mark("tessellation");
    // Timed apart: the one-thread growth counts the lattice under "tessellation", and so does the pool's.
    return { sites, integral, rootFlowMlPerMin, lattice, latticeSeconds: clock.seconds.tessellation };
  });
}

interface LatticeOwnersInput {
  /** Its array and the hash's in shared memory. */
  readonly lattice: LatticeGrid;
  readonly hash: SiteHash;
  readonly izFrom: number;
  readonly izTo: number;
  /** Shared: the owner of every lattice point; the unit writes its layers'. */
  readonly owners: Int32Array;
}

/** The "vascular.latticeOwners" work unit: the owners of one slab of lattice layers. */
export function runLatticeOwnersTask(input: LatticeOwnersInput): null {
  const { lattice, hash, izFrom, izTo, owners } = input;
  owners.set(latticeOwners(lattice, hash, izFrom, izTo), izFrom * lattice.ny * lattice.nx);
  return null;
}

/** SharedArrayBuffers: the lattice and the site hash, which every slab's unit reads without a copy. */
const sharedBuffer = (bytes: number) => new SharedArrayBuffer(bytes);

/** Slabs per worker: the layers' owner searches differ in cost (the liver's outline), so more slabs than workers balance the pool. */
const SLABS_PER_WORKER = 4;

/**
 * [izFrom, izTo) slabs of the lattice with about equal numbers of perfused points (the search's
 * cost); any split gives the same owners.
 */
function latticeSlabs(lattice: TessellationLattice, slabs: number): [number, number][] {
  const layer = lattice.nx * lattice.ny;
  const perLayer = new Float64Array(lattice.nz);
  let total = 0;
  for (let iz = 0; iz < lattice.nz; iz++) {
    let n = 0;
    for (let q = iz * layer; q < (iz + 1) * layer; q++) if (lattice.compartmentPlus1[q] !== 0) n++;
    perLayer[iz] = n;
    total += n;
  }
  const out: [number, number][] = [];
  let from = 0;
  let sum = 0;
  for (let iz = 0; iz < lattice.nz; iz++) {
    sum += perLayer[iz];
    if (sum >= (total * (out.length + 1)) / slabs && iz + 1 < lattice.nz) {
      out.push([from, iz + 1]);
      from = iz + 1;
    }
  }
  out.push([from, lattice.nz]);
  return out;
}

/**
 * growthSites and the tessellation on `pool` (≥ 2 workers): the sites and lattice from one
 * worker, each Lloyd pass's owner search in slabs on all of them, the sums here.
 */
async function tessellatedSitesOnPool(pool: WorkerPool, input: GrowTreeInput): Promise<{ sites: TerminalSites; integral: DomainIntegral; seconds: Pick<GrowthStats["stageSeconds"], "sites" | "tessellation"> }> {
  const clock = stageClock();
  const [prepared] = await pool.runAll<GrowthSitesOutput>([{ kind: "vascular.growthSites", unitId: "tree/sites", input }]);
  const { sites, integral, rootFlowMlPerMin, lattice, latticeSeconds } = throwInputError(prepared);
  clock.mark("sites");
  // The lattice comes in shared memory; the site hash is built there once per pass (the Lloyd steps move the sites).
  const { loMm, h, nx, ny, nz, compartmentPlus1 } = lattice;
  const grid: LatticeGrid = { loMm, h, nx, ny, nz, compartmentPlus1 };
  const owners = new Int32Array(new SharedArrayBuffer(4 * nx * ny * nz));
  const slabs = latticeSlabs(lattice, pool.workers * SLABS_PER_WORKER);
  const steps = tessellationSteps(input.domain, integral, sites, rootFlowMlPerMin, lattice);
  let hash: SiteHash | undefined;
  for (let job = steps.next(); !job.done; job = steps.next(owners)) {
    const passHash = (hash = siteHash(job.value, sharedBuffer, hash));
    await pool.runAll(slabs.map(([izFrom, izTo]) => ({ kind: "vascular.latticeOwners", unitId: `tree/tessellation/${izFrom}`, input: { lattice: grid, hash: passHash, izFrom, izTo, owners } satisfies LatticeOwnersInput })));
  }
  clock.mark("tessellation");
  // The lattice (one thread, in the sites' unit) moved from "sites" to "tessellation", as on one thread.
  const { sites: s, tessellation: t } = clock.seconds;
  const seconds = {
    sites: { wall: s.wall - latticeSeconds.wall, cpu: s.cpu - latticeSeconds.cpu },
    tessellation: { wall: t.wall + latticeSeconds.wall, cpu: t.cpu + latticeSeconds.cpu },
  };
  return { sites, integral, seconds };
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
  const input: GrowTreeInput = { domain, options, seed, integral };
  if (own === undefined && tessellates(options)) {
    // The tessellation on the pool; then a worker grows from its sites.
    const { sites, integral: measured, seconds } = await tessellatedSitesOnPool(pool, input);
    const [out] = await pool.runAll<GrowTreeOutput>([{ kind: "vascular.growTree", unitId: "tree/grow", input: { domain, options, seed, integral: measured, sites } satisfies GrowTreeInput }]);
    const grown = throwInputError(out);
    return { tree: grown.tree, stats: { ...grown.stats, stageSeconds: { ...grown.stats.stageSeconds, ...seconds } } };
  }
  let out: GrowTreeOutput;
  try {
    [out] = await (own ?? pool).runAll<GrowTreeOutput>([{ kind: "vascular.growTree", unitId: "tree/grow", input }]);
  } finally {
    await own?.destroy();
  }
  return throwInputError(out);
}

/** growTree on a worker of `pool` (inline for a 1-worker pool). */
export async function growTreeOnPool(pool: WorkerPool, domain: Domain, options: Partial<GrowOptions>, seed: number, integral?: DomainIntegral): Promise<ArterialTree> {
  return (await growTreeDetailedOnPool(pool, domain, options, seed, integral)).tree;
}

/**
 * Running a study's runs on this machine's worker pool: the local executor, and the body of one
 * SLURM array task or Kubernetes pod (a slice of the runs). Each run is independent:
 * - a finished run (runs/<id>.json present) is skipped and counted;
 * - a failing run writes runs/<id>.error.json with its error and the next run starts;
 * - a run's record is written atomically (temporary name + rename), so an interrupted study
 *   leaves finished records and no partial one, and a re-run redoes exactly the missing ones.
 * Runs that share a tree (same geometry, tree section and tree seed) grow it once: it is kept in
 * memory for the next runs and in DIR/trees/ for other processes and later re-runs. On a
 * multi-thread pool two runs are in flight at once (one in its main-thread stages while the other
 * keeps the workers busy); runs that share a geometry build its domain once.
 */
import { readFile, rm } from "node:fs/promises";
import { writeFileAtomic } from "../io/atomic.js";
import { sirtsimVersion } from "../io/results.js";
import type { WorkerPool } from "../parallel/pool.js";
import { fftPassRunner } from "../parallel/dose.js";
import { loadSimulationCase, type PreparedDomain, type SimulationCase } from "../pipeline/caseInput.js";
import { readCaseMask } from "../pipeline/files.js";
import type { DoseStageOptions } from "../pipeline/doseStage.js";
import { finishSimulation, simulationWarnings, type SimulationOutputs } from "../pipeline/finish.js";
import { depositLodgedSpheresParallel, simulateCoreParallel } from "../pipeline/simulate.js";
import { canonicalJson, checkStageInputs, caseIdentity, decodeTreeFile, encodeTreeFile } from "../pipeline/stageFiles.js";
import type { Grid } from "../geometry/index.js";
import { InputError } from "../errors.js";
import { growTree, type ArterialTree } from "../vascular/index.js";
import { doseAtVolumeSteps, runMetrics } from "./metrics.js";
import { runCase, type StudyPlan, type StudyRun } from "./plan.js";
import { checkedRunRecord, checkPlanVersion, failurePath, recordDigest, runPath, runStates, treePath, type RunFailure, type RunRecord } from "./store.js";

/** A slice of the runs: `index` of `count` (0-based), as an array task runs it. */
export interface Slice {
  readonly index: number;
  readonly count: number;
}

export interface RunStudyOptions {
  readonly pool: WorkerPool;
  readonly slice?: Slice;
  /** One line per run (stderr in the CLI). */
  readonly log?: (message: string) => void;
  readonly signal?: AbortSignal;
  /** Runs in flight at once (default 2 on a multi-thread pool, 1 inline). */
  readonly concurrency?: number;
}

export interface RunStudyResult {
  readonly ran: number;
  /** Runs skipped because their record was already there. */
  readonly skipped: number;
  readonly failures: readonly RunFailure[];
}

/**
 * The distinct runs (by id) in execution order: grouped by tree so that a tree is grown once per
 * process, groups in order of first appearance. A slice is a contiguous chunk of this order, so
 * an array task grows few trees.
 */
export function executionOrder(plan: StudyPlan): StudyRun[] {
  const groups = new Map<string, StudyRun[]>();
  const seen = new Set<string>();
  for (const run of plan.runs) {
    if (seen.has(run.id)) continue;
    seen.add(run.id);
    const group = groups.get(run.treeKey);
    if (group) group.push(run);
    else groups.set(run.treeKey, [run]);
  }
  return [...groups.values()].flat();
}

export function sliceOf<T>(items: readonly T[], slice: Slice | undefined): T[] {
  if (slice === undefined) return [...items];
  const from = Math.floor((slice.index * items.length) / slice.count);
  const to = Math.floor(((slice.index + 1) * items.length) / slice.count);
  return items.slice(from, to);
}

export async function runStudy(dir: string, plan: StudyPlan, options: RunStudyOptions): Promise<RunStudyResult> {
  const log = options.log ?? (() => {});
  checkPlanVersion(dir, plan);
  const runs = sliceOf(executionOrder(plan), options.slice);
  const { finished } = await runStates(dir);
  const mask = await readCaseMask(plan.cellCases[0], plan.casePath);
  // Two runs at a time on a multi-thread pool: while one run is in its main-thread stages (case
  // validation, planning, tree growth, dose metrics, report tables), the other's transport,
  // lodging and FFT keep the workers busy. Each run's result depends on its inputs only (the pool
  // returns units in task order), so the records are the same bytes as one at a time.
  const lanes = options.concurrency ?? (options.pool.workers > 1 ? 2 : 1);
  const trees = new TreeCache(dir, mask?.grid, log, lanes + 1);
  const domains = new DomainCache();
  const failures: RunFailure[] = [];
  let ran = 0;
  let skipped = 0;
  let next = 0;
  const runOne = async (k: number, run: StudyRun, doseOptions: DoseStageOptions): Promise<void> => {
    if (finished.has(run.id)) {
      // A record is reused only if this sirtsim wrote it for this run; otherwise the run is redone.
      const { problem } = await checkedRunRecord(dir, run);
      if (problem === null) {
        skipped++;
        return;
      }
      log(`run ${k + 1}/${runs.length} (${run.id.slice(0, 12)}): its record ${runPath(dir, run.id)} is not this run's — ${problem}; redoing it`);
    }
    const label = `run ${k + 1}/${runs.length} (cell ${run.cell}, tree seed ${run.treeSeed}, seed ${run.seed}, ${run.id.slice(0, 12)})`;
    const t0 = Date.now();
    try {
      plantedFailure(run);
      const doc = runCase(plan, run);
      const simCase = loadSimulationCase(doc, plan.casePath, mask?.grid, domains.get(doc));
      domains.keep(doc, simCase);
      const tree = await trees.get(run.treeKey, simCase);
      const outputs = await simulateRun(simCase, options.pool, tree, doseOptions);
      await writeFileAtomic(runPath(dir, run.id), `${JSON.stringify(runRecord(run, outputs))}\n`);
      await rm(failurePath(dir, run.id), { force: true });
      ran++;
      log(`${label}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } catch (err) {
      const failure: RunFailure = { kind: "sirtsim-study-failure", id: run.id, error: err instanceof Error ? err.message : String(err) };
      failures.push(failure);
      await writeFileAtomic(failurePath(dir, run.id), `${JSON.stringify(failure, null, 1)}\n`);
      log(`${label}: FAILED: ${failure.error}`);
    }
  };
  const lane = async (): Promise<void> => {
    // One FFT runner per lane: it keeps its shared buffers between the lane's runs of one grid size.
    const doseOptions: DoseStageOptions = options.pool.workers > 1 ? { runPasses: fftPassRunner(options.pool) } : {};
    while (next < runs.length && !options.signal?.aborted) {
      const k = next++;
      await runOne(k, runs[k], doseOptions);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, runs.length)) }, lane));
  // Failures in run order, whichever lane finished first.
  const order = new Map(runs.map((r, i) => [r.id, i]));
  failures.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  return { ran, skipped, failures };
}

/** Test hook (like SIRTSIM_FAIL_UNIT): SIRTSIM_STUDY_FAIL_RUN=<run index> makes that run fail. */
function plantedFailure(run: StudyRun): void {
  const target = process.env.SIRTSIM_STUDY_FAIL_RUN;
  if (target !== undefined && target.split(",").includes(String(run.index))) throw new Error(`planted failure (SIRTSIM_STUDY_FAIL_RUN=${target})`);
}

/** One simulation without files: planning → tree → transport → dose → metrics. */
export async function simulateRun(simCase: SimulationCase, pool: WorkerPool, tree?: ArterialTree, doseOptions: DoseStageOptions = {}): Promise<SimulationOutputs> {
  const core = await simulateCoreParallel(simCase, { pool, ...(tree ? { stages: { tree } } : {}) });
  const part = await depositLodgedSpheresParallel(simCase, core, pool);
  return finishSimulation(simCase, core, part.counts, part.outsideGrid, doseOptions, part.unitClusters ?? null);
}

/** What a finished run keeps: every metric and the DVH of every VOI as D(v). */
export function runRecord(run: Pick<StudyRun, "id" | "cell" | "treeSeed" | "seed">, outputs: SimulationOutputs): RunRecord {
  const dvh: Record<string, number[]> = {};
  for (const v of outputs.dose.vois) dvh[v.name] = doseAtVolumeSteps(v.curve.doseGy, v.curve.volumeFraction);
  // The warnings `simulate` prints, kept with the run: a study of runs in stasis or outside the
  // resolution band said nothing of it (a review).
  const summary = outputs.summary;
  const warnings = [...(summary.reflux.warning !== null ? [`warning: ${summary.reflux.warning}`] : []), ...simulationWarnings(summary)];
  const content = { kind: "sirtsim-study-run" as const, id: run.id, sirtsimVersion: sirtsimVersion(), cell: run.cell, treeSeed: run.treeSeed, seed: run.seed, metrics: runMetrics(summary), dvhDoseAtVolumeGy: dvh, warnings };
  return { ...content, sha256: recordDigest(content) };
}

/**
 * The domain and its lattice integral by geometry section: building them takes about a second per
 * run at the default lattice (integrateDomain), and they depend on the geometry alone (the mask is
 * one image for the whole study, plan.ts), so runs that share a geometry — all of them unless a
 * geometry field is varied — build them once. loadSimulationCase still validates every section.
 */
class DomainCache {
  private readonly prepared = new Map<string, PreparedDomain>();

  private static key(doc: Record<string, unknown>): string {
    return canonicalJson(doc.geometry ?? null);
  }

  get(doc: Record<string, unknown>): PreparedDomain | undefined {
    return this.prepared.get(DomainCache.key(doc));
  }

  keep(doc: Record<string, unknown>, simCase: SimulationCase): void {
    const key = DomainCache.key(doc);
    // The integral is lazy on the case; forcing it here costs nothing extra (planning and the tree need it).
    if (!this.prepared.has(key)) this.prepared.set(key, { domain: simCase.domain, integral: simCase.integral });
  }
}

/**
 * Trees by key: the last few in memory (one per run in flight), all of them in DIR/trees/ as checked stage files (the
 * tree.bin format of `sirtsim tree`): a cached file is used only if its checksum holds and its
 * header's inputs (geometry with the mask by content, tree section and seed) are this run's;
 * a damaged or foreign file is regrown and replaced.
 */
class TreeCache {
  /** Trees by key, most recently used last; at most `capacity` kept (one per run in flight, plus one). */
  private readonly trees = new Map<string, Promise<ArterialTree>>();

  constructor(
    private readonly dir: string,
    private readonly mask: Grid<Uint8Array> | undefined,
    private readonly log: (message: string) => void,
    private readonly capacity = 1,
  ) {}

  get(key: string, simCase: SimulationCase): Promise<ArterialTree> {
    // Runs in flight that share a tree wait for the same growth rather than growing it twice.
    let tree = this.trees.get(key);
    if (tree === undefined) {
      tree = this.load(key, simCase);
      // A failed growth is not kept: the next run of that tree retries (and reports its own error).
      tree.catch(() => this.trees.get(key) === tree && this.trees.delete(key));
    } else this.trees.delete(key);
    this.trees.set(key, tree);
    while (this.trees.size > this.capacity) this.trees.delete(this.trees.keys().next().value as string);
    return tree;
  }

  private async load(key: string, simCase: SimulationCase): Promise<ArterialTree> {
    const path = treePath(this.dir, key);
    const inputs = caseIdentity(simCase, this.mask).treeInputs;
    let bytes: Uint8Array | null = null;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch {
      // Not grown yet.
    }
    if (bytes !== null) {
      try {
        const decoded = decodeTreeFile(bytes, path);
        checkStageInputs(decoded.header, inputs, path, path, "tree");
        return decoded.tree;
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        this.log(`${err.message}; regrowing it`);
      }
    }
    const tree = growTree(simCase.domain, simCase.tree, simCase.tree.seed, simCase.integral);
    await writeFileAtomic(path, encodeTreeFile(tree, inputs));
    return tree;
  }
}

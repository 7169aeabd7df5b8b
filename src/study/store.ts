/**
 * The study directory, the shared state of every executor (local, SLURM tasks, Kubernetes pods):
 *
 *   plan.json            the expanded study (cells, runs and their ids)
 *   runs/<id>.json       a finished run: its metrics and DVH (written atomically, never partial)
 *   runs/<id>.error.json a failed run: its error (removed when the run later succeeds)
 *   trees/<key>.bin      trees grown once and reused by every run that shares them
 *   runs.csv runs.json cells.csv cells.json study.html   the tables and the page (`collect`)
 *   slurm/               the array job script and its logs
 *
 * A run record holds no timing or host name, so the tables are the same bytes whichever executor
 * (and how many workers) produced them.
 */
import { createHash } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { sirtsimVersion } from "../io/results.js";
import type { MetricValues } from "./metrics.js";
import type { StudyPlan, StudyRun } from "./plan.js";

export interface RunRecord {
  readonly kind: "sirtsim-study-run";
  readonly id: string;
  readonly sirtsimVersion: string;
  /** The run it was written for, so a record says what it is without the plan (two cells that resolve to the same case share one id and one record: the cell is the first that ran it). */
  readonly cell: number;
  readonly treeSeed: number;
  readonly seed: number;
  readonly metrics: MetricValues;
  /** Per VOI: D(v) at v = 0, 0.01, …, 1 (Gy). */
  readonly dvhDoseAtVolumeGy: Readonly<Record<string, readonly number[]>>;
  /** The warnings and notes `simulate` prints for this run (reflux, resolution, NTCP outside its fit, …). */
  readonly warnings: readonly string[];
  /** SHA-256 of the record's JSON without this field (recordDigest): an edited or truncated record is found. */
  readonly sha256: string;
}

/** The SHA-256 of a record's content: its JSON without `sha256`, every other field included (a new field cannot escape it). */
export function recordDigest(record: Omit<RunRecord, "sha256"> | RunRecord): string {
  const { sha256: _sha256, ...content } = record as RunRecord;
  return createHash("sha256").update(JSON.stringify(content)).digest("hex");
}

/**
 * Why `record` cannot stand for `run` of this sirtsim version (null: it can): another run's record under
 * this id's name, another version's, or a record edited or cut since it was written.
 */
export function recordProblem(record: RunRecord, run: StudyRun): string | null {
  const version = sirtsimVersion();
  if (record.kind !== "sirtsim-study-run") return "kind: not a sirtsim study run record";
  if (record.sha256 === undefined) return "sha256: written before run records carried a digest (and their run's seeds)";
  if (record.id !== run.id) return `id: it is run ${String(record.id).slice(0, 12)}'s record, not this run's (${run.id.slice(0, 12)})`;
  if (record.sirtsimVersion !== version) return `sirtsimVersion: written by sirtsim ${record.sirtsimVersion ?? "(unknown)"}, this is ${version}`;
  if (record.treeSeed !== run.treeSeed || record.seed !== run.seed) return `treeSeed/seed: ${record.treeSeed}/${record.seed} against the plan's ${run.treeSeed}/${run.seed}`;
  if (record.sha256 !== recordDigest(record)) return "sha256: the record's content does not match its digest (edited or damaged since it was written)";
  return null;
}

export interface RunFailure {
  readonly kind: "sirtsim-study-failure";
  readonly id: string;
  readonly error: string;
}

export const planPath = (dir: string): string => join(dir, "plan.json");
export const runPath = (dir: string, id: string): string => join(dir, "runs", `${id}.json`);
export const failurePath = (dir: string, id: string): string => join(dir, "runs", `${id}.error.json`);
export const treePath = (dir: string, key: string): string => join(dir, "trees", `${key}.bin`);

export async function writePlan(dir: string, plan: StudyPlan): Promise<void> {
  await writeFileAtomic(planPath(dir), `${JSON.stringify(plan, null, 1)}\n`);
}

/** The plan of a study directory; a missing or foreign file is invalid input naming it. */
export async function readPlan(dir: string): Promise<StudyPlan> {
  const path = planPath(dir);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new InputError(path, `${path}: no study plan here (run \`sirtsim study STUDY.json --out ${dir}\` first)`);
  }
  const plan = JSON.parse(text) as StudyPlan;
  if (plan.kind !== "sirtsim-study-plan") throw new InputError(path, `${path}: not a sirtsim study plan`);
  return plan;
}

/**
 * Run ids and tree keys embed the version that planned them: running (or collecting) an older
 * plan with this code would file new results under old names, or tabulate another version's.
 */
export function checkPlanVersion(dir: string, plan: StudyPlan): void {
  if (plan.sirtsimVersion !== sirtsimVersion()) {
    throw new InputError(planPath(dir), `${planPath(dir)} was planned by sirtsim ${plan.sirtsimVersion ?? "(unknown version)"}, this is ${sirtsimVersion()}: re-plan with \`sirtsim study STUDY.json --out ${dir}\` (finished runs of this version are kept)`);
  }
}

/** Ids of the runs with a finished record, and of those with a failure record. */
export async function runStates(dir: string): Promise<{ finished: Set<string>; failed: Set<string> }> {
  const finished = new Set<string>();
  const failed = new Set<string>();
  let names: string[] = [];
  try {
    names = await readdir(join(dir, "runs"));
  } catch {
    // No runs yet.
  }
  for (const name of names) {
    if (name.startsWith(".")) continue; // temporary files of atomic writes
    if (name.endsWith(".error.json")) failed.add(name.slice(0, -".error.json".length));
    else if (name.endsWith(".json")) finished.add(name.slice(0, -".json".length));
  }
  return { finished, failed };
}

/**
 * The record of `run` if it stands for it (recordProblem), else why not: `problem` null with no
 * record is a run not finished yet.
 */
export async function checkedRunRecord(dir: string, run: StudyRun): Promise<{ readonly record: RunRecord | null; readonly problem: string | null }> {
  let text: string;
  try {
    text = await readFile(runPath(dir, run.id), "utf8");
  } catch {
    return { record: null, problem: null };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { record: null, problem: `not JSON (${(err as Error).message})` };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return { record: null, problem: "not a JSON object" };
  const record = parsed as RunRecord;
  const problem = recordProblem(record, run);
  return problem === null ? { record, problem } : { record: null, problem };
}

export async function readFailure(dir: string, id: string): Promise<RunFailure | null> {
  try {
    return JSON.parse(await readFile(failurePath(dir, id), "utf8")) as RunFailure;
  } catch {
    return null;
  }
}

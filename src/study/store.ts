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
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import type { MetricValues } from "./metrics.js";
import type { StudyPlan } from "./plan.js";

export interface RunRecord {
  readonly kind: "sirtsim-study-run";
  readonly id: string;
  readonly sirtsimVersion: string;
  readonly metrics: MetricValues;
  /** Per VOI: D(v) at v = 0, 0.01, …, 1 (Gy). */
  readonly dvhDoseAtVolumeGy: Readonly<Record<string, readonly number[]>>;
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

export async function readRunRecord(dir: string, id: string): Promise<RunRecord | null> {
  try {
    return JSON.parse(await readFile(runPath(dir, id), "utf8")) as RunRecord;
  } catch {
    return null;
  }
}

export async function readFailure(dir: string, id: string): Promise<RunFailure | null> {
  try {
    return JSON.parse(await readFile(failurePath(dir, id), "utf8")) as RunFailure;
  } catch {
    return null;
  }
}

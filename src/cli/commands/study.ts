/**
 * `sirtsim study STUDY.json --out DIR [--executor local|slurm|none] [--workers N] [--json]`:
 * a parameter sweep with replicas (trees × seeds) per cell; tables of every run and of each cell's
 * mean, sd and 95 % intervals; study.html. Subcommands for array tasks and pods:
 * `sirtsim study run-slice DIR --index i --of n` and `sirtsim study collect DIR`. See docs/study.md.
 */
import type { Command } from "commander";
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { InputError } from "../../errors.js";
import { parseWorkers, withPool } from "../../parallel/withPool.js";
import { readCaseMask, readJsonFile } from "../../pipeline/files.js";
import { collectStudy, STUDY_FILES, type StudyTables } from "../../study/collect.js";
import { runList } from "../../study/html.js";
import { planStudy, type StudyPlan } from "../../study/plan.js";
import { runStudy, type RunStudyResult, type Slice } from "../../study/runner.js";
import { hasSbatch, slurmLogPattern, submitSlurmJob, writeSlurmJob } from "../../study/slurm.js";
import { readPlan, writePlan } from "../../study/store.js";
import { parseStudyFile, studyError } from "../../study/studyFile.js";
import { action, setInterruptNote } from "../run.js";
import { parseIntegerOption, printJson, printText } from "../output.js";

interface StudyOptions {
  out?: string;
  json?: boolean;
  workers?: string;
  executor?: string;
  slices?: string;
  cpusPerTask?: string;
  wait?: boolean;
}

const EXECUTORS = ["local", "slurm", "none"] as const;

export function registerStudy(program: Command): void {
  const study = program
    .command("study")
    .description("parameter sweep with trees × seeds per cell: runs.csv/json, cells.csv/json (mean, sd, 95 % intervals), study.html; resumable")
    .argument("<study>", "study file (JSON, docs/study.md)")
    // Not a commander requiredOption: commander would demand it of the subcommands too.
    .option("--out <dir>", "study directory, required (re-running skips the finished runs)")
    .option("--json", "print the outcome as one JSON document on stdout")
    .option("--workers <n>", "worker threads for each run (local executor; default: available cores; 1 = inline)")
    .option("--executor <name>", "local (this machine), slurm (an sbatch array job) or none (write plan.json only, for `study run-slice` elsewhere)", "local")
    .option("--slices <n>", "slurm: array tasks (default: min(runs, 32))")
    .option("--cpus-per-task <n>", "slurm: CPUs (worker threads) of each array task (default 1)")
    .option("--wait", "slurm: wait for the array job (sbatch --wait), then collect the tables")
    // `study run-slice … --workers N` and `study collect … --json` are the subcommands' own options
    // (with the program's enablePositionalOptions, main.ts): without this the parent's options of
    // the same names took them, and run-slice ran on every core whatever the SLURM job script
    // asked (a review).
    .enablePositionalOptions()
    .action(action(async (file: string, options: StudyOptions) => runStudyCommand(file, options)));
  study
    .command("run-slice")
    .description("run slice INDEX of OF of a study's runs (one SLURM array task or Kubernetes pod)")
    .argument("<dir>", "study directory holding plan.json")
    .requiredOption("--index <i>", "slice index, 0-based ($SLURM_ARRAY_TASK_ID, $JOB_COMPLETION_INDEX)")
    .requiredOption("--of <n>", "number of slices")
    .option("--workers <n>", "worker threads (default: available cores; 1 = inline)")
    .option("--json", "print the outcome as one JSON document on stdout")
    .action(action(async (dir: string, options: { index: string; of: string; workers?: string; json?: boolean }, command: Command) => {
      refuseParentOptions(command);
      await runSliceCommand(dir, options);
    }));
  study
    .command("collect")
    .description("build runs.csv/json, cells.csv/json and study.html from the finished runs of a study directory")
    .argument("<dir>", "study directory holding plan.json")
    .option("--json", "print the outcome as one JSON document on stdout")
    .action(action(async (dir: string, options: { json?: boolean }, command: Command) => {
      refuseParentOptions(command);
      await collectCommand(dir, Boolean(options.json));
    }));
}

/** Read and validate the study file and its base case: InputError before anything is written. */
export async function loadStudyPlan(file: string): Promise<StudyPlan> {
  const study = parseStudyFile(await readJsonFile(file), file);
  let baseCase: unknown;
  let casePath: string;
  if (typeof study.case === "string") {
    casePath = isAbsolute(study.case) ? study.case : resolve(dirname(resolve(file)), study.case);
    try {
      baseCase = await readJsonFile(casePath);
    } catch (err) {
      throw studyError(file, "case", err instanceof Error ? err.message : String(err));
    }
  } else {
    casePath = resolve(file);
    baseCase = study.case;
  }
  if (typeof baseCase !== "object" || baseCase === null || Array.isArray(baseCase)) throw studyError(file, "case", "the base case must be a JSON object");
  const mask = await readCaseMask(baseCase, casePath);
  return planStudy({ study, studyFile: file, baseCase: baseCase as Record<string, unknown>, casePath, ...(mask ? { maskGrid: mask.grid } : {}) });
}

/**
 * `sirtsim study --workers 4 run-slice …`: an option given to `study` before a subcommand belongs
 * to `study`, which does not run; refused (exit 2) rather than ignored.
 */
function refuseParentOptions(command: Command): void {
  const parent = command.parent;
  if (parent === null) return;
  const given = parent.options.map((o) => o.attributeName()).filter((name) => parent.getOptionValueSource(name) === "cli");
  if (given.length > 0) {
    const flags = given.map((name) => parent.options.find((o) => o.attributeName() === name)!.long ?? name);
    throw new InputError(flags[0], `${flags.join(", ")} given before \`${command.name()}\` belong${flags.length === 1 ? "s" : ""} to \`sirtsim study\`: put ${flags.length === 1 ? "it" : "them"} after \`${command.name()}\`${command.options.some((o) => flags.includes(o.long ?? "")) ? "" : ` (which has no such option)`}`);
  }
}

/** What a study directory holds (store.ts); its lock and temporary files start with a dot. */
const STUDY_DIR_ENTRIES = new Set(["plan.json", "runs", "trees", "slurm", ...STUDY_FILES]);

/**
 * A study writes into --out and resumes from it, so the folder must be empty, new, or a study's
 * own: another command's outputs or the user's files beside them are refused (exit 2 naming them)
 * rather than mixed with the study's (a review ran a study into a simulate output folder holding
 * notes of its own).
 */
function checkStudyDir(dir: string): void {
  if (!existsSync(dir)) return; // a new folder
  if (!statSync(dir).isDirectory()) throw new InputError("--out", `--out ${dir} is a file; name a folder for the study`);
  const names = readdirSync(dir);
  const foreign = names.filter((n) => !n.startsWith(".") && !STUDY_DIR_ENTRIES.has(n));
  if (foreign.length > 0) throw new InputError("--out", `--out ${dir} holds files a study did not write (${foreign.slice(0, 5).join(", ")}${foreign.length > 5 ? ", …" : ""}): name an empty or new folder, or the study's own`);
}

async function runStudyCommand(file: string, options: StudyOptions): Promise<void> {
  const json = Boolean(options.json);
  const dir = options.out;
  if (dir === undefined) throw new InputError("--out", "--out <dir> is required (the study directory)");
  const executor = options.executor ?? "local";
  if (!(EXECUTORS as readonly string[]).includes(executor)) throw new InputError("--executor", `--executor must be one of ${EXECUTORS.join(", ")}, got ${JSON.stringify(executor)}`);
  const workers = parseWorkers(options.workers);
  const cpusPerTask = parseIntegerOption("--cpus-per-task", options.cpusPerTask ?? "1", 1, 256);
  if (executor !== "slurm") {
    for (const [name, given] of [["--slices", options.slices], ["--wait", options.wait]] as const) {
      if (given !== undefined) throw new InputError(name, `${name} applies to --executor slurm only`);
    }
    if (options.cpusPerTask !== undefined) throw new InputError("--cpus-per-task", "--cpus-per-task applies to --executor slurm only");
  }
  if (executor !== "local" && options.workers !== undefined) throw new InputError("--workers", "--workers applies to --executor local (SLURM tasks use --cpus-per-task)");
  if (executor === "slurm" && !hasSbatch()) throw new InputError("--executor", "--executor slurm: sbatch is not on PATH (install SLURM's client, or use --executor local)");
  const plan = await loadStudyPlan(file);
  checkStudyDir(dir);
  const distinct = new Set(plan.runs.map((r) => r.id)).size;
  const slices = options.slices !== undefined ? parseIntegerOption("--slices", options.slices, 1, distinct) : Math.min(distinct, 32);
  await mkdir(dir, { recursive: true });
  await writePlan(dir, plan);
  const log = (m: string) => printText(m, true);
  log(`study "${plan.name}": ${plan.cells.length} cell(s) × ${plan.replicas.trees} tree(s) × ${plan.replicas.seeds} seed(s) = ${plan.runs.length} runs (${distinct} distinct) → ${dir}`);

  if (executor === "none") {
    const result = { dir, plan: resolve(dir, "plan.json"), runs: plan.runs.length, distinctRuns: distinct };
    if (json) printJson(result);
    else printText(`wrote ${result.plan}; run the slices with \`sirtsim study run-slice ${dir} --index i --of n\`, then \`sirtsim study collect ${dir}\``, false);
    return;
  }
  if (executor === "slurm") {
    const script = await writeSlurmJob(dir, { slices, cpusPerTask });
    const submitted = await submitSlurmJob(script, Boolean(options.wait), slurmLogPattern(dir));
    if (submitted.jobId === "" || (!options.wait && submitted.exitCode !== 0)) throw new Error(`sbatch failed (exit ${submitted.exitCode}): ${submitted.stderr.trim()}`);
    log(`submitted SLURM array job ${submitted.jobId} (${slices} tasks, ${script})`);
    if (!options.wait) {
      if (json) printJson({ dir, jobId: submitted.jobId, slices, runs: plan.runs.length });
      else printText(`job ${submitted.jobId}: when it ends, \`sirtsim study collect ${dir}\` builds the tables`, false);
      return;
    }
    if (submitted.exitCode !== 0) log(`sbatch --wait: exit ${submitted.exitCode} (a task failed; collecting what finished)`);
    const tables = await collectStudy(dir, plan);
    report(dir, plan, tables, { jobId: submitted.jobId }, json);
    return;
  }
  noteKeptRuns(dir);
  const result = await withPool(workers, (pool) => runStudy(dir, plan, { pool, log }));
  const tables = await collectStudy(dir, plan);
  report(dir, plan, tables, result, json);
}

/** On Ctrl-C: each finished run's record is complete and kept (written atomically); say so, and how to resume. */
function noteKeptRuns(dir: string): void {
  setInterruptNote(() => {
    let finished = 0;
    try {
      finished = readdirSync(resolve(dir, "runs")).filter((f) => f.endsWith(".json") && !f.endsWith(".error.json")).length;
    } catch {
      // no runs folder yet
    }
    return `${finished} finished run record(s) kept in ${resolve(dir, "runs")} (no partial record); run the same command again to resume`;
  });
}

async function runSliceCommand(dir: string, options: { index: string; of: string; workers?: string; json?: boolean }): Promise<void> {
  const count = parseIntegerOption("--of", options.of, 1, 1_000_000);
  const slice: Slice = { index: parseIntegerOption("--index", options.index, 0, count - 1), count };
  const workers = parseWorkers(options.workers);
  const plan = await readPlan(dir);
  const log = (m: string) => printText(m, true);
  noteKeptRuns(dir);
  const result = await withPool(workers, (pool) => runStudy(dir, plan, { pool, log, slice }));
  const doc = { dir, slice, ran: result.ran, skipped: result.skipped, failed: result.failures };
  // Failed runs are recorded (runs/<id>.error.json) and reported by `collect`; the task itself
  // succeeds so that the other slices' results are collected as usual.
  if (options.json) printJson(doc);
  else printText(`slice ${slice.index}/${slice.count}: ${result.ran} run(s) done, ${result.skipped} already finished, ${result.failures.length} failed`, false);
}

async function collectCommand(dir: string, json: boolean): Promise<void> {
  const plan = await readPlan(dir);
  const tables = await collectStudy(dir, plan);
  report(dir, plan, tables, {}, json, `run \`sirtsim study STUDY.json --out ${dir}\` (or the missing slices) to redo them, then collect again`);
}

/** Print the outcome; a failed or missing run makes the exit code 1 (the tables are written). */
function report(dir: string, plan: StudyPlan, tables: StudyTables, run: Partial<RunStudyResult> & { jobId?: string }, json: boolean, redo = "re-run the same command to redo them"): void {
  const doc = {
    dir,
    runs: plan.runs.length,
    cells: plan.cells.length,
    finished: tables.finished,
    ...(run.ran !== undefined ? { ran: run.ran, skippedFinished: run.skipped } : {}),
    ...(run.jobId !== undefined ? { jobId: run.jobId } : {}),
    failed: tables.failed,
    missing: tables.missing,
    warnings: tables.warnings,
    files: [...STUDY_FILES],
  };
  // The runs' warnings and notes, as `simulate` gives them, on stderr in both modes (with --json also in the document).
  for (const w of tables.warnings) process.stderr.write(`${w.text.startsWith("warning") ? "warning" : "note"} (${w.runs.length} of ${tables.finished} runs: ${runList(w.runs)}): ${w.text.replace(/^(warning|note): /, "")}\n`);
  if (json) printJson(doc);
  else {
    const lines = [`${tables.finished}/${plan.runs.length} runs finished${run.ran !== undefined ? ` (${run.ran} run now, ${run.skipped} skipped as already finished)` : ""}; ${tables.failed.length} failed, ${tables.missing} missing`];
    for (const f of tables.failed) lines.push(`  run ${f.run} (${f.id.slice(0, 12)}) failed: ${f.error}`);
    lines.push(`wrote ${STUDY_FILES.join(", ")} to ${dir}`);
    printText(lines.join("\n"), false);
  }
  if (tables.failed.length > 0 || tables.missing > 0) {
    process.stderr.write(`error: ${tables.failed.length} run(s) failed and ${tables.missing} missing; ${redo}\n`);
    process.exitCode = 1;
  }
}

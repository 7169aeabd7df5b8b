/**
 * The SLURM executor: a job array whose task i runs slice i of the study's runs
 * (`sirtsim study run-slice DIR --index $SLURM_ARRAY_TASK_ID --of N`), submitted with sbatch, the
 * way GATE users split Monte Carlo runs. Partition, time limit and account come from sbatch's own
 * input environment variables (SBATCH_PARTITION, SBATCH_TIMELIMIT, SBATCH_ACCOUNT), so no option
 * here repeats sbatch's. The study directory must be on a filesystem the compute nodes share.
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "../io/atomic.js";

export interface SlurmJobOptions {
  readonly slices: number;
  readonly cpusPerTask: number;
}

/** Quote for a POSIX shell. */
const sh = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The command that runs this sirtsim: node and the CLI entry point next to this module. */
export function sirtsimCommand(): string[] {
  return [process.execPath, fileURLToPath(new URL("../cli/main.js", import.meta.url))];
}

/** Write DIR/slurm/job.sh (the array task body); returns its path. */
export async function writeSlurmJob(dir: string, options: SlurmJobOptions): Promise<string> {
  const abs = resolve(dir);
  await mkdir(join(abs, "slurm", "logs"), { recursive: true });
  const path = join(abs, "slurm", "job.sh");
  const command = [...sirtsimCommand().map(sh), "study", "run-slice", sh(abs), "--index", '"$SLURM_ARRAY_TASK_ID"', "--of", String(options.slices), "--workers", '"${SLURM_CPUS_PER_TASK:-1}"'].join(" ");
  const script = `#!/bin/sh
# One task of a sirtsim study's SLURM array (written by \`sirtsim study --executor slurm\`):
# task i runs slice i of ${options.slices} of the runs in ${abs}/plan.json; finished runs are skipped.
#SBATCH --job-name=sirtsim-study
#SBATCH --cpus-per-task=${options.cpusPerTask}
#SBATCH --array=0-${options.slices - 1}
# The log path (${abs}/slurm/logs/slice-%a.log) is given on sbatch's command line, not here: an
# #SBATCH line is split at spaces, so a study folder with a space in its name would break it.
set -e
exec ${command}
`;
  await writeFileAtomic(path, script);
  return path;
}

export interface SubmitResult {
  readonly jobId: string;
  /** sbatch's exit code (with --wait: non-zero when a task failed). */
  readonly exitCode: number;
  readonly stderr: string;
}

/** Where the array tasks of the study in `dir` write their logs (sbatch's %a is the task index). */
export function slurmLogPattern(dir: string): string {
  return join(resolve(dir), "slurm", "logs", "slice-%a.log");
}

/**
 * `sbatch --parsable --output=LOGS [--wait] job.sh`: the array job id (and, with wait, when every
 * task ended). Arguments go to sbatch without a shell, so paths with spaces survive.
 */
export function submitSlurmJob(jobScript: string, wait: boolean, logPattern: string): Promise<SubmitResult> {
  return new Promise((resolvePromise, reject) => {
    const args = ["--parsable", `--output=${logPattern}`, ...(wait ? ["--wait"] : []), jobScript];
    const child = spawn("sbatch", args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const jobId = stdout.trim().split(/\s+/)[0]?.split(";")[0] ?? "";
      resolvePromise({ jobId, exitCode: code ?? 1, stderr });
    });
  });
}

/** Is sbatch on PATH? */
export function hasSbatch(): boolean {
  const dirs = (process.env.PATH ?? "").split(":");
  return dirs.some((d) => d !== "" && existsSyncExecutable(join(d, "sbatch")));
}

function existsSyncExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

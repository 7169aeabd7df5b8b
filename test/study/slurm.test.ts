/**
 * A tiny study through a real SLURM cluster (sbatch array job, one task per slice) gives the same
 * tables, byte for byte, as the local executor. Needs `sbatch` and a running cluster
 * (scripts/slurm-local.sh start); it is skipped with a message otherwise, unless
 * SIRTSIM_REQUIRE_SLURM=1 (set by .ci/run), which turns the skip into a failure.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { tinyStudy } from "./tinyStudy.js";

const main = resolve(import.meta.dirname, "../../dist/src/cli/main.js");

function slurmAvailable(): string | null {
  const sinfo = spawnSync("sinfo", ["-h", "-o", "%a"], { encoding: "utf8" });
  if (sinfo.error) return "sbatch/sinfo not found on PATH";
  if (sinfo.status !== 0) return `no SLURM cluster answers (sinfo: ${sinfo.stderr.trim()}); start one with scripts/slurm-local.sh start`;
  return null;
}

const missing = slurmAvailable();
const required = process.env.SIRTSIM_REQUIRE_SLURM === "1";
if (missing !== null && !required) console.warn(`skipping the SLURM executor test: ${missing}`);

describe("sirtsim study --executor slurm", () => {
  it.skipIf(missing !== null && !required)("an sbatch array job gives the local executor's tables byte for byte", () => {
    expect(missing, "SIRTSIM_REQUIRE_SLURM=1 but SLURM is unavailable").toBeNull();
    const dir = mkdtempSync(join(tmpdir(), "sirtsim study slurm "));
    try {
      const file = join(dir, "study.json");
      // A folder with spaces in its name: the job script and sbatch's arguments must quote it.
      writeFileSync(file, JSON.stringify(tinyStudy({ replicas: { trees: 1, seeds: 1 } })));
      const local = spawnSync(process.execPath, [main, "study", file, "--out", join(dir, "local"), "--workers", "1", "--json"], { encoding: "utf8" });
      expect(local.status, local.stderr).toBe(0);
      const slurm = spawnSync(process.execPath, [main, "study", file, "--out", join(dir, "slurm"), "--executor", "slurm", "--slices", "2", "--wait", "--json"], { encoding: "utf8" });
      expect(slurm.status, slurm.stderr).toBe(0);
      const doc = JSON.parse(slurm.stdout) as { jobId: string; finished: number };
      expect(doc.jobId).toMatch(/^\d+$/);
      expect(doc.finished).toBe(2);
      // Each array task ran its slice (one log per task).
      for (const i of [0, 1]) expect(readFileSync(join(dir, "slurm", "slurm", "logs", `slice-${i}.log`), "utf8")).toContain(`slice ${i}/2`);
      for (const name of ["runs.csv", "runs.json", "cells.csv", "cells.json", "study.html"]) {
        expect(readFileSync(join(dir, "slurm", name)).equals(readFileSync(join(dir, "local", name))), name).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

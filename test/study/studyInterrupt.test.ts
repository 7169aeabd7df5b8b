/**
 * Ctrl-C during `sirtsim study` (a real process): exit 130, the message says which finished run
 * records are kept (not "no output written"), no half-written file is left, and the same command
 * then resumes: the kept runs are skipped and the tables are complete.
 */
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI_MAIN, runSirtsim } from "../helpers/cli.js";
import { tinyStudy } from "./tinyStudy.js";

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

describe("sirtsim study interrupted", () => {
  it("SIGINT after the first finished run: exit 130, the kept records named, nothing partial; the re-run resumes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sirtsim-study-int-"));
    try {
      const studyFile = join(dir, "study.json");
      // 3 values × 1 tree × 2 seeds = 6 runs: time to interrupt after the first.
      await writeFile(studyFile, JSON.stringify(tinyStudy({ vary: [{ path: "lungShuntFraction", values: [0.05, 0.1, 0.15] }] })));
      const out = join(dir, "out");
      const child = spawn(process.execPath, [CLI_MAIN, "study", studyFile, "--out", out, "--workers", "1"], { stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += String(d)));
      const finished = () => (existsSync(join(out, "runs")) ? readdirSync(join(out, "runs")).filter((f) => f.endsWith(".json") && !f.endsWith(".error.json")).length : 0);
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      let done = false;
      void exited.then(() => (done = true));
      while (!done && finished() === 0) await new Promise((r) => setTimeout(r, 50));
      if (done) throw new Error(`the study ended before it could be interrupted: ${stderr}`);
      child.kill("SIGINT");
      const code = await exited;
      expect(code).toBe(130);
      const kept = finished();
      expect(kept).toBeGreaterThan(0);
      expect(stderr).toMatch(new RegExp(`interrupted \\(SIGINT\\): ${kept} finished run record\\(s\\) kept in .*runs .*run the same command again to resume`));
      expect(stderr).not.toContain("no output written");
      // Every file left is whole: records parse, nothing staged.
      for (const f of allFiles(out)) {
        expect(f).not.toMatch(/\.tmp|staging/);
        if (f.endsWith(".json")) expect(() => JSON.parse(readFileSync(f, "utf8"))).not.toThrow();
      }

      const again = runSirtsim(["study", studyFile, "--out", out, "--workers", "1", "--json"]);
      expect(again.code, again.stderr).toBe(0);
      const doc = JSON.parse(again.stdout);
      expect(doc.skippedFinished).toBe(kept);
      expect(doc.ran).toBe(6 - kept);
      expect(readFileSync(join(out, "runs.csv"), "utf8").trim().split("\n")).toHaveLength(7);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

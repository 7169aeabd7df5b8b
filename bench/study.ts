/**
 * Study benchmark (issue 17): 4 values × 5 trees × 2 seeds = 40 runs of the default case at 2e4
 * terminals, through the real CLI (`sirtsim study … --workers W`), the varied field being the
 * embolic capacity (transport.embolic.capacitySpheres: 125, 250, 500, 1000), which leaves the
 * tree alone, so 5 trees are grown for 40 runs. Baseline in the same session: one run of the same
 * case alone (1 cell × 1 tree × 1 seed, fresh directory); the ratio study / (40 × one run) shows
 * what tree reuse and a warm pool save. Target: ≤ 5 min on 2 cores.
 *
 *   npm run build && npx tsx bench/study.ts [workers=2]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const main = join(root, "dist/src/cli/main.js");
const workers = process.argv[2] ?? "2";
const baseCase = JSON.parse(readFileSync(join(root, "fixtures/cases/net-default.json"), "utf8")) as Record<string, unknown>;

/** Wall time, CPU time (user + sys of the CLI process and its threads, from bash's `time`) and finished runs. */
function study(dir: string, name: string, vary: unknown[], trees: number, seeds: number): { seconds: number; cpuSeconds: number; runs: number } {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, case: baseCase, set: { "tree.terminals": 20000 }, vary, replicas: { trees, seeds } }));
  const t0 = process.hrtime.bigint();
  const quoted = [process.execPath, main, "study", file, "--out", join(dir, name), "--workers", workers, "--json"].map((a) => `'${a}'`).join(" ");
  const r = spawnSync("bash", ["-c", `TIMEFORMAT='cpu %U %S'; time ${quoted}`], { encoding: "utf8" });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${name}: exit ${r.status}: ${r.stderr}`);
  const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { seconds, cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN, runs: (JSON.parse(r.stdout) as { finished: number }).finished };
}

const dir = mkdtempSync(join(tmpdir(), "sirtsim-bench-study-"));
try {
  const one = study(dir, "baseline", [], 1, 1);
  const full = study(dir, "sweep", [{ path: "transport.embolic.capacitySpheres", values: [125, 250, 500, 1000] }], 5, 2);
  const again = study(dir, "sweep", [{ path: "transport.embolic.capacitySpheres", values: [125, 250, 500, 1000] }], 5, 2);
  console.log(`| what | runs | wall s | CPU s (user + sys) | wall s per run |`);
  console.log(`|---|---:|---:|---:|---:|`);
  console.log(`| one run alone (baseline) | ${one.runs} | ${one.seconds.toFixed(1)} | ${one.cpuSeconds.toFixed(1)} | ${one.seconds.toFixed(1)} |`);
  console.log(`| study 4 × 5 trees × 2 seeds | ${full.runs} | ${full.seconds.toFixed(1)} | ${full.cpuSeconds.toFixed(1)} | ${(full.seconds / full.runs).toFixed(1)} |`);
  console.log(`| same study again (all skipped, tables rebuilt) | ${again.runs} | ${again.seconds.toFixed(1)} | ${again.cpuSeconds.toFixed(1)} | – |`);
  console.log(`\nload average at the end: ${loadavg().map((x) => x.toFixed(1)).join(", ")} on ${availableParallelism()} cores`);
  console.log(`\nstudy / (40 × baseline) = ${(full.seconds / (40 * one.seconds)).toFixed(2)}; workers ${workers}; target ≤ 300 s: ${full.seconds <= 300 ? "met" : "NOT met"}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

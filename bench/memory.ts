/**
 * Peak memory of `sirtsim simulate` against the estimate of src/pipeline/memory.ts (issue 19 §2).
 * Each configuration runs the real CLI (dist/, `npm run build` first) in a fresh process under
 * /usr/bin/time, whose "%M" is the peak resident set size; the estimate is computed from the same
 * case. The coefficients of memory.ts are chosen so that estimate / measured ≥ 1 on every row.
 *
 *   npx tsx bench/memory.ts                 # the recorded table of bench/memory.md
 *   npx tsx bench/memory.ts 2000:4 20000:2  # terminals:voxelMm pairs
 *
 * RSS depends a little on the machine (page sizes, the allocator) and on what else runs: treat the
 * ratios, not the megabytes, as the result.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadSimulationCase } from "../src/pipeline/caseInput.js";
import { estimateCaseMemory, formatBytes } from "../src/pipeline/memory.js";
import { smallCase } from "../test/pipeline/smallCase.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const main = join(root, "dist/src/cli/main.js");

/** The test case of test/pipeline/smallCase.ts (two tumours, feedback off) at the given size. */
function caseJson(terminals: number, voxelMm: number): Record<string, unknown> {
  return smallCase({ name: `memory ${terminals} terminals, ${voxelMm} mm`, tree: { terminals, seed: 3 }, dose: { voxelMm } });
}

const DEFAULT = ["2000:4", "20000:4", "100000:4", "300000:4", "2000:2", "2000:1.5", "2000:1.2", "2000:1", "100000:1.5"];
const configs = (process.argv.length > 2 ? process.argv.slice(2) : DEFAULT).map((s) => s.split(":").map(Number) as [number, number]);

const dir = mkdtempSync(join(tmpdir(), "sirtsim-memory-"));
const rows: string[] = [];
console.log("| terminals | voxel mm | dose grid | measured peak RSS | estimate | estimate / measured | seconds |");
console.log("|---:|---:|---|---:|---:|---:|---:|");
for (const [terminals, voxelMm] of configs) {
  const json = caseJson(terminals, voxelMm);
  const file = join(dir, `case-${terminals}-${voxelMm}.json`);
  writeFileSync(file, JSON.stringify(json));
  const simCase = loadSimulationCase(json, file);
  const estimate = estimateCaseMemory(simCase);
  const dims = estimate.parts.find((p) => p.name.startsWith("dose grids"))?.name.replace(/^dose grids \((.*) voxels.*$/, "$1") ?? "";
  const r = spawnSync("/usr/bin/time", ["-f", "TIME %M %e", process.execPath, main, "simulate", file, "--out", join(dir, "out"), "--workers", "1", "--json", "--max-memory", "64 GiB"], { encoding: "utf8" });
  const m = /TIME (\d+) ([\d.]+)/.exec(r.stderr);
  if (r.status !== 0 || !m) {
    console.error(r.stderr);
    throw new Error(`run ${terminals}:${voxelMm} failed (exit ${r.status})`);
  }
  const rssBytes = Number(m[1]) * 1024;
  const row = `| ${terminals.toLocaleString("en")} | ${voxelMm} | ${dims} | ${formatBytes(rssBytes)} | ${formatBytes(estimate.bytes)} | ${(estimate.bytes / rssBytes).toFixed(2)} | ${m[2]} |`;
  rows.push(row);
  console.log(row);
}
rmSync(dir, { recursive: true, force: true });

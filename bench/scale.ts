/**
 * Scale benchmark (issue 14): the default case (fixtures/cases/net-default.json) with embolic
 * feedback at portal-tract resolution, 1.5e6 terminals, through the same stages as `sirtsim
 * simulate` (src/cli/commands/simulate.ts), each timed in wall AND CPU seconds (process CPU:
 * main thread plus the pool's workers), with peak RSS and the memory estimate that `simulate`
 * checks before any work (src/pipeline/memory.ts).
 *
 *   npm run build && npx tsx bench/scale.ts                  # 1.5e6 terminals, 2 workers
 *   npx tsx bench/scale.ts 100000 2                           # terminals, workers
 *
 * Stages: tree growth on the pool as `simulate` grows it (src/parallel/tree.ts), split into
 * terminal sites, territory tessellation (its owner search on every worker), growth, sizing and
 * flow (Murray radii, Poiseuille solve), clearance check (GrowthStats.stageSeconds); plan and transport
 * with feedback (simulateCoreParallel on the given tree); deposit (lodging positions counted into
 * the dose grid); dose (FFT and local deposition, VOI metrics); outputs (stage files and every
 * file `simulate` writes, into a temporary directory removed afterwards). The machine is shared:
 * print `uptime` with the numbers; CPU seconds are the better guide.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveCase } from "../src/pipeline/resolveCase.js";
import { growTreeDetailedOnPool } from "../src/parallel/tree.js";
import { simulateCoreParallel, depositLodgedSpheresParallel } from "../src/pipeline/simulate.js";
import { finishSimulation } from "../src/pipeline/finish.js";
import { writeSimulationOutputs } from "../src/pipeline/outputs.js";
import { caseIdentity, encodeSimulationStageFiles } from "../src/pipeline/stageFiles.js";
import { estimateCaseMemory } from "../src/pipeline/memory.js";
import { withPool } from "../src/parallel/withPool.js";
import { doseStageOptions } from "../src/cli/commands/simulate.js";

const CASE = fileURLToPath(new URL("../fixtures/cases/net-default.json", import.meta.url));
const terminals = Number(process.argv[2] ?? 1_500_000);
const workers = Number(process.argv[3] ?? 2);

interface Row {
  stage: string;
  wall: number;
  cpu: number;
}
const rows: Row[] = [];

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function timed<T>(stage: string, fn: () => Promise<T> | T): Promise<T> {
  const wall0 = performance.now();
  const cpu0 = cpuNow();
  const out = await fn();
  rows.push({ stage, wall: (performance.now() - wall0) / 1000, cpu: cpuNow() - cpu0 });
  return out;
}

async function main(): Promise<void> {
  const json = JSON.parse(readFileSync(CASE, "utf8")) as Record<string, unknown> & { tree: Record<string, unknown> };
  json.tree = { ...json.tree, terminals };
  const file = { json, path: CASE };
  const simCase = resolveCase(file);
  const estimate = estimateCaseMemory(simCase);
  const load0 = loadavg();
  let wall0 = 0;
  let cpu0 = 0;

  const out = mkdtempSync(join(tmpdir(), "sirtsim-scale-"));
  let batches = 0;
  let spheres = 0;
  let refluxFraction = 0;
  try {
    await withPool(workers, async (pool) => {
      // Start the workers and load their modules before the clock: under tsx a worker's first unit
      // loads dist/ through tsx's loader (seconds), which the CLI (plain node) does not pay.
      await pool.runAll(Array.from({ length: workers }, (_, k) => ({ kind: "parallel.echo", unitId: `warm-${k}`, input: { value: k, spinIterations: 1e7 } })));
      wall0 = performance.now();
      cpu0 = cpuNow();
      // As `simulate` grows it: on the pool (the tessellation's owner search on every worker).
      const { tree, stats } = await growTreeDetailedOnPool(pool, simCase.domain, simCase.tree, simCase.tree.seed, simCase.integral);
      for (const [stage, s] of Object.entries(stats.stageSeconds)) rows.push({ stage: `tree: ${stage}`, wall: s.wall, cpu: s.cpu });
      const core = await timed("plan + transport (feedback)", () =>
        simulateCoreParallel(simCase, { stages: { tree }, pool, onTransportProgress: (_i, total, b) => ((batches = b), (spheres = total)) }),
      );
      refluxFraction = (core.transport.spheres.reflux ?? 0) / Math.max(1, spheres);
      const part = await timed("deposit (lodging positions)", () => depositLodgedSpheresParallel(simCase, core, pool));
      const outputs = await timed("dose (FFT + LDM, metrics)", () => finishSimulation(simCase, core, part.counts, part.outsideGrid, doseStageOptions(pool, true), part.unitClusters ?? null));
      await timed("outputs (stage files, NIfTI, VTP, report)", async () => {
        const files = encodeSimulationStageFiles(caseIdentity(simCase), core, simCase.seed);
        await writeSimulationOutputs(out, json, core, outputs, files);
      });
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  const total = { wall: (performance.now() - wall0) / 1000, cpu: cpuNow() - cpu0 };
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const f = (x: number) => x.toFixed(1).padStart(7);
  console.log(`net-default.json, ${terminals.toLocaleString("en")} terminals, embolic feedback on, ${workers} worker(s); load average at start ${load0.map((x) => x.toFixed(1)).join(" ")}, at end ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  console.log(`transport: ${spheres.toLocaleString("en")} spheres in ${batches} batches, reflux ${(100 * refluxFraction).toFixed(1)} %`);
  console.log(`| stage | wall s | CPU s |\n|---|---:|---:|`);
  for (const r of rows) console.log(`| ${r.stage} | ${f(r.wall)} | ${f(r.cpu)} |`);
  console.log(`| **total** | ${f(total.wall)} | ${f(total.cpu)} |`);
  console.log(`peak RSS ${peakRssMb.toFixed(0)} MB; memory estimate (src/pipeline/memory.ts) ${(estimate.bytes / 2 ** 20).toFixed(0)} MiB: ${estimate.parts.map((p) => `${p.name} ${(p.bytes / 2 ** 20).toFixed(0)}`).join(", ")}`);
}

await main();

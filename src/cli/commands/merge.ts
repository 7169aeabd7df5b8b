/**
 * `sirtsim merge SHARD_DIR… --out DIR [--json]`: combine the partial results of
 * `sirtsim simulate --shard i/n` runs into the full simulation's outputs. The shards must come
 * from the same case file, tree and transport result (checked by SHA-256) and cover every slice
 * 0..n−1 exactly once; their count grids hold integers, so the sum is exact and the outputs equal
 * a single run's bit for bit.
 */
import type { Command } from "commander";
import { join } from "node:path";
import { InputError } from "../../errors.js";
import { withOutputDir } from "../../io/atomic.js";
import type { GridGeometry } from "../../geometry/index.js";
import { deserializeTree } from "../../vascular/index.js";
import { loadSimulationCase } from "../../pipeline/caseInput.js";
import { simulateCore } from "../../pipeline/simulate.js";
import { finishSimulation } from "../../pipeline/finish.js";
import { writeSimulationOutputs } from "../../pipeline/outputs.js";
import { readBytes, readCaseMask, readJsonFile } from "../../pipeline/files.js";
import { decodeCounts, decodeTransport, sha256 } from "../../pipeline/stageFiles.js";
import { checkMemory, estimateCaseMemory, MAX_MEMORY_OPTION, memoryLimitBytes, SIMULATION_MEMORY_HINT } from "../../pipeline/memory.js";
import { action } from "../run.js";
import { printJson, printText } from "../output.js";
import { doseStageOptions, humanSummary } from "./simulate.js";
import { parseWorkers, withPool } from "../../parallel/withPool.js";

interface ShardManifest {
  kind: string;
  shard: { index: number; count: number };
  outsideGridSpheres: number;
  grid: GridGeometry;
  caseSha256: string;
  treeSha256: string;
  lodgedSha256: string;
  casePath: string;
  seed: number;
}

export function registerMerge(program: Command): void {
  program
    .command("merge")
    .description("combine the partial results of `sirtsim simulate --shard i/n` into the full outputs")
    .argument("<shardDirs...>", "output directories of the shards (all of 0..n-1)")
    .requiredOption("--out <dir>", "output directory")
    .option("--json", "print the summary as one JSON document on stdout")
    .option("--workers <n>", "worker threads for the dose (default: available cores; 1 = inline)")
    .option(...MAX_MEMORY_OPTION)
    .action(action(async (dirs: string[], options: { out: string; json?: boolean; workers?: string; maxMemory?: string }) => runMerge(dirs, options)));
}

export async function runMerge(dirs: readonly string[], options: { out: string; json?: boolean; workers?: string; maxMemory?: string }): Promise<void> {
  const workers = parseWorkers(options.workers);
  const memoryLimit = memoryLimitBytes(options.maxMemory);
  const manifests: ShardManifest[] = [];
  for (const dir of dirs) {
    const m = (await readJsonFile(join(dir, "shard.json"))) as ShardManifest;
    if (m?.kind !== "sirtsim-shard") throw new InputError(dir, `${dir}/shard.json is not a sirtsim shard manifest`);
    manifests.push(m);
  }
  const first = manifests[0];
  const n = first.shard.count;
  const seen = new Set<number>();
  manifests.forEach((m, i) => {
    for (const key of ["caseSha256", "treeSha256", "lodgedSha256"] as const) {
      if (m[key] !== first[key]) throw new InputError(dirs[i], `${dirs[i]}: ${key} differs from ${dirs[0]}'s — the shards come from different runs`);
    }
    if (m.shard.count !== n) throw new InputError(dirs[i], `${dirs[i]}: shard ${m.shard.index}/${m.shard.count} does not belong to a split into ${n}`);
    if (seen.has(m.shard.index)) throw new InputError(dirs[i], `${dirs[i]}: shard ${m.shard.index}/${n} is given twice`);
    seen.add(m.shard.index);
  });
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) throw new InputError("shardDirs", `shards ${missing.map((i) => `${i}/${n}`).join(", ")} are missing`);

  // Shared inputs from the first shard, verified against the manifest hashes.
  const caseBytes = await readBytes(join(dirs[0], "case.json"), "case.json");
  if (sha256(caseBytes) !== first.caseSha256) throw new InputError(dirs[0], `${dirs[0]}/case.json does not match its manifest`);
  const treeBytes = await readBytes(join(dirs[0], "tree.bin"), "tree.bin");
  if (sha256(treeBytes) !== first.treeSha256) throw new InputError(dirs[0], `${dirs[0]}/tree.bin does not match its manifest`);
  const lodgedBytes = await readBytes(join(dirs[0], "lodged.bin"), "lodged.bin");
  if (sha256(lodgedBytes) !== first.lodgedSha256) throw new InputError(dirs[0], `${dirs[0]}/lodged.bin does not match its manifest`);

  const caseJson = JSON.parse(Buffer.from(caseBytes).toString("utf8")) as Record<string, unknown>;
  const mask = await readCaseMask(caseJson, first.casePath);
  const simCase = loadSimulationCase(caseJson, first.casePath, mask?.grid);
  checkMemory(estimateCaseMemory(simCase), memoryLimit, SIMULATION_MEMORY_HINT);
  const tree = deserializeTree(treeBytes);
  const transport = decodeTransport(await readJsonFile(join(dirs[0], "transport.json")), lodgedBytes, join(dirs[0], "lodged.bin"));
  const core = simulateCore(simCase, { stages: { tree, transport } });

  // Sum the shards' integer count grids in shard order.
  const order = manifests.map((m, i) => ({ index: m.shard.index, dir: dirs[i], m })).sort((a, b) => a.index - b.index);
  let counts = null as ReturnType<typeof decodeCounts> | null;
  let outside = 0;
  for (const { dir, m } of order) {
    const part = decodeCounts(await readBytes(join(dir, "counts.bin"), "counts.bin"), m.grid, join(dir, "counts.bin"));
    outside += m.outsideGridSpheres;
    if (counts === null) counts = part;
    else for (let v = 0; v < counts.data.length; v++) counts.data[v] += part.data[v];
  }
  const outputs = await withPool(workers, (pool) => finishSimulation(simCase, core, counts!, outside, doseStageOptions(pool, Boolean(options.json))));
  await withOutputDir(options.out, (dir) => writeSimulationOutputs(dir, caseJson, core, outputs));
  if (options.json) printJson(outputs.summary);
  else printText(humanSummary(outputs.summary, options.out), false);
}

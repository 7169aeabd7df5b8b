/**
 * `sirtsim merge SHARD_DIR… --out DIR [--json]`: combine the partial results of
 * `sirtsim simulate --shard i/n` runs into the full simulation's outputs. Their count grids hold
 * integers, so the sum is exact and the outputs equal a single run's bit for bit.
 *
 * Nothing is merged on trust (docs/parallel.md, "What merge checks"): every counts.bin's checksum
 * and header; shard.json against that header, field by field; one run (same case, tree, transport
 * hashes, same n); indices integers in [0, n), each once, all n present, n within the work units;
 * the case, tree.bin, lodged.bin and transport.json of the first shard against the hashes, and
 * those four files of every other shard byte for byte (SHA-256) against the first's; each
 * grid against the case's dose grid; and each shard's spheres (grid + outside) against the lodged
 * counts of its own work units, which no edited header can fake. Any mismatch exits 2 naming the
 * file and what differs, before the dose stage; nothing is written.
 */
import type { Command } from "commander";
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../../errors.js";
import { sirtsimVersion } from "../../io/results.js";
import { runIntoOutputDir, type OutputDir } from "../../io/atomic.js";
import { caseFileFromJson, resolveCase } from "../../pipeline/resolveCase.js";
import { withPatientImages, writePatientRtDose } from "../../pipeline/patientImages.js";
import { simulateCore } from "../../pipeline/simulate.js";
import { finishSimulation, simulationWarnings } from "../../pipeline/finish.js";
import { warnOnStderr } from "../safety.js";
import { simulationFiles, writeSimulationOutputs } from "../../pipeline/outputs.js";
import { doseGridGeometry } from "../../pipeline/doseStage.js";
import { readBytes, readJsonFile, readStageInputs } from "../../pipeline/files.js";
import { caseIdentity, decodeCountsFile, differingFields, encodeSimulationStageFiles, type ShardManifest } from "../../pipeline/stageFiles.js";
import { SEGMENTS_PER_BLOCK } from "../../parallel/deposit.js";
import { workUnitCount } from "../../parallel/shard.js";
import { checkMemory, estimateCaseMemory, MAX_MEMORY_OPTION, memoryLimitBytes, SIMULATION_MEMORY_HINT } from "../../pipeline/memory.js";
import { action } from "../run.js";
import { printJson, printText } from "../output.js";
import { doseStageOptions, humanSummary, patientImagesText } from "./simulate.js";
import { parseWorkers, withPool } from "../../parallel/withPool.js";

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

/** A shard folder's verified manifest. */
interface ShardEntry {
  readonly dir: string;
  readonly countsPath: string;
  readonly manifest: ShardManifest;
}

/** Fields every shard of one run shares. */
const RUN_FIELDS = ["caseSha256", "treeSha256", "lodgedSha256", "totalUnits", "seed", "grid"] as const;

export async function runMerge(dirs: readonly string[], options: { out: string; json?: boolean; workers?: string; maxMemory?: string }): Promise<void> {
  // --out is checked and locked before any work, and released however the run ends.
  return runIntoOutputDir(options.out, (output) => mergeInto(output, dirs, options), dirs);
}

async function mergeInto(output: OutputDir, dirs: readonly string[], options: { out: string; json?: boolean; workers?: string; maxMemory?: string }): Promise<void> {
  const workers = parseWorkers(options.workers);
  const shards: ShardEntry[] = [];
  for (const dir of dirs) shards.push(await readShardManifest(dir));
  checkOneSplit(shards);

  // The run's case, tree and transport, from the first shard, checked against its hashes.
  const first = shards[0];
  const caseJson = (await readJsonFile(join(first.dir, "case.json"))) as Record<string, unknown>;
  // Resolved as simulate resolves it (a mask, or patient images, relative to the original case file).
  const file = await caseFileFromJson(caseJson, first.manifest.casePath);
  const simCase = resolveCase(file);
  checkMemory(estimateCaseMemory(simCase), memoryLimitBytes(options.maxMemory), SIMULATION_MEMORY_HINT);
  const identity = caseIdentity(simCase, file.mask);
  if (identity.caseSha256 !== first.manifest.caseSha256) {
    throw new InputError(join(first.dir, "case.json"), `${join(first.dir, "case.json")} is not the case the shards ran (its resolved hash differs from caseSha256 in ${first.countsPath})`);
  }
  const treePath = join(first.dir, "tree.bin");
  const lodgedPath = join(first.dir, "lodged.bin");
  const { stages, treeHeader, lodgedHeader } = await readStageInputs(identity, simCase.seed, { tree: treePath, lodged: lodgedPath }, {});
  if (treeHeader?.payloadSha256 !== first.manifest.treeSha256) throw new InputError(treePath, `${treePath} is not the tree the shards ran on (treeSha256 in ${first.countsPath} differs)`);
  if (lodgedHeader?.payloadSha256 !== first.manifest.lodgedSha256) throw new InputError(lodgedPath, `${lodgedPath} is not the transport the shards used (lodgedSha256 in ${first.countsPath} differs)`);
  // The first shard's files are the run's; every other shard's must be the same bytes.
  await checkSameRunFiles(shards);
  const core = simulateCore(simCase, { stages });

  const units = workUnitCount(core.tree.segmentCount);
  if (first.manifest.totalUnits !== units) throw new InputError(first.countsPath, `${first.countsPath}: totalUnits ${first.manifest.totalUnits}, but the tree has ${units} work units`);
  const gridDiffs = differingFields(first.manifest.grid, doseGridGeometry(simCase.domain, simCase.dose.voxelMm, simCase.dose.marginMm), ["shard", "case"], "grid");
  if (gridDiffs.length > 0) throw new InputError(first.countsPath, `${first.countsPath}: the count grid is not the case's dose grid (${gridDiffs.join("; ")})`);

  // Sum the shards' integer count grids in shard order, checking each against its work units.
  const n = first.manifest.shard.count;
  const order = [...shards].sort((a, b) => a.manifest.shard.index - b.manifest.shard.index);
  const expected = spheresPerShard(core.transport.segmentLodged, n);
  let counts = null as ReturnType<typeof decodeCountsFile>["counts"] | null;
  let outside = 0;
  for (const { countsPath, manifest } of order) {
    const part = decodeCountsFile(await readBytes(countsPath, countsPath), countsPath).counts;
    let inGrid = 0;
    for (let v = 0; v < part.data.length; v++) inGrid += part.data[v];
    const want = expected[manifest.shard.index];
    if (inGrid + manifest.outsideGridSpheres !== want || inGrid !== manifest.spheresDeposited) {
      throw new InputError(
        countsPath,
        `${countsPath}: ${inGrid} spheres in the grid + ${manifest.outsideGridSpheres} outside (header spheresDeposited ${manifest.spheresDeposited}), but the work units of shard ${manifest.shard.index}/${n} lodged ${want}: the count grid, spheresDeposited or outsideGridSpheres was changed`,
      );
    }
    outside += manifest.outsideGridSpheres;
    if (counts === null) counts = part;
    else for (let v = 0; v < counts.data.length; v++) counts.data[v] += part.data[v];
  }
  const files = encodeSimulationStageFiles(identity, core, simCase.seed);
  const finished = await withPool(workers, (pool) => finishSimulation(simCase, core, counts!, outside, doseStageOptions(pool, Boolean(options.json))));
  // The same output set as one simulate run: on patient images, patientImages in summary.json and rtdose.dcm.
  const images = file.images;
  const outputs = images ? withPatientImages(finished, images) : finished;
  await output.commit(async (dir) => {
    await writeSimulationOutputs(dir, caseJson, core, outputs, files);
    if (images) await writePatientRtDose(dir, images, outputs.dose.doseGy);
  });
  warnOnStderr(simulationWarnings(outputs.summary));
  if (options.json) printJson(outputs.summary);
  else printText(humanSummary(outputs.summary, options.out, simulationFiles(outputs)) + (images ? `\n${patientImagesText(images, options.out)}` : ""), false);
}

/** counts.bin's checked manifest, and shard.json (a readable mirror) compared with it field by field. */
async function readShardManifest(dir: string): Promise<ShardEntry> {
  const countsPath = join(dir, "counts.bin");
  // A whole run's output (summary.json, no counts.bin) or any other folder: say what merge needs.
  if (!existsSync(countsPath)) {
    const whole = existsSync(join(dir, "summary.json")) ? " (it holds a finished run's outputs: merge takes the folders `simulate --shard i/n` wrote)" : "";
    throw new InputError(dir, `${dir} is not a shard folder: no counts.bin${whole}`);
  }
  const { manifest } = decodeCountsFile(await readBytes(countsPath, countsPath), countsPath);
  if (manifest.sirtsimVersion !== sirtsimVersion()) {
    throw new InputError(countsPath, `${countsPath}: sirtsimVersion: the shard was computed by sirtsim ${manifest.sirtsimVersion ?? "(a version that did not record it)"}, this is ${sirtsimVersion()}: run the shards again with this version`);
  }
  const mirrorPath = join(dir, "shard.json");
  const diffs = differingFields(await readJsonFile(mirrorPath), manifest, ["shard.json", "counts.bin header"]);
  if (diffs.length > 0) throw new InputError(mirrorPath, `${mirrorPath} differs from the checked manifest in ${countsPath}: ${diffs.join("; ")}`);
  return { dir, countsPath, manifest };
}

/** One run, one split: same hashes and n, indices integers in [0, n), each once, all present. */
function checkOneSplit(shards: readonly ShardEntry[]): void {
  const first = shards[0];
  const n = first.manifest.shard.count;
  for (const { countsPath, manifest } of shards) {
    const { index, count } = manifest.shard;
    if (!Number.isSafeInteger(count) || count < 1 || count > manifest.totalUnits) {
      throw new InputError(countsPath, `${countsPath}: shard.count ${JSON.stringify(count)} must be an integer in [1, totalUnits = ${manifest.totalUnits}]`);
    }
    if (!Number.isInteger(index) || index < 0 || index >= count) throw new InputError(countsPath, `${countsPath}: shard.index ${JSON.stringify(index)} must be an integer in [0, ${count})`);
    if (count !== n) throw new InputError(countsPath, `${countsPath}: shard ${index}/${count} does not belong to the split into ${n} of ${first.countsPath}`);
    const diffs = RUN_FIELDS.flatMap((k) => differingFields(manifest[k], first.manifest[k], [countsPath, first.countsPath], k));
    if (diffs.length > 0) throw new InputError(countsPath, `${countsPath} comes from another run than ${first.countsPath}: ${diffs.join("; ")}`);
  }
  const byIndex = new Map<number, string>();
  for (const { countsPath, manifest } of shards) {
    const other = byIndex.get(manifest.shard.index);
    if (other !== undefined) throw new InputError(countsPath, `${countsPath}: shard ${manifest.shard.index}/${n} is given twice (also ${other})`);
    byIndex.set(manifest.shard.index, countsPath);
  }
  if (shards.length !== n) {
    const missing: string[] = [];
    for (let i = 0; i < n && missing.length < 10; i++) if (!byIndex.has(i)) missing.push(`${i}/${n}`);
    throw new InputError("shardDirs", `shards ${missing.join(", ")}${n - shards.length > missing.length ? ", …" : ""} are missing (${shards.length} of ${n} given)`);
  }
}

/** The files every shard of one run holds identically (simulate --shard writes them whole). */
const RUN_FILES = ["case.json", "tree.bin", "lodged.bin", "transport.json"] as const;

/**
 * The run's files of every shard equal the first shard's (SHA-256 of the bytes, streamed: tree.bin
 * can be large). Merge reads them from the first shard only; a shard folder whose copies differ
 * does not hold the run its counts claim, and is refused naming both files.
 */
async function checkSameRunFiles(shards: readonly ShardEntry[]): Promise<void> {
  const first = shards[0];
  for (const name of RUN_FILES) {
    const firstPath = join(first.dir, name);
    const want = await fileSha256(firstPath);
    for (const { dir } of shards.slice(1)) {
      const path = join(dir, name);
      const got = await fileSha256(path);
      if (got !== want) throw new InputError(path, `${path} differs from ${firstPath} (SHA-256 ${got.slice(0, 12)}… vs ${want.slice(0, 12)}…): the shard folders do not hold one run's ${name}`);
    }
  }
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (err) {
    throw new InputError(path, `${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); every shard folder holds the run's ${RUN_FILES.join(", ")}`);
  }
  return hash.digest("hex");
}

/** Spheres lodged in each shard's work units (blocks u ≡ i mod n). */
function spheresPerShard(segmentLodged: Uint32Array, n: number): number[] {
  const out = new Array<number>(n).fill(0);
  for (let j = 0; j < segmentLodged.length; j++) out[Math.floor(j / SEGMENTS_PER_BLOCK) % n] += segmentLodged[j];
  return out;
}

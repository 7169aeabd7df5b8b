/**
 * `sirtsim simulate CASE.json --out DIR [--workers N] [--seed N] [--json] [--shard i/n]
 *  [--tree tree.bin] [--lodged lodged.bin]`: the whole treatment — planning, tree, transport,
 * dose, metrics, report — or, with --shard, one slice of the work units for `sirtsim merge`.
 */
import { ISODOSE_LIMITS, reportConfigSchema } from "../../report/config.js";
import type { Command } from "commander";
import { join, resolve } from "node:path";
import { writeFile } from "node:fs/promises";
import { runIntoOutputDir, type OutputDir } from "../../io/atomic.js";
import { checkShardCount, parseShard, workUnitCount } from "../../parallel/shard.js";
import { parseWorkers, withPool } from "../../parallel/withPool.js";
import { fftPassRunner } from "../../parallel/dose.js";
import { createProgress } from "../../parallel/progress.js";
import type { WorkerPool } from "../../parallel/pool.js";
import { readCaseFile, resolveCase, resolvedCaseJson, withOverrides } from "../../pipeline/resolveCase.js";
import { withPatientImages, writePatientRtDose, type PatientImages } from "../../pipeline/patientImages.js";
import { LQ_OPTION_HELP, withLqSpecs } from "../lqOption.js";
import { depositLodgedSpheresParallel, simulateCoreParallel } from "../../pipeline/simulate.js";
import type { ShardCounts, SimulationCore } from "../../pipeline/simulate.js";
import type { SimulationCase } from "../../pipeline/caseInput.js";
import type { DoseStageOptions } from "../../pipeline/doseStage.js";
import type { Shard } from "../../parallel/shard.js";
import { dvhMetricsTable, finishSimulation, simulationWarnings, treatmentHeadline } from "../../pipeline/finish.js";
import { simulationFiles, writeSimulationOutputs } from "../../pipeline/outputs.js";
import { readStageInputs } from "../../pipeline/files.js";
import { caseIdentity, encodeCountsFile, encodeSimulationStageFiles, type ShardManifest, type SimulationStageFiles } from "../../pipeline/stageFiles.js";
import { replicaUncertainty, uncertaintyText, withUncertainty, type ReplicaOptions } from "../../study/replicas.js";
import { InputError } from "../../errors.js";
import { sirtsimVersion } from "../../io/results.js";
import { checkMemory, estimateCaseMemory, MAX_MEMORY_OPTION, memoryLimitBytes, SIMULATION_MEMORY_HINT } from "../../pipeline/memory.js";
import { action, EXIT_UNSAFE } from "../run.js";
import { applyStrict, formatReflux, formatSafety, refluxReport, safetyWarnings, warnOnStderr } from "../safety.js";
import { withCaseFile } from "../../pipeline/validateCase.js";
import { parseIntegerOption, printJson, printText } from "../output.js";

interface SimulateCommandOptions {
  out: string;
  json?: boolean;
  seed?: string;
  workers?: string;
  shard?: string;
  tree?: string;
  lodged?: string;
  strict?: boolean;
  isodose?: string;
  lq?: string[];
  replicas?: string;
  maxMemory?: string;
}

export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description("plan, grow the tree, inject the spheres, compute the dose; write summary.json, dose.nii.gz, dvh.csv, tree.vtp, report.html")
    .argument("<case>", "case file (JSON)")
    .requiredOption("--out <dir>", "output directory")
    .option("--json", "print the summary as one JSON document on stdout")
    .option("--seed <n>", "random seed (overrides the case's seed)")
    .option("--workers <n>", "worker threads (default: available cores; 1 = inline)")
    .option("--shard <i/n>", "run only slice i of n of the work units (0-based) and write a partial result for `sirtsim merge`")
    .option("--tree <file>", "use a tree.bin from an earlier run instead of growing the tree")
    .option("--lodged <file>", "use lodged.bin (+ transport.json beside it) from an earlier run instead of the transport stage")
    .option("--strict", `write the outputs, then exit ${EXIT_UNSAFE} when a contraindication or an exceeded limit remains`)
    .option("--lq <tissue.field=value>", LQ_OPTION_HELP, (value: string, previous: string[] = []) => [...previous, value])
    .option("--isodose <gy,...>", "isodose lines of the report, Gy, comma-separated (sets the case's report.isodoseGy; default: the product's clinical levels)")
    .option(...MAX_MEMORY_OPTION)
    .option("--replicas <n>", "simulate N replicas (tree and transport seeds + 0 … N−1): per-VOI 95 % intervals in summary.json (uncertainty) and report.html")
    .action(action(async (caseFile: string, options: SimulateCommandOptions) => runSimulate(caseFile, options)));
}

export async function runSimulate(caseFile: string, options: SimulateCommandOptions): Promise<void> {
  // --out is checked and locked before any work, and released however the run ends.
  return runIntoOutputDir(options.out, (output) => simulateInto(output, caseFile, options), [caseFile, options.tree, options.lodged]);
}

async function simulateInto(output: OutputDir, caseFile: string, options: SimulateCommandOptions): Promise<void> {
  const json = Boolean(options.json);
  const log = (m: string) => printText(m, true);
  // One replica has no spread to report: --replicas starts at 2 (an option that is accepted has an effect).
  const replicas = options.replicas !== undefined ? parseIntegerOption("--replicas", options.replicas, 2, 10_000) : 1;
  for (const [name, given] of [["--shard", options.shard], ["--tree", options.tree], ["--lodged", options.lodged]] as const) {
    if (replicas > 1 && given !== undefined) throw new InputError("--replicas", `--replicas varies the tree and transport seeds; it cannot be combined with ${name}`);
  }
  const read = await readCaseFile(caseFile);
  // --isodose is written into the case (as --seed is), so a shard's case.json carries it to `sirtsim merge`.
  const withIsodose = options.isodose === undefined ? read : { ...read, json: { ...read.json, report: { ...(read.json.report as object | undefined), isodoseGy: parseIsodoseOption(options.isodose) } } };
  // --lq likewise (dose.radiobiology: LQ, TCP and NTCP parameters), so the case.json written says what was used.
  const file = options.lq === undefined ? withIsodose : { ...withIsodose, json: withLqSpecs(withIsodose.json, options.lq) };
  const overrides = options.seed !== undefined ? { seed: parseIntegerOption("--seed", options.seed, 0, 0xffffffff) } : {};
  const caseJson = withOverrides(file.json, overrides);
  const workers = parseWorkers(options.workers);
  const shard = options.shard !== undefined ? parseShard(options.shard) : undefined;
  const simCase = withCaseFile(caseFile, () => resolveCase(file, overrides));
  checkMemory(estimateCaseMemory(simCase), memoryLimitBytes(options.maxMemory), SIMULATION_MEMORY_HINT);
  const identity = caseIdentity(simCase, file.mask);
  const { stages } = await readStageInputs(identity, simCase.seed, { tree: options.tree, lodged: options.lodged });
  // A tree of T terminals has 2T − 1 segments (binary); a loaded tree says its own count.
  if (shard !== undefined) checkShardCount(shard, stages.tree?.segmentCount ?? 2 * simCase.tree.terminals - 1);
  await withPool(workers, async (pool) => {
    const core = await simulateCoreParallel(simCase, { stages, log, pool, onTransportProgress: transportProgress(json) });
    if (shard !== undefined) checkShardCount(shard, core.tree.segmentCount);
    const part = await depositLodgedSpheresParallel(simCase, core, pool, shard, { onProgress: sphereProgress(json) });
    const files = encodeSimulationStageFiles(identity, core, simCase.seed);
    if (shard !== undefined) await writeShard(output, { options, caseFile, caseJson, simCase, core, shard, part, files });
    else {
      const doseOptions = doseStageOptions(pool, json);
      // Replicas re-validate the case as resolved (a patient-image case as its mask geometry).
      const replicaRuns = replicas > 1 ? { replicas, options: { caseJson: resolvedCaseJson(file, overrides), casePath: caseFile, pool, doseOptions, log, ...(file.mask ? { maskGrid: file.mask } : {}) } } : undefined;
      await writeWholeRun(output, { options, caseJson, simCase, core, part, files, ...(file.images ? { images: file.images } : {}) }, doseOptions, replicaRuns);
    }
    applyStrict(options.strict, core.safety);
  });
}

/** What a finished run hands to its writer. */
interface FinishedRun {
  readonly options: SimulateCommandOptions;
  readonly caseJson: Record<string, unknown>;
  readonly simCase: SimulationCase;
  readonly core: SimulationCore;
  readonly part: ShardCounts;
  readonly files: SimulationStageFiles;
  /** The case's patient images (geometry.images): their report goes into summary.json, the dose into rtdose.dcm. */
  readonly images?: PatientImages;
}

interface ShardRun extends FinishedRun {
  readonly caseFile: string;
  readonly shard: Shard;
}

/** One slice of the work units, for `sirtsim merge`: counts.bin (manifest in its checked header), its mirror shard.json, and the stage files. */
async function writeShard(output: OutputDir, run: ShardRun): Promise<void> {
  const { options, core, shard, part, files } = run;
  const json = Boolean(options.json);
  const caseText = `${JSON.stringify(run.caseJson, null, 2)}\n`;
  const manifest: ShardManifest = {
    kind: "sirtsim-shard",
    shard: { index: shard.index, count: shard.count },
    totalUnits: workUnitCount(core.tree.segmentCount),
    units: part.units,
    spheresDeposited: sumOf(part.counts.data),
    outsideGridSpheres: part.outsideGrid,
    grid: { dims: part.counts.dims, spacingMm: part.counts.spacingMm, originMm: part.counts.originMm, direction: part.counts.direction, frame: part.counts.frame },
    caseSha256: files.caseSha256,
    treeSha256: files.treeSha256,
    lodgedSha256: files.lodgedSha256,
    casePath: resolve(run.caseFile),
    seed: run.simCase.seed,
    sirtsimVersion: sirtsimVersion(),
  };
  await output.commit(async (dir) => {
    await writeFile(join(dir, "counts.bin"), encodeCountsFile(part.counts, manifest));
    await writeFile(join(dir, "tree.bin"), files.treeBytes);
    await writeFile(join(dir, "lodged.bin"), files.lodgedBytes);
    await writeFile(join(dir, "transport.json"), files.transportJsonText);
    await writeFile(join(dir, "case.json"), caseText);
    await writeFile(join(dir, "shard.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  });
  if (json) printJson(manifest);
  else printText(`shard ${shard.index}/${shard.count}: ${part.units} work units, ${manifest.spheresDeposited} spheres → ${options.out} (combine with \`sirtsim merge\`)`, false);
}

/** The whole run: dose, metrics, report. */
async function writeWholeRun(output: OutputDir, run: FinishedRun, doseOptions: DoseStageOptions, replicaRuns?: { replicas: number; options: ReplicaOptions }): Promise<void> {
  const { options, caseJson, simCase, core, part, files } = run;
  let outputs = await finishSimulation(simCase, core, part.counts, part.outsideGrid, doseOptions, part.unitClusters ?? null);
  // --replicas (issue 17): replicas 1 … N−1 after this run, their spread added to summary and report.
  if (replicaRuns) outputs = withUncertainty(outputs, await replicaUncertainty(outputs, replicaRuns.replicas, replicaRuns.options));
  const images = run.images;
  if (images) outputs = withPatientImages(outputs, images);
  await output.commit(async (dir) => {
    await writeSimulationOutputs(dir, caseJson, core, outputs, files);
    if (images) await writePatientRtDose(dir, images, outputs.dose.doseGy);
  });
  const reflux = refluxReport(core.transport, core.plan.activityGBq);
  // Warnings go to stderr in both modes (with --json stdout holds only the document).
  warnOnStderr(simulationWarnings(outputs.summary));
  if (options.json) {
    printJson(outputs.summary);
    warnOnStderr([...safetyWarnings(core.safety), ...formatReflux(reflux).filter((l) => l.startsWith("warning"))]);
  } else {
    const text = humanSummary(outputs.summary, options.out, simulationFiles(outputs)) + (replicaRuns ? `\n${uncertaintyText(outputs.summary)}` : "") + (images ? `\n${patientImagesText(images, options.out)}` : "");
    printText([text, "", ...formatReflux(reflux), ...formatSafety(core.safety)].join("\n"), false);
  }
}

/** The image part of the terminal summary. */
export function patientImagesText(images: PatientImages, outDir: string): string {
  const r = images.report;
  const lines = [
    `patient images: VOIs ${r.labels} (${r.labelsSource})${r.ct ? ` on CT ${r.ct}` : ""}${r.maa ? `, MAA ${r.maa}` : ""}`,
    ...r.tumours.map((t) => `  ${t.name.padEnd(18)} ${t.volumeMl.toFixed(1).padStart(8)} mL  T/N ${t.tnRatio.toFixed(3)} (${t.tnSource === "maa" ? "MAA counts" : "case"})`),
    `  lung shunt: ${r.lungShuntSource === "maa" ? `${(100 * r.lungShuntFromMaa!).toFixed(2)} % from the MAA's lung VOI` : "as stated in the case"}`,
    ...r.notes.map((n) => `  note: ${n}`),
    r.frameOfReferenceUID ? `wrote ${join(outDir, "rtdose.dcm")} on frame of reference ${r.frameOfReferenceUID}` : "no rtdose.dcm: the images are not DICOM (no frame of reference to write it on)",
  ];
  return lines.join("\n");
}

/** Progress line of the transport stage (stderr, terminals only, never with --json). */
export function transportProgress(json: boolean): (injected: number, total: number, batches: number) => void {
  const progress = createProgress("transport", { json });
  return (injected, total, batches) => {
    progress.update(injected, total, `spheres, ${batches} batch${batches === 1 ? "" : "es"}`);
    if (injected >= total) progress.finish();
  };
}

/** Progress line of the lodging-position stage. */
function sphereProgress(json: boolean): (done: number, total: number) => void {
  const progress = createProgress("lodging positions", { json });
  return (done, total) => {
    progress.update(done, total, "spheres");
    if (done >= total) progress.finish();
  };
}

/** The dose stage's FFT passes on the pool (inline with --workers 1), with a progress line. */
export function doseStageOptions(pool: WorkerPool, json: boolean): DoseStageOptions {
  if (pool.workers === 1) return {};
  const progress = createProgress("dose FFT", { json });
  return {
    runPasses: fftPassRunner(pool, {
      onProgress: (done, total) => {
        progress.update(done, total, "slabs");
        if (done >= total) progress.finish();
      },
    }),
  };
}

function sumOf(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/**
 * `--isodose 40,120,205` → [40, 120, 205], checked against the report section's schema here, so
 * that a bad level is blamed on the option, not on the case file it is written into.
 */
function parseIsodoseOption(text: string): number[] {
  const levels = text.split(",").map((t) => t.trim());
  const bad = () => new InputError("--isodose", `--isodose must be ${ISODOSE_LIMITS.minLevels}–${ISODOSE_LIMITS.maxLevels} doses in Gy, each in (0, ${ISODOSE_LIMITS.maxGy}], separated by commas (e.g. 40,120,205), got ${JSON.stringify(text)}`);
  if (levels.some((t) => !/^\d+(\.\d+)?$/.test(t))) throw bad();
  const gy = levels.map(Number);
  if (!reportConfigSchema.shape.isodoseGy.safeParse(gy).success) throw bad();
  return gy;
}

/** A short table for the terminal. */
export function humanSummary(s: Awaited<ReturnType<typeof finishSimulation>>["summary"], outDir: string, files: readonly string[]): string {
  const lines = [
    `${treatmentHeadline(s)} — ${s.name}`,
    `activity ${s.activityGBq.toFixed(3)} GBq, ${s.spheresInjected.toLocaleString("en")} spheres, seed ${s.seed}`,
    ...(s.plan.residualFraction > 0 ? [`dispense ${s.plan.dispensedActivityGBq.toFixed(3)} GBq (${(100 * s.plan.residualFraction).toFixed(1)} % stays in vial and tubing)`] : []),
    "",
    `${"VOI".padEnd(20)} ${"mean Gy".padStart(9)} ${"LDM Gy".padStart(9)} ${"spheres Gy".padStart(10)} ${"partition".padStart(9)} ${"D70 Gy".padStart(9)} ${"V100".padStart(6)}`,
  ];
  for (const [name, c] of Object.entries(s.compartments)) {
    const p = s.partitionModel[name]?.meanDoseGy;
    lines.push(`${name.padEnd(20)} ${c.meanDoseGy.toFixed(1).padStart(9)} ${c.meanDoseLdmGy.toFixed(1).padStart(9)} ${(c.meanDoseFromSpheresGy === null ? "–" : c.meanDoseFromSpheresGy.toFixed(1)).padStart(10)} ${(p === undefined ? "–" : p.toFixed(1)).padStart(9)} ${c.D70Gy.toFixed(1).padStart(9)} ${c.V100.toFixed(2).padStart(6)}`);
  }
  lines.push(`${"lung".padEnd(20)} ${s.lung.meanDoseGy.toFixed(1).padStart(9)}`);
  lines.push(...radiobiologyLines(s));
  lines.push(...dvhMetricsLines(s));
  lines.push("", `wrote ${files.join(", ")} to ${outDir}`, `report: ${join(outDir, "report.html")}`);
  return lines.join("\n");
}

const probabilityText = (p: number | null | undefined): string => (typeof p === "number" ? p.toFixed(3) : "–");

/** Most requested D_x / V_y columns printed on the terminal (the rest: summary.json, report.html). */
const MAX_TERMINAL_DVH_COLUMNS = 8;

/** The case's requested D_x (Gy) and V_y (%) per VOI: a table when it fits the terminal, else where to find them. */
function dvhMetricsLines(s: Awaited<ReturnType<typeof finishSimulation>>["summary"]): string[] {
  const t = dvhMetricsTable(s);
  const n = t.columns.length - 1;
  if (n === 0) return [];
  if (n > MAX_TERMINAL_DVH_COLUMNS) return ["", `${n} requested D_x / V_y levels per VOI (dose.dPercents, dose.vThresholdsGy): in summary.json (doseAtVolumeGy, volumeAtDose) and report.html`];
  const header = t.columns.map((c, i) => (i === 0 ? c.padEnd(20) : c.replace(" (Gy)", " Gy").replace(" (%)", " %").padStart(10))).join(" ");
  const rows = t.rows.map((r) => r.map((x, i) => (i === 0 ? String(x).padEnd(20) : (typeof x === "number" ? x.toFixed(1) : "–").padStart(10))).join(" "));
  return ["", header, ...rows];
}

/** BED / EUD per compartment and the lung (issue 15.5), TCP of tumours and NTCP of the normal liver (src/dose/outcome.ts), as its own small table. */
function radiobiologyLines(s: Awaited<ReturnType<typeof finishSimulation>>["summary"]): string[] {
  const rows = [...Object.entries(s.compartments).map(([name, c]) => [name, c.radiobiology] as const), ["lung", s.lung.radiobiology] as const];
  // α is printed too: the EUD depends on it strongly (and its default is an unverified placeholder).
  const lines = ["", `${"VOI".padEnd(20)} ${"tissue".padEnd(12)} ${"α/β Gy".padStart(7)} ${"T_rep h".padStart(7)} ${"α /Gy".padStart(7)} ${"BED Gy".padStart(9)} ${"EUD Gy".padStart(9)} ${"TCP".padStart(6)} ${"NTCP".padStart(6)}`];
  for (const [name, r] of rows) {
    if (r === null) continue;
    lines.push(`${name.padEnd(20)} ${r.tissue.padEnd(12)} ${String(r.alphaBetaGy).padStart(7)} ${String(r.repairHalfTimeH).padStart(7)} ${String(r.alphaPerGy).padStart(7)} ${r.meanBedGy.toFixed(1).padStart(9)} ${r.eudGy.toFixed(1).padStart(9)} ${probabilityText(r.tcp).padStart(6)} ${probabilityText(r.ntcp).padStart(6)}`);
  }
  return lines;
}

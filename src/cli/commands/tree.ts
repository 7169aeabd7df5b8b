/**
 * `sirtsim tree CASE.json --out DIR [--json] [--seed N] [--terminals N]`: grow the hepatic
 * arterial tree of the case's `geometry` and `tree` sections and write tree.vtp (ParaView /
 * 3D Slicer), tree.bin (reusable binary) and tree.json (summary + parameters) into DIR.
 * The case is read and resolved as every command does (src/pipeline/resolveCase.ts): a case with
 * planning fields is validated whole, a mask domain reads its image; `--seed` sets `tree.seed`.
 * tree.json holds no run time (same seed ⇒ identical files); the time goes to stderr.
 */
import type { Command } from "commander";
import { join } from "node:path";
import { runIntoOutputDir, type OutputDir, writeFileAtomic } from "../../io/atomic.js";
import { readCaseFile, resolveTreeInputs, withOverrides } from "../../pipeline/resolveCase.js";
import { autoTerminalsLabel, terminalsAreAuto } from "../../pipeline/caseInput.js";
import { treeSummary, treeToVtp } from "../../vascular/export.js";
import { encodeTreeFile, treeInputs } from "../../pipeline/stageFiles.js";
import { growTreeDetailedOnPool } from "../../parallel/tree.js";
import { parseWorkers, withPool } from "../../parallel/withPool.js";
import { checkMemory, estimateTreeMemory, MAX_MEMORY_OPTION, memoryLimitBytes } from "../../pipeline/memory.js";
import { withCaseFile } from "../../pipeline/validateCase.js";
import { action } from "../run.js";
import { parseIntegerOption, parseTerminalsOption, printJson, printText } from "../output.js";

interface TreeCommandOptions {
  out: string;
  json?: boolean;
  seed?: string;
  terminals?: string;
  workers?: string;
  maxMemory?: string;
}

export function registerTree(program: Command): void {
  program
    .command("tree")
    .description("grow a hepatic arterial tree for the case's geometry; write tree.vtp, tree.bin, tree.json")
    .argument("<case>", "case file (JSON) with optional `geometry` and `tree` sections")
    .requiredOption("--out <dir>", "output directory")
    .option("--json", "print one JSON summary on stdout")
    .option("--seed <n>", "seed (overrides tree.seed)")
    .option("--terminals <n>", "number of terminals, or auto (overrides tree.terminals)")
    .option("--workers <n>", "worker threads (default: available cores; the tessellation's owner search runs on all of them, the growth on one; 1 = one thread, besides the main one)")
    .option(...MAX_MEMORY_OPTION)
    .action(action(async (caseFile: string, options: TreeCommandOptions) => runTree(caseFile, options)));
}

export async function runTree(caseFile: string, options: TreeCommandOptions): Promise<void> {
  // --out is checked and locked before any work, and released however the run ends.
  return runIntoOutputDir(options.out, (output) => growTreeInto(output, caseFile, options), [caseFile]);
}

async function growTreeInto(output: OutputDir, caseFile: string, options: TreeCommandOptions): Promise<void> {
  const file = await readCaseFile(caseFile);
  const overrides = {
    ...(options.seed !== undefined ? { treeSeed: parseIntegerOption("--seed", options.seed, 0, 0xffffffff) } : {}),
    ...(options.terminals !== undefined ? { terminals: parseTerminalsOption(options.terminals) } : {}),
  };
  const inputs = withCaseFile(caseFile, () => resolveTreeInputs(file, overrides));
  const treeSection = inputs.tree;
  const { seed, terminals } = treeSection;
  const workers = parseWorkers(options.workers);
  checkMemory(estimateTreeMemory(terminals, "tree"), memoryLimitBytes(options.maxMemory), "tree.terminals (or --terminals)");
  const started = performance.now();
  // On worker threads (the tessellation's owner search on all of them, the growth on one), so
  // that Ctrl-C and SIGTERM stop a growth of minutes at once: the main thread only sums each
  // Lloyd pass's points between the searches (src/parallel/tree.ts).
  const integral = inputs.integral();
  const caseJson = withOverrides(file.json, overrides);
  process.stderr.write(`tree: growing ${terminals.toLocaleString("en")} terminals${autoTerminalsLabel(caseJson)} (seed ${seed})…\n`);
  const { tree, stats } = await withPool(workers, (pool) => growTreeDetailedOnPool(pool, inputs.domain, treeSection, seed, integral));
  const seconds = (performance.now() - started) / 1000;
  const summary = treeSummary(tree);
  await output.commit(async (dir) => {
    // tree.bin names its inputs, so `simulate --tree` refuses it for another case (stageFiles.ts).
    await writeFileAtomic(join(dir, "tree.bin"), encodeTreeFile(tree, treeInputs(inputs.geometry, treeSection, inputs.maskSha256)));
    await writeFileAtomic(join(dir, "tree.vtp"), treeToVtp(tree));
    const document = {
      ...summary,
      growth: { optimisedConnections: stats.connections, constraintFallbacks: stats.constraintFallbacks, lumenOverlapPairs: stats.clearance.overlappingPairs, minLumenClearanceRatio: stats.clearance.minClearanceRatio },
      domain: { liverVolumeMl: stats.integral.liverVolumeMl, compartments: stats.integral.compartments },
      parameters: { ...treeSection, seed, terminals, terminalsAuto: terminalsAreAuto(caseJson) },
      provenance: {
        defaults: "rootFlowMlPerMin \"auto\" (400 mL/min for the default 1.59 L liver, scaled by the liver's volume), inlet 98 mmHg, terminal 25 mmHg, viscosity 3.5 mPa·s (docs/vascular.md)",
        method: "local CCO (Schreiner & Buxbaum 1993; Karch et al. 1999) to territories + bisection subtrees; Murray radii; Poiseuille flows",
      },
    };
    await writeFileAtomic(join(dir, "tree.json"), `${JSON.stringify(document, null, 2)}\n`);
  });
  const out = {
    terminals: summary.terminals,
    segments: summary.segments,
    generations: summary.generations,
    rootRadiusMm: summary.rootRadiusMm,
    rootFlowMlPerMin: summary.rootFlowMlPerMin,
    murrayExponent: summary.murrayExponent,
    tumourFlowFraction: summary.tumourFlowFraction,
    perfusedVolumeMl: summary.perfusedVolumeMl,
    seed: summary.seed,
  };
  // Timings go to stderr, never into the result files (same seed ⇒ identical files).
  process.stderr.write(`tree: grown in ${seconds.toFixed(1)} s\n`);
  if (options.json) printJson(out);
  else
    printText(
      `tree: ${out.terminals} terminals, ${out.segments} segments, generations ${out.generations.min}–${out.generations.max} (mean ${out.generations.mean.toFixed(1)}), ` +
        `root r = ${out.rootRadiusMm.toFixed(3)} mm, Q = ${out.rootFlowMlPerMin.toFixed(1)} mL/min, tumour flow ${(100 * out.tumourFlowFraction).toFixed(2)} %, ` +
        `perfused ${out.perfusedVolumeMl.toFixed(1)} mL, seed ${out.seed} → ${options.out}`,
      false,
    );
}

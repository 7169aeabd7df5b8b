/**
 * `sirtsim tree CASE.json --out DIR [--json] [--seed N] [--terminals N]`: grow the hepatic
 * arterial tree of the case's `geometry` and `tree` sections and write tree.vtp (ParaView /
 * 3D Slicer), tree.bin (reusable binary) and tree.json (summary + parameters) into DIR.
 * Only those two sections are validated here; a mask domain needs the `simulate` pipeline (which
 * reads images).
 */
import type { Command } from "commander";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "../../errors.js";
import { buildDomain } from "../../geometry/build.js";
import { runIntoOutputDir, type OutputDir, writeFileAtomic } from "../../io/atomic.js";
import { parseGeometrySection, parseTreeSection } from "../../vascular/config.js";
import { treeSummary, treeToVtp } from "../../vascular/export.js";
import { encodeTreeFile, treeInputs } from "../../pipeline/stageFiles.js";
import { growTreeDetailed } from "../../vascular/grow.js";
import { checkMemory, estimateTreeMemory, MAX_MEMORY_OPTION, memoryLimitBytes } from "../../pipeline/memory.js";
import { withCaseFile } from "../../pipeline/validateCase.js";
import { action } from "../run.js";
import { parseIntegerOption, printJson, printText } from "../output.js";

interface TreeCommandOptions {
  out: string;
  json?: boolean;
  seed?: string;
  terminals?: string;
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
    .option("--terminals <n>", "number of terminals (overrides tree.terminals)")
    .option(...MAX_MEMORY_OPTION)
    .action(action(async (caseFile: string, options: TreeCommandOptions) => runTree(caseFile, options)));
}

export async function runTree(caseFile: string, options: TreeCommandOptions): Promise<void> {
  // --out is checked and locked before any work, and released however the run ends.
  return runIntoOutputDir(options.out, (output) => growTreeInto(output, caseFile, options), [caseFile]);
}

async function growTreeInto(output: OutputDir, caseFile: string, options: TreeCommandOptions): Promise<void> {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(caseFile, "utf8")) as Record<string, unknown>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(caseFile, `${caseFile}: ${code ? `cannot read the case file (${code})` : `not valid JSON (${(err as Error).message})`}`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new InputError(caseFile, `${caseFile}: the case file must be a JSON object`);
  const { geometry, treeSection } = withCaseFile(caseFile, () => ({ geometry: parseGeometrySection(json.geometry), treeSection: parseTreeSection(json.tree) }));
  if (geometry.mask !== undefined) throw new InputError("geometry.mask", "geometry.mask: `sirtsim tree` grows trees in analytic livers only; use `sirtsim simulate` for a mask");
  const seed = options.seed !== undefined ? parseIntegerOption("--seed", options.seed, 0, 0xffffffff) : treeSection.seed;
  const terminals = options.terminals !== undefined ? parseIntegerOption("--terminals", options.terminals, 2, 50_000_000) : treeSection.terminals;
  checkMemory(estimateTreeMemory(terminals, "tree"), memoryLimitBytes(options.maxMemory), "tree.terminals (or --terminals)");
  const domain = buildDomain(geometry);
  const started = performance.now();
  const { tree, stats } = growTreeDetailed(domain, { ...treeSection, terminals }, seed);
  const seconds = (performance.now() - started) / 1000;
  const summary = treeSummary(tree);
  await output.commit(async (dir) => {
    // tree.bin names its inputs, so `simulate --tree` refuses it for another case (stageFiles.ts).
    await writeFileAtomic(join(dir, "tree.bin"), encodeTreeFile(tree, treeInputs(geometry, { ...treeSection, seed, terminals }, undefined)));
    await writeFileAtomic(join(dir, "tree.vtp"), treeToVtp(tree));
    const document = {
      ...summary,
      growth: { seconds, optimisedConnections: stats.connections, constraintFallbacks: stats.constraintFallbacks, lumenOverlapPairs: stats.clearance.overlappingPairs, minLumenClearanceRatio: stats.clearance.minClearanceRatio },
      domain: { liverVolumeMl: stats.integral.liverVolumeMl, compartments: stats.integral.compartments },
      parameters: { ...treeSection, seed, terminals },
      provenance: {
        defaults: "rootFlowMlPerMin 400, inlet 98 mmHg, terminal 25 mmHg, viscosity 3.5 mPa·s (docs/vascular.md)",
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
  if (options.json) printJson(out);
  else
    printText(
      `tree: ${out.terminals} terminals, ${out.segments} segments, generations ${out.generations.min}–${out.generations.max} (mean ${out.generations.mean.toFixed(1)}), ` +
        `root r = ${out.rootRadiusMm.toFixed(3)} mm, Q = ${out.rootFlowMlPerMin.toFixed(1)} mL/min, tumour flow ${(100 * out.tumourFlowFraction).toFixed(2)} %, ` +
        `perfused ${out.perfusedVolumeMl.toFixed(1)} mL, seed ${out.seed} (${seconds.toFixed(1)} s) → ${options.out}`,
      false,
    );
}

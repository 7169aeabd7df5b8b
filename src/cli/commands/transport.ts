/**
 * `sirtsim transport CASE.json --out DIR [--json] [--seed N] [--workers N] [--terminals N]`:
 * grow the case's arterial tree (`geometry` and `tree` sections, as `sirtsim tree` does), inject
 * the `injection` section's spheres and simulate their transport (`transport` section). Writes
 * terminals.csv (per-terminal sphere counts) and transport.json (summary, timeline, provenance)
 * into DIR. `--workers N` runs each batch's cut-subtree work units on N threads (default: available
 * cores; 1 = inline); the result is the same for any N (streams keyed by work unit, docs/parallel.md).
 */
import type { Command } from "commander";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "../../errors.js";
import { buildDomain } from "../../geometry/build.js";
import { runIntoOutputDir, type OutputDir, writeFileAtomic } from "../../io/atomic.js";
import { PRODUCT_IDS } from "../../physics/products.js";
import { parseGeometrySection, parseTreeSection } from "../../vascular/config.js";
import { growTree } from "../../vascular/grow.js";
import { parseTransportSections, transportOptionsFromSections } from "../../transport/config.js";
import { simulateTransportParallel } from "../../parallel/transport.js";
import { parseWorkers, withPool } from "../../parallel/withPool.js";
import { transportProgress } from "./simulate.js";
import { checkMemory, estimateTreeMemory, MAX_MEMORY_OPTION, memoryLimitBytes } from "../../pipeline/memory.js";
import { withCaseFile } from "../../pipeline/validateCase.js";
import { action } from "../run.js";
import { parseIntegerOption, printJson, printText } from "../output.js";

interface TransportCommandOptions {
  out: string;
  json?: boolean;
  seed?: string;
  workers?: string;
  terminals?: string;
  maxMemory?: string;
}

export function registerTransport(program: Command): void {
  program
    .command("transport")
    .description("grow the case's tree and simulate the microsphere injection; write terminals.csv and transport.json")
    .argument("<case>", "case file (JSON) with optional `geometry`, `tree`, `injection` and `transport` sections")
    .requiredOption("--out <dir>", "output directory")
    .option("--json", "print one JSON summary on stdout")
    .option("--seed <n>", "seed of the transport (default 1; the tree uses tree.seed)")
    .option("--workers <n>", "worker threads (default: available cores; 1 = inline; results do not depend on it)")
    .option("--terminals <n>", "number of terminals (overrides tree.terminals)")
    .option(...MAX_MEMORY_OPTION)
    .action(action(async (caseFile: string, options: TransportCommandOptions) => runTransport(caseFile, options)));
}

async function readCase(caseFile: string): Promise<Record<string, unknown>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(caseFile, "utf8"));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(caseFile, `${caseFile}: ${code ? `cannot read the case file (${code})` : `not valid JSON (${(err as Error).message})`}`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new InputError(caseFile, `${caseFile}: the case file must be a JSON object`);
  return json as Record<string, unknown>;
}

export async function runTransport(caseFile: string, options: TransportCommandOptions): Promise<void> {
  // --out is checked and locked before any work, and released however the run ends.
  return runIntoOutputDir(options.out, (output) => transportInto(output, caseFile, options), [caseFile]);
}

async function transportInto(output: OutputDir, caseFile: string, options: TransportCommandOptions): Promise<void> {
  const json = await readCase(caseFile);
  const seed = options.seed !== undefined ? parseIntegerOption("--seed", options.seed, 0, 0xffffffff) : 1;
  const workers = parseWorkers(options.workers);
  // The planning section's top-level product is the default of injection.product.
  const injectionJson = { ...((json.injection as Record<string, unknown> | undefined) ?? {}) };
  if (injectionJson.product === undefined && typeof json.product === "string" && (PRODUCT_IDS as readonly string[]).includes(json.product)) {
    injectionJson.product = json.product;
  }
  const { sections, geometry, treeSection } = withCaseFile(caseFile, () => ({
    sections: parseTransportSections({ injection: injectionJson, transport: json.transport }),
    geometry: parseGeometrySection(json.geometry),
    treeSection: parseTreeSection(json.tree),
  }));
  if (geometry.mask !== undefined) throw new InputError("geometry.mask", "geometry.mask: `sirtsim transport` grows trees in analytic livers only; use `sirtsim simulate` for a mask");
  const terminals = options.terminals !== undefined ? parseIntegerOption("--terminals", options.terminals, 2, 50_000_000) : treeSection.terminals;

  checkMemory(estimateTreeMemory(terminals, "transport"), memoryLimitBytes(options.maxMemory), "tree.terminals (or --terminals)");
  const t0 = performance.now();
  const tree = growTree(buildDomain(geometry), { ...treeSection, terminals }, treeSection.seed);
  const t1 = performance.now();
  const { options: transportOptions, population } = transportOptionsFromSections(tree, sections);
  const result = await withPool(workers, (pool) =>
    simulateTransportParallel(tree, transportOptions, seed, pool, { onProgress: transportProgress(Boolean(options.json)) }),
  );
  const t2 = performance.now();

  const summary = {
    spheresInjected: result.spheresInjected,
    spheres: result.spheres,
    tumourToNormalRatio: result.tumourToNormalRatio,
    clusters: { histogram: result.clusters.histogram },
    stasis: result.stasis,
    seed,
  };
  await output.commit(async (dir) => {
    const lines = ["segment,compartment,spheres"];
    for (let t = 0; t < result.terminalSegments.length; t++) {
      const j = result.terminalSegments[t];
      lines.push(`${j},${tree.compartmentNames[tree.compartment[j]]},${result.terminalCounts[t]}`);
    }
    await writeFileAtomic(join(dir, "terminals.csv"), `${lines.join("\n")}\n`);
    const document = {
      ...summary,
      refluxStartedAtSpheres: result.refluxStartedAtSpheres,
      batches: result.batches,
      algorithm: result.algorithm,
      population,
      injection: sections.injection,
      transport: sections.transport,
      tree: { terminals: result.terminalSegments.length, segments: tree.segmentCount, seed: treeSection.seed },
      timing: { treeSeconds: (t1 - t0) / 1000, transportSeconds: (t2 - t1) / 1000 },
      timeline: result.timeline,
      provenance: result.provenance,
    };
    await writeFileAtomic(join(dir, "transport.json"), `${JSON.stringify(document, null, 2)}\n`);
  });
  if (options.json) {
    printJson(summary);
  } else {
    const parts = Object.entries(result.spheres).map(([k, v]) => `${k} ${v}`).join(", ");
    printText(
      `transport: ${result.spheresInjected} spheres (${parts}), T/N ${result.tumourToNormalRatio?.toFixed(2) ?? "n/a"}, ` +
        `stasis ${result.stasis}, ${result.batches} batches, seed ${seed} (${((t2 - t1) / 1000).toFixed(1)} s) → ${options.out}`,
      false,
    );
  }
}

/**
 * `sirtsim transport CASE.json --out DIR [--json] [--seed N] [--workers N] [--terminals N] [--strict]`:
 * grow the case's arterial tree and simulate the microsphere injection. Writes terminals.csv
 * (per-terminal sphere counts) and transport.json (summary, timeline, provenance) into DIR.
 *
 * The case is resolved as every command resolves it (src/pipeline/resolveCase.ts): a case with
 * planning fields injects the plan's activity (after the limits), lung shunt fraction and seed —
 * exactly what `sirtsim simulate` injects; a case without them (no `method`) injects its
 * `injection` section as given. `--workers N` runs the work units on N threads; the result is the
 * same for any N (docs/parallel.md).
 */
import type { Command } from "commander";
import { join } from "node:path";
import { runIntoOutputDir, type OutputDir, writeFileAtomic } from "../../io/atomic.js";
import { PRODUCT_IDS } from "../../physics/products.js";
import { growTreeOnPool } from "../../parallel/tree.js";
import type { ArterialTree } from "../../vascular/tree.js";
import { parseTransportSections, transportOptionsFromSections } from "../../transport/config.js";
import type { TransportResult } from "../../transport/result.js";
import type { SpherePopulation } from "../../transport/population.js";
import { simulateTransportParallel } from "../../parallel/transport.js";
import { parseWorkers, withPool } from "../../parallel/withPool.js";
import { DEFAULT_SEED } from "../../pipeline/caseInput.js";
import { isPlannedCase, readCaseFile, resolveCase, resolveTreeInputs, withOverrides, type TreeInputs } from "../../pipeline/resolveCase.js";
import type { SimulationCase } from "../../pipeline/caseInput.js";
import type { CaseOverrides, PlanSafety } from "../../pipeline/resolveCase.js";
import type { ResolvedTransport } from "../../pipeline/simulate.js";
import { simulateCoreParallel } from "../../pipeline/simulate.js";
import { transportProgress } from "./simulate.js";
import { checkMemory, estimateTreeMemory, MAX_MEMORY_OPTION, memoryLimitBytes } from "../../pipeline/memory.js";
import { checkTimelinePoints, withCaseFile } from "../../pipeline/validateCase.js";
import { action, EXIT_UNSAFE } from "../run.js";
import { parseIntegerOption, parseTerminalsOption, printJson, printText } from "../output.js";
import { applyStrict, formatReflux, formatSafety, refluxReport, safetyWarnings, warnOnStderr } from "../safety.js";
import { spherePopulation } from "../../transport/population.js";
import { PRODUCTS } from "../../physics/products.js";

interface TransportCommandOptions {
  out: string;
  json?: boolean;
  seed?: string;
  workers?: string;
  terminals?: string;
  strict?: boolean;
  maxMemory?: string;
}

export function registerTransport(program: Command): void {
  program
    .command("transport")
    .description("grow the case's tree and simulate the microsphere injection; write terminals.csv and transport.json")
    .argument("<case>", "case file (JSON) with optional `geometry`, `tree`, `injection` and `transport` sections")
    .requiredOption("--out <dir>", "output directory")
    .option("--json", "print one JSON summary on stdout")
    .option("--seed <n>", `seed of the transport (overrides the case's seed, default ${DEFAULT_SEED}; the tree uses tree.seed)`)
    .option("--workers <n>", "worker threads (default: available cores; 1 = inline; results do not depend on it)")
    .option("--terminals <n>", "number of terminals, or auto (overrides tree.terminals)")
    .option("--strict", `exit ${EXIT_UNSAFE} (after writing the outputs) when a contraindication or an exceeded limit remains`)
    .option(...MAX_MEMORY_OPTION)
    .action(action(async (caseFile: string, options: TransportCommandOptions) => runTransport(caseFile, options)));
}

/** What a transport run produced, whichever way its case was resolved. */
interface TransportRun {
  readonly tree: ArterialTree;
  readonly result: TransportResult;
  readonly sections: ResolvedTransport;
  readonly population: SpherePopulation;
  readonly seed: number;
  /** Present for a planned case. */
  readonly safety: PlanSafety | null;
  readonly activityGBq: number;
  readonly lungShuntFraction: number;
}

export async function runTransport(caseFile: string, options: TransportCommandOptions): Promise<void> {
  // --out is checked and locked before any work, and released however the run ends.
  return runIntoOutputDir(options.out, (output) => transportInto(output, caseFile, options), [caseFile]);
}

async function transportInto(output: OutputDir, caseFile: string, options: TransportCommandOptions): Promise<void> {
  const file = await readCaseFile(caseFile);
  const overrides: CaseOverrides = {
    ...(options.seed !== undefined ? { seed: parseIntegerOption("--seed", options.seed, 0, 0xffffffff) } : {}),
    ...(options.terminals !== undefined ? { terminals: parseTerminalsOption(options.terminals) } : {}),
  };
  const workers = parseWorkers(options.workers);
  // The case resolved once, before the memory check: its tree's terminal count is the run's
  // ("auto" counts the case's liver).
  const resolved = isPlannedCase(file.json)
    ? { simCase: withCaseFile(caseFile, () => resolveCase(file, overrides)), inputs: null }
    : { simCase: null, inputs: withCaseFile(caseFile, () => resolveTreeInputs(file, overrides)) };
  const terminals = (resolved.simCase ?? resolved.inputs).tree.terminals;
  checkMemory(estimateTreeMemory(terminals, "transport"), memoryLimitBytes(options.maxMemory), "tree.terminals (or --terminals)");
  const json = Boolean(options.json);
  const started = performance.now();
  const run = await withPool(workers, (pool) => (resolved.simCase !== null ? plannedRun(resolved.simCase, pool, json) : injectionOnlyRun(file, overrides, resolved.inputs, pool, json)));
  const seconds = (performance.now() - started) / 1000;
  const { tree, result, sections, population, seed } = run;
  const reflux = refluxReport(result, run.activityGBq);

  const summary = {
    activityGBq: run.activityGBq,
    lungShuntFraction: run.lungShuntFraction,
    spheresInjected: result.spheresInjected,
    spheres: result.spheres,
    tumourToNormalRatio: result.tumourToNormalRatio,
    clusters: { histogram: result.clusters.histogram },
    stasis: result.stasis,
    reflux,
    seed,
    terminals: result.terminalSegments.length,
    ...(run.safety ? { safety: run.safety } : {}),
  };
  await output.commit(async (dir) => {
    const lines = ["segment,compartment,spheres"];
    for (let t = 0; t < result.terminalSegments.length; t++) {
      const j = result.terminalSegments[t];
      lines.push(`${j},${tree.compartmentNames[tree.compartment[j]]},${result.terminalCounts[t]}`);
    }
    await writeFileAtomic(join(dir, "terminals.csv"), `${lines.join("\n")}\n`);
    // No timings here: same case and seed ⇒ identical files (timings go to stderr).
    const document = {
      ...summary,
      refluxStartedAtSpheres: result.refluxStartedAtSpheres,
      batches: result.batches,
      algorithm: result.algorithm,
      population,
      injection: sections.injection,
      transport: sections.transport,
      tree: { terminals: result.terminalSegments.length, segments: tree.segmentCount },
      timeline: result.timeline,
      provenance: result.provenance,
    };
    await writeFileAtomic(join(dir, "transport.json"), `${JSON.stringify(document, null, 2)}\n`);
  });
  process.stderr.write(`transport: ${seconds.toFixed(1)} s\n`);
  if (json) {
    printJson(summary);
    warnOnStderr([...(run.safety ? safetyWarnings(run.safety) : []), ...formatReflux(reflux).filter((l) => l.startsWith("warning"))]);
  } else {
    const parts = Object.entries(result.spheres).map(([k, v]) => `${k} ${v}`).join(", ");
    printText(
      [
        `transport: ${run.activityGBq.toFixed(4)} GBq, LSF ${run.lungShuntFraction}, ${result.spheresInjected} spheres (${parts}), T/N ${result.tumourToNormalRatio?.toFixed(2) ?? "n/a"}, ` +
          `${result.batches} batches, seed ${seed}, ${result.terminalSegments.length} terminals → ${options.out}`,
        ...formatReflux(reflux),
        ...(run.safety ? formatSafety(run.safety) : []),
      ].join("\n"),
      false,
    );
  }
  if (run.safety) applyStrict(options.strict, run.safety);
}

/** A planned case: the same planning, tree and transport as `sirtsim simulate`. */
async function plannedRun(simCase: SimulationCase, pool: Parameters<typeof simulateCoreParallel>[1]["pool"], json: boolean): Promise<TransportRun> {
  const core = await simulateCoreParallel(simCase, { pool, onTransportProgress: transportProgress(json), log: (m) => process.stderr.write(`${m}\n`) });
  const { injection } = core.sections;
  const population = spherePopulation(PRODUCTS[injection.product], injection.activityGBq, injection.hoursAfterCalibration);
  return {
    tree: core.tree,
    result: core.transport,
    sections: core.sections,
    population,
    seed: simCase.seed,
    safety: core.safety,
    activityGBq: core.plan.activityGBq,
    lungShuntFraction: injection.lungShuntFraction,
  };
}

/** A case without planning fields: the `injection` section as given (product defaults to the top-level one). */
async function injectionOnlyRun(file: Awaited<ReturnType<typeof readCaseFile>>, overrides: CaseOverrides, inputs: TreeInputs, pool: Parameters<typeof simulateCoreParallel>[1]["pool"], json: boolean): Promise<TransportRun> {
  const caseJson = withOverrides(file.json, overrides);
  const seed = parseIntegerOption("seed", String(caseJson.seed ?? DEFAULT_SEED), 0, 0xffffffff);
  const injectionJson = { ...((caseJson.injection as Record<string, unknown> | undefined) ?? {}) };
  if (injectionJson.product === undefined && typeof caseJson.product === "string" && (PRODUCT_IDS as readonly string[]).includes(caseJson.product)) {
    injectionJson.product = caseJson.product;
  }
  const sections = withCaseFile(file.path, () => {
    const parsed = parseTransportSections({ injection: injectionJson, transport: caseJson.transport });
    checkTimelinePoints(caseJson.transport, parsed.transport);
    return parsed;
  });
  const tree = await growTreeOnPool(pool, inputs.domain, inputs.tree, inputs.tree.seed, inputs.integral());
  const { options: transportOptions, population } = transportOptionsFromSections(tree, sections, inputs.domain);
  const result = await simulateTransportParallel(tree, transportOptions, seed, pool, { onProgress: transportProgress(json) });
  return { tree, result, sections, population, seed, safety: null, activityGBq: sections.injection.activityGBq, lungShuntFraction: sections.injection.lungShuntFraction };
}

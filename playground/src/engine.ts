/**
 * The playground's engine: the same pure pipeline functions the CLI runs (src/pipeline/core.ts,
 * src/pipeline/finish.ts), with no Node module, so the browser gives the numbers `sirtsim
 * simulate --workers 1` gives for the same case and seed. It keeps the last tree (and its
 * domain) per geometry, so a change of product, activity, lung shunt, injection site or transport
 * model re-runs planning, transport and dose but not the tree growth; a T/N change regrows it
 * (the tree's terminal density follows the perfusion).
 */
import { loadSimulationCase } from "../../src/pipeline/caseInput.js";
import type { PreparedDomain, SimulationCase } from "../../src/pipeline/caseInput.js";
import { simulateCore } from "../../src/pipeline/core.js";
import type { StageInputs } from "../../src/pipeline/core.js";
import { growTree } from "../../src/vascular/index.js";
import { CASE_HETEROGENEITY_MODELS } from "../../src/transport/models/heterogeneity.js";
import { depositOnHelpers, startCellTissue, startTerritoryCells, type DepositPort } from "./deposit.js";
import { finishSimulation, treatmentHeadline } from "../../src/pipeline/finish.js";
import type { SimulationSummary } from "../../src/pipeline/finish.js";
import { clinicalIsodoses } from "../../src/report/isodose.js";
import type { IsodoseLevel } from "../../src/report/types.js";
import type { ArterialTree } from "../../src/vascular/index.js";

/** What one run hands the page: plain data and typed arrays (transferable). */
export interface PlaygroundResult {
  readonly headline: string;
  readonly summary: SimulationSummary;
  readonly advisories: ReadonlyArray<{ readonly level: string; readonly code?: string; readonly message: string }>;
  readonly dvh: ReadonlyArray<{ readonly name: string; readonly doseGy: Float64Array; readonly volumeFraction: Float64Array }>;
  readonly dose: { readonly dims: readonly number[]; readonly spacingMm: readonly number[]; readonly originMm: readonly number[]; readonly data: Float32Array; readonly maxGy: number };
  readonly labels: Uint8Array;
  readonly labelNames: Readonly<Record<number, string>>;
  readonly isodoses: readonly IsodoseLevel[];
  readonly tumours: readonly string[];
  readonly entryPoints: readonly string[];
  /** Wall time of each stage, ms (not part of the result proper: it varies run to run). */
  readonly timingsMs: Readonly<Record<string, number>>;
  readonly treeCached: boolean;
  /** Threads that placed the lodged spheres (this one and its helpers). */
  readonly depositThreads: number;
}

/** The stages of a run, in order, as the page shows them while it computes. */
export type EngineStage = "case" | "tree" | "transport" | "deposit" | "dose";

export interface RunOptions {
  /** Helper workers for the sphere placement (deposit.ts); none: this thread places them all. */
  readonly helpers?: readonly DepositPort[];
  /** Called as each stage starts (with the spheres to place for "deposit"). */
  readonly onStage?: (stage: EngineStage, detail?: { readonly spheres?: number; readonly threads?: number }) => void;
}

/** The last tree and loaded case per geometry + tree section (one entry: a page edits one liver). */
interface EngineCache {
  key: string;
  tree: ArterialTree | undefined;
  /** The domain and its integral for the geometry section `geometryKey`. */
  geometryKey: string;
  prepared: PreparedDomain | undefined;
}

export function createEngineCache(): EngineCache {
  return { key: "", tree: undefined, geometryKey: "", prepared: undefined };
}

const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());

/**
 * Run a case (JSON, as a case file holds it) through planning, tree, transport and dose,
 * recomputing only what the change invalidates: the domain and its integral are kept while the
 * `geometry` section is unchanged, the tree while `geometry` and `tree` are (a product, activity,
 * LSF, injection-site, transport-model or embolic change re-runs planning, transport, placement
 * and dose; a T/N change is a geometry change: the tree's terminals follow the perfusion).
 */
export async function runCase(caseJson: Record<string, unknown>, cache: EngineCache = createEngineCache(), options: RunOptions = {}): Promise<PlaygroundResult> {
  const t: Record<string, number> = {};
  const stage = options.onStage ?? (() => {});
  stage("case");
  let t0 = now();
  const geometryKey = JSON.stringify(caseJson.geometry ?? null);
  const prepared = cache.geometryKey === geometryKey ? cache.prepared : undefined;
  const simCase: SimulationCase = loadSimulationCase(caseJson, "playground case", undefined, prepared);
  cache.geometryKey = geometryKey;
  cache.prepared = { domain: simCase.domain, integral: simCase.integral };
  t.caseMs = now() - t0;
  const key = JSON.stringify([caseJson.geometry ?? null, simCase.tree]);
  const treeCached = cache.key === key && cache.tree !== undefined;
  const helpers = options.helpers ?? [];
  // A new tree's territory cells: their tissue (domain only) on a helper while this thread grows the tree.
  const tissue = treeCached ? null : startCellTissue(simCase, helpers);
  t0 = now();
  if (!treeCached) {
    stage("tree");
    // simulateCore grows the same tree from the same inputs; grown here to time it apart.
    cache.tree = growTree(simCase.domain, simCase.tree, simCase.tree.seed, simCase.integral);
    cache.key = key;
  }
  t.treeMs = now() - t0;
  // Then most slabs of its cells on the helpers while this thread runs the transport.
  const cells = tissue === null ? null : startTerritoryCells(simCase, cache.tree as ArterialTree, helpers, tissue);
  const stages: StageInputs = { tree: cache.tree };
  stage("transport");
  t0 = now();
  const core = simulateCore(simCase, { stages, version: PLAYGROUND_VERSION, runtime: "browser" });
  t.transportMs = now() - t0;
  stage("deposit", { spheres: core.transport.spheresInjected, threads: helpers.length + 1 });
  t0 = now();
  await cells?.finish();
  t.cellsMs = now() - t0;
  const part = await depositOnHelpers(simCase, core, helpers);
  t.depositMs = now() - t0;
  stage("dose");
  t0 = now();
  const outputs = await finishSimulation(simCase, core, part.counts, part.outsideGrid, {}, part.unitClusters ?? null);
  t.doseMs = now() - t0;
  const grid = outputs.dose.doseGy;
  let maxGy = 0;
  for (let v = 0; v < grid.data.length; v++) if (grid.data[v] > maxGy) maxGy = grid.data[v];
  // The report's label names (normal liver, each tumour, its necrotic core).
  const anatomy = outputs.report.anatomy;
  const labelNames = anatomy?.kind === "labels" ? (anatomy.names ?? {}) : {};
  const planning = core.planning;
  return {
    headline: treatmentHeadline(outputs.summary),
    summary: outputs.summary,
    advisories: core.plan.advisories,
    dvh: outputs.dose.vois.map((v) => ({ name: v.name, doseGy: v.curve.doseGy, volumeFraction: v.curve.volumeFraction })),
    dose: { dims: [...grid.dims], spacingMm: [...grid.spacingMm], originMm: [...grid.originMm], data: grid.data, maxGy },
    labels: outputs.dose.labels.data,
    labelNames,
    isodoses: simCase.report.isodoseGy?.map((doseGy) => ({ doseGy })) ?? clinicalIsodoses({ product: planning.product, indication: planning.indication, scenario: planning.scenario, pretreated: planning.pretreated }),
    tumours: simCase.domain.tumours.map((x) => x.name),
    entryPoints: Object.keys(core.tree.entryPoints),
    timingsMs: t,
    treeCached,
    depositThreads: part.threads,
  };
}

/** Filled in by the build (package.json's version). */
declare const __SIRTSIM_VERSION__: string | undefined;
const PLAYGROUND_VERSION = typeof __SIRTSIM_VERSION__ === "string" ? __SIRTSIM_VERSION__ : "unknown";

/** Walrand 2014's split bias (the model's own parameter: the default 0.5 is 1:1 odds, i.e. no bias at all). */
const WALRAND_BIAS = 0.6;

/** A model of the schema's list, labelled with the engine's own description of it (CASE_HETEROGENEITY_MODELS). */
function modelEntry(id: string): { readonly id: string; readonly label: string; readonly transport: Record<string, unknown> } {
  const described = (CASE_HETEROGENEITY_MODELS as Record<string, string>)[id];
  if (id === "walrand-bias") {
    // With the default bias 0.5 the model gives flow-following's numbers to the last digit (a review).
    return { id, label: `${id} (s = ${WALRAND_BIAS}): ${described.replace("s = transport.bias", `s = ${WALRAND_BIAS}, Walrand 2014`)}`, transport: { heterogeneity: { model: id }, bias: WALRAND_BIAS } };
  }
  return { id, label: described === undefined ? id : `${id}: ${described}`, transport: { heterogeneity: { model: id } } };
}

/**
 * The transport models the engine offers: its registry of named models (CASE_HETEROGENEITY_MODELS,
 * the list the case schema's `transport.heterogeneity.model` is built from), so models added to
 * the engine appear here with their description.
 */
export function heterogeneityModels(): Array<{ readonly id: string; readonly label: string; readonly transport: Record<string, unknown> }> {
  return Object.keys(CASE_HETEROGENEITY_MODELS).map(modelEntry);
}

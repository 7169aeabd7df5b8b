/**
 * The pure core of a simulation (no Node module, no worker pool): planning → tree → transport →
 * lodging positions on the dose grid. src/pipeline/simulate.ts adds the worker-pool variants and
 * the Node-side version lookup; the browser playground (playground/src/engine.ts) runs this file
 * as it is, so both give the same numbers for the same case and seed.
 *
 * Work units for shards (issue 6): the lodging positions are drawn per block of 4096 tree
 * segments with their own random stream (src/transport/positions.ts). A shard deposits the blocks
 * whose index ≡ i (mod n) into an integer count grid; count grids add exactly, so merged shards
 * give the same dose as one run, bit for bit. Planning, tree and transport are deterministic and
 * repeated by every shard (see docs/parallel.md for the costs).
 */
import { productDiameterUm } from "../transport/population.js";
import { InputError } from "../errors.js";
import type { Domain, Grid } from "../geometry/index.js";
import type { PlanResult } from "../planning/index.js";
import { caseDoseCoefficient } from "../planning/plan.js";
import { NUCLIDES, PRODUCTS } from "../physics/index.js";
import type { NuclideId } from "../physics/index.js";
import type { ProductId } from "../physics/products.js";
import type { TruncatedNormalParameters } from "../random/truncatedNormal.js";
import { growTree, treeSummary } from "../vascular/index.js";
import type { ArterialTree, TreeSummary } from "../vascular/index.js";
import { compartmentAcceptance, forEachLodgedSphereChunk, parseTransportSections, POSITION_CHUNK_SPHERES, resolveHeterogeneity, simulateTransport, subTerminalModel, territoryCells, transportOptionsFromSections, unresolvedExclusion } from "../transport/index.js";
import type { InjectionSection, LodgedSphereChunk, LodgingAcceptance, SubTerminalModel, TerritoryCells, TransportOptions, TransportResult, TransportSection } from "../transport/index.js";
import type { HeterogeneityOptions } from "../transport/models/heterogeneity.js";
import { transportSchema } from "../transport/config.js";
import { ClusterTally, type ClusterHistogram } from "../transport/clusters.js";
import type { Shard } from "../parallel/shard.js";
import { inShard, WHOLE_RUN } from "../parallel/shard.js";
import { depositBlocks, SEGMENTS_PER_BLOCK } from "../parallel/deposit.js";
import type { SimulationCase } from "./caseInput.js";
import { autoTerminalsLabel } from "./caseInput.js";
import { resolvePlan } from "./resolvePlan.js";
import { checkInjectionLeavesPlanning } from "./validateCase.js";
import type { PlanSafety } from "./resolvePlan.js";
import type { PlanningCase } from "../planning/types.js";
import { doseGridGeometry, emptyGrid } from "./doseStage.js";

export interface StageInputs {
  /** A tree from an earlier run (tree.bin) instead of growing one. */
  readonly tree?: ArterialTree;
  /** Set when `tree` was grown for this run by the caller (on a worker thread), in ms: logged as grown, not loaded. */
  readonly treeGrownMs?: number;
  /** Per-segment lodged counts from an earlier run (lodged.bin) instead of running transport. */
  readonly transport?: TransportResult;
  /**
   * Called with the tree and the resolved transport sections before a loaded `transport` is used,
   * to refuse one computed for another tree, activity or seed (src/pipeline/stageFiles.ts).
   */
  readonly checkTransport?: (tree: ArterialTree, sections: ResolvedTransport) => void;
}

export interface ResolvedTransport {
  readonly injection: InjectionSection;
  readonly transport: TransportSection;
}

/**
 * The transport sections of a simulation: product, activity and LSF come from planning (the
 * plan's delivered activity is what is injected), so the `injection` section may only choose the
 * site; stating them twice would let them disagree.
 */
export function resolveTransportSections(simCase: SimulationCase, plan: PlanResult): ResolvedTransport {
  const raw = (simCase.injectionSection ?? {}) as Record<string, unknown>;
  checkInjectionLeavesPlanning(raw);
  const hoursAfterCalibration = plan.decay?.hoursCalibrationToTreatment ?? (raw.hoursAfterCalibration as number | undefined) ?? 0;
  const { injection, transport } = parseTransportSections({
    injection: {
      ...raw,
      product: simCase.planning.product,
      activityGBq: plan.activityGBq,
      lungShuntFraction: simCase.planning.lungShuntFraction,
      hoursAfterCalibration,
    },
    transport: simCase.transportSection,
  });
  return { injection, transport };
}

export interface SimulationCore {
  readonly plan: PlanResult;
  /** Limits and advisories of the plan as injected (resolvePlan.ts). */
  readonly safety: PlanSafety;
  /** The planning case the plan used (the case's, or re-derived on a selective injection's territory). */
  readonly planning: PlanningCase;
  /** The injected segment of the tree. */
  readonly entrySegment: number;
  readonly tree: ArterialTree;
  readonly treeSummary: TreeSummary;
  readonly transport: TransportResult;
  readonly sections: ResolvedTransport;
  readonly nuclide: NuclideId;
  /** Activity of every sphere at treatment time, Bq (delivered activity / spheres injected). */
  readonly activityPerSphereBq: number;
  readonly doseCoefficientGyKgPerGBq: number;
  /** sirtsim version and runtime (Node.js version, or the browser) for provenance. */
  readonly softwareVersion: string;
  readonly runtime: string;
}

export interface SimulateOptions {
  readonly stages?: StageInputs;
  /** Stage-by-stage progress messages (stderr in the CLI). */
  readonly log?: (message: string) => void;
  /** sirtsim version for provenance (the Node entry reads package.json; default "unknown"). */
  readonly version?: string;
  /** What computed the result, for provenance (default "unknown"; the Node entry: process.version). */
  readonly runtime?: string;
}

/** Planning, tree and transport: deterministic given the case and its seeds. */
export function simulateCore(simCase: SimulationCase, options: SimulateOptions = {}): SimulationCore {
  const steps = coreSteps(simCase, options);
  let step = steps.next();
  while (!step.done) step = steps.next(simulateTransport(step.value.tree, step.value.options, step.value.seed));
  return step.value;
}

/** The transport a core needs run (yielded by coreSteps; the caller resumes with the result). */
export interface TransportRequest {
  readonly tree: ArterialTree;
  readonly options: TransportOptions;
  readonly seed: number;
}

export function* coreSteps(simCase: SimulationCase, options: SimulateOptions): Generator<TransportRequest, SimulationCore, TransportResult> {
  const log = options.log ?? (() => {});
  const t0 = Date.now();
  const tree = options.stages?.tree ?? growTree(simCase.domain, simCase.tree, simCase.tree.seed, simCase.integral);
  checkTreeMatchesDomain(tree, simCase);
  const grownMs = options.stages?.tree ? options.stages.treeGrownMs : Date.now() - t0;
  log(`tree: ${(tree.segmentCount + 1) / 2} terminals${autoTerminalsLabel(simCase.caseJson)}${grownMs === undefined ? " (loaded)" : ` grown in ${(grownMs / 1000).toFixed(1)} s`}`);

  // A selective injection of a case whose compartments come from the geometry is planned on the
  // injected subtree's territory, and every plan is held to its limits (resolvePlan.ts).
  const { plan, planning, entrySegment: resolvedEntry, safety } = resolvePlan(simCase, tree, options.version ?? "unknown");
  const entrySegment = resolvedEntry ?? 0;
  const product = PRODUCTS[planning.product];
  const k = caseDoseCoefficient(planning).valueGyKgPerGBq;
  log(`plan: ${plan.method}, ${plan.activityGBq.toFixed(3)} GBq delivered${planning === simCase.planning ? "" : " (planned on the injected territory)"}`);

  const sections = resolveTransportSections(simCase, plan);
  const t1 = Date.now();
  let transport = options.stages?.transport;
  if (transport === undefined) {
    const { options: transportOptions } = transportOptionsFromSections(tree, sections, simCase.domain);
    transport = yield { tree, options: transportOptions, seed: simCase.seed };
  } else {
    options.stages?.checkTransport?.(tree, sections);
    if (transport.segmentLodged.length !== tree.segmentCount) {
      throw new InputError("--lodged", `--lodged holds ${transport.segmentLodged.length} segments but the tree has ${tree.segmentCount}`);
    }
  }
  log(`transport: ${transport.spheresInjected} spheres in ${transport.batches} batches${options.stages?.transport ? " (loaded)" : `, ${((Date.now() - t1) / 1000).toFixed(1)} s`}`);
  if (!(transport.spheresInjected > 0)) throw new InputError("activityGBq", "the plan injects no spheres (activityGBq too small for one sphere)");
  const activityPerSphereBq = (plan.activityGBq * 1e9) / transport.spheresInjected;
  return { plan, safety, planning, entrySegment, tree, treeSummary: treeSummary(tree), transport, sections, nuclide: product.nuclide, activityPerSphereBq, doseCoefficientGyKgPerGBq: k, softwareVersion: options.version ?? "unknown", runtime: options.runtime ?? "unknown" };
}

export interface ShardCounts {
  /** Spheres per voxel of the dose grid (integers) from this shard's work units. */
  readonly counts: Grid<Float64Array>;
  /** Spheres of these units lodged outside the dose grid. */
  readonly outsideGrid: number;
  /** Work units (blocks of SEGMENTS_PER_BLOCK segments) this shard ran. */
  readonly units: number;
  /**
   * Spheres per unit-mass piece (summary.transport.unitClusters), tallied by the deposit: only for
   * a whole run with a sub-terminal cascade (a shard's part; finishSimulation replays the cascade
   * when it is absent, e.g. after `merge`).
   */
  readonly unitClusters?: ClusterHistogram | null;
}

/** The work units (blocks of SEGMENTS_PER_BLOCK segments) of the shard, ascending. */
export function shardBlocks(tree: ArterialTree, shard: Shard): number[] {
  const blocks: number[] = [];
  const total = Math.ceil(tree.segmentCount / SEGMENTS_PER_BLOCK);
  for (let u = 0; u < total; u++) if (inShard(shard, u)) blocks.push(u);
  return blocks;
}

/** Territory cells per tree (built once: inline deposit, pool and every shard of a run share them). */
const territoryCellsCache = new WeakMap<ArterialTree, { unitMassG: number; cells: TerritoryCells }>();

/**
 * How a run spreads each vessel's lodged spheres in space (positions.ts): positions clipped to the
 * tissue each terminal perfuses (`accept`), and for "fractal" the sub-terminal cascade over the
 * terminals' unit-mass cells. The one decision of the placement: the deposit of `sirtsim simulate`
 * (inline, pool, shard, playground) and the benches that look at sphere positions
 * (bench/validation*.ts) all take it from here, so they place the same spheres at the same points.
 */
export interface SpherePlacement {
  /** Clipping to each terminal's compartment (null only for a tree without a case domain, e.g. Walrand's lattice tree). */
  readonly accept: LodgingAcceptance | null;
  /** The sub-terminal cascade of the run's heterogeneity model (null unless "fractal"). */
  readonly subTerminal: SubTerminalModel | null;
  /** The terminals' unit-mass cells for the cascade (null without a cascade, or without a domain: territory cubes). */
  readonly territoryCells: TerritoryCells | null;
}

/**
 * The placement of a run on `tree` in `domain` with the transport section's heterogeneity and bias:
 * the cascade is keyed by the tree's seed and the heterogeneity seed, so every deposit spreads a
 * terminal's spheres over the same leaves. `domain` null (a tree built without a case) places
 * without clipping and without cells. `diameterUm`: the run's sphere diameters when size
 * exclusion is on (the cascade stops the spheres its unresolved arterioles are too narrow for;
 * sphereDiametersOf), null when off.
 */
export function spherePlacement(
  tree: ArterialTree,
  domain: Domain | null,
  transport: { readonly heterogeneity?: HeterogeneityOptions; readonly bias: number },
  diameterUm: TruncatedNormalParameters | null,
): SpherePlacement {
  const heterogeneity = resolveHeterogeneity(transport.heterogeneity, transport.bias);
  const exclusion = diameterUm === null ? null : unresolvedExclusion(tree, diameterUm, heterogeneity);
  const subTerminal = subTerminalModel(heterogeneity, tree.params.seed, exclusion);
  const accept = domain === null ? null : compartmentAcceptance(domain, tree.compartment);
  if (subTerminal === null || domain === null) return { accept, subTerminal, territoryCells: null };
  let cached = territoryCellsCache.get(tree);
  if (cached?.unitMassG !== subTerminal.unitMassG) {
    cached = { unitMassG: subTerminal.unitMassG, cells: territoryCells(tree, domain, subTerminal.unitMassG, subTerminal.densityGPerMl) };
    territoryCellsCache.set(tree, cached);
  }
  return { accept, subTerminal, territoryCells: cached.cells };
}

/** The diameters of the run's spheres when its transport section has size exclusion on (else null): what spherePlacement stops in the unresolved arterioles. */
export function sphereDiametersOf(product: ProductId, transport: { readonly sizeExclusion: boolean }): TruncatedNormalParameters | null {
  return transport.sizeExclusion ? productDiameterUm(PRODUCTS[product]) : null;
}

/** The placement of `core`'s run (its transport section and its spheres' diameters): what its deposit used. */
export function runPlacement(core: SimulationCore, domain: Domain | null): SpherePlacement {
  return spherePlacement(core.tree, domain, core.sections.transport, sphereDiametersOf(core.sections.injection.product, core.sections.transport));
}

/**
 * The sub-terminal model of a run of `simCase` (null unless "fractal") from the case's transport
 * section alone (null too when the section is invalid: the run refuses it), before the tree exists,
 * so a caller can build the territory cells' lattice (unit mass, density) before the transport has
 * run (the playground builds most of them on a helper worker while its engine grows the tree and
 * runs the transport) and hand them to primeTerritoryCells. Without the unresolved exclusion, whose
 * lumen law depends on the tree (spherePlacement has it): not for placing spheres.
 */
export function subTerminalOfCase(simCase: SimulationCase): SubTerminalModel | null {
  const parsed = transportSchema.safeParse(simCase.transportSection ?? {});
  if (!parsed.success) return null;
  // The tree grown for the case has the case's tree seed (growTree's params).
  return subTerminalModel(resolveHeterogeneity(parsed.data.heterogeneity, parsed.data.bias), simCase.tree.seed, null);
}

/**
 * Territory cells of `tree` at `unitMassG` built by the caller (the same territoryCells gives;
 * e.g. assembled from territoryCellOwners of slabs built on several threads): spherePlacement uses
 * them instead of building its own.
 */
export function primeTerritoryCells(tree: ArterialTree, unitMassG: number, cells: TerritoryCells): void {
  territoryCellsCache.set(tree, { unitMassG, cells });
}

/**
 * The sub-terminal cascade of the run's heterogeneity model (null unless "fractal") and its
 * terminals' unit-mass cells (spherePlacement of the run's transport section).
 */
export function subTerminalOf(core: SimulationCore, domain: Domain): { subTerminal: SubTerminalModel | null; territoryCells: TerritoryCells | null } {
  const { subTerminal, territoryCells: cells } = runPlacement(core, domain);
  return { subTerminal, territoryCells: cells };
}

/**
 * Every lodged sphere's position as the deposit of a run with `placement` puts it (positions seed
 * = the run's seed), in chunks of at most `chunkSpheres` (forEachLodgedSphereChunk).
 */
export function forEachPlacedSphereChunk(tree: ArterialTree, segmentLodged: ArrayLike<number>, seed: number, placement: SpherePlacement, onChunk: (chunk: LodgedSphereChunk) => void, chunkSpheres = POSITION_CHUNK_SPHERES): void {
  forEachLodgedSphereChunk(tree, segmentLodged, seed, onChunk, chunkSpheres, placement.accept, 0, tree.segmentCount, placement.subTerminal, placement.territoryCells);
}

/** Deposit the lodged spheres of the shard's work units on the dose grid (counts per voxel). */
export function depositLodgedSpheres(simCase: SimulationCase, core: SimulationCore, shard: Shard = WHOLE_RUN): ShardCounts {
  const geometry = doseGridGeometry(simCase.domain, simCase.dose.voxelMm, simCase.dose.marginMm);
  const counts = emptyGrid(geometry, (n) => new Float64Array(n));
  const blocks = shardBlocks(core.tree, shard);
  const placement = runPlacement(core, simCase.domain);
  const tally = placement.subTerminal !== null && shard.count === 1 ? new ClusterTally() : null;
  const outsideGrid = depositBlocks(counts, core.tree, core.transport.segmentLodged, blocks, simCase.seed, placement.accept as LodgingAcceptance, undefined, placement.subTerminal, placement.territoryCells, tally?.add ?? null);
  return { counts, outsideGrid, units: blocks.length, unitClusters: tally?.histogram() ?? null };
}

function checkTreeMatchesDomain(tree: ArterialTree, simCase: SimulationCase): void {
  const expected = ["normal", ...simCase.domain.tumours.map((t) => t.name)];
  if (tree.compartmentNames.join("\u0000") !== expected.join("\u0000")) {
    throw new InputError("--tree", `--tree: the tree's compartments (${tree.compartmentNames.join(", ")}) do not match the case's (${expected.join(", ")})`);
  }
}

/** Lung dose of the simulated lung spheres, Gy (K · A_lung / m_lung, the planning convention). */
export function simulatedLungDoseGy(core: SimulationCore, lungMassKg: number): number {
  const lungSpheres = core.transport.spheres.lung ?? 0;
  return (core.doseCoefficientGyKgPerGBq * lungSpheres * core.activityPerSphereBq * 1e-9) / lungMassKg;
}

/** Constants a simulation used, for provenance. */
export function simulationConstants(core: SimulationCore): Record<string, unknown> {
  const nuclide = NUCLIDES[core.nuclide];
  return {
    nuclide: core.nuclide,
    halfLifeH: nuclide.halfLifeH,
    // The one energy per decay of the run (planning, LDM, kernel normalisation; issue 14.6).
    meanEnergyMeV: core.plan.provenance.meanEnergyMeV,
    meanEnergySource: core.plan.provenance.doseCoefficientConvention === "user" ? "implied by the case's doseCoefficientGyKgPerGBq" : nuclide.meanEnergySource,
    doseCoefficientGyKgPerGBq: core.doseCoefficientGyKgPerGBq,
    doseCoefficientConvention: core.plan.provenance.doseCoefficientConvention,
    activityPerSphereBq: core.activityPerSphereBq,
    product: PRODUCTS[core.plan.product].name,
    productSources: PRODUCTS[core.plan.product].sources,
  };
}

/**
 * From lodged-sphere counts on the dose grid to what users read: dose grids, per-compartment
 * metrics next to the partition model's prediction, the summary document and the report input.
 */
import { refluxWarning } from "./reflux.js";
import { voiRadiobiology, type VoiRadiobiology } from "../dose/radiobiology.js";
import { ntcpOutsideFit, withOutcomeColumns } from "./outcomeReport.js";
import { boundedDvhBinWidthGy, MAX_DVH_POINTS } from "../dose/dvh.js";
import type { Grid } from "../geometry/index.js";
import type { ReportInput } from "../report/types.js";
import { clinicalIsodoses } from "../report/isodose.js";
import { formatActivityGBq, formatNumber, formatQuantity } from "../report/format.js";
import { labelOutlines } from "../report/outline.js";
import { PRODUCTS } from "../physics/index.js";
import type { ProductId } from "../physics/index.js";
import type { DecayReport, PlanningMethod } from "../planning/types.js";
import { provenanceOf } from "../io/provenance.js";
import type { Provenance } from "../io/provenance.js";
import type { SimulationCase } from "./caseInput.js";
import { terminalsAreAuto } from "./caseInput.js";
import { doseFromSphereCounts } from "./doseStage.js";
import { isWholeTree } from "./perfused.js";
import type { DoseStageOptions, DoseStageResult, VoiDose } from "./doseStage.js";
import { simulatedLungDoseGy, simulationConstants, subTerminalOf } from "./core.js";
import { unitClusterHistogram, type ClusterHistogram } from "../transport/clusters.js";
import { resolveHeterogeneity } from "../transport/models/heterogeneity.js";
import { assessResolution, type ResolutionAssessment } from "../transport/resolution.js";
import type { SimulationCore } from "./core.js";

export interface CompartmentSummary {
  readonly meanDoseGy: number;
  readonly D70Gy: number;
  readonly V100: number;
  readonly spheres: number;
  readonly volumeMl: number;
  /** Mean dose with local deposition on the voxel grid (no beta cross-fire), Gy. */
  readonly meanDoseLdmGy: number;
  /**
   * Tissue-level mean dose of the spheres lodged in the compartment's terminals, Gy:
   * K · (spheres × activity per sphere) / mass — the partition model's own physics (local
   * deposition, compartment masses), without voxelisation or lodging-position spill.
   */
  readonly meanDoseFromSpheresGy: number | null;
  readonly D50Gy: number;
  readonly D90Gy: number;
  readonly D95Gy: number;
  readonly maxDoseGy: number;
  /**
   * BED (Dale 1985, mean of the voxel BEDs) and EUD (Niemierko 1997) of the compartment's tissue
   * type from the voxel (FFT) doses, with the LQ parameters used (src/dose/radiobiology.ts).
   */
  readonly radiobiology: VoiRadiobiology | null;
  /** gEUD (Niemierko 1999) for the case's `dose.eudA`, Gy; absent when eudA is null. */
  readonly gEudGy?: number;
  /** D_x for every `dose.dPercents` level, Gy, keyed `D50`, `D95`, … (in the order asked). */
  readonly doseAtVolumeGy: Readonly<Record<string, number>>;
  /** V_y for every `dose.vThresholdsGy` level, fraction 0..1 of the VOI, keyed `V70Gy`, … */
  readonly volumeAtDose: Readonly<Record<string, number>>;
}

/** The D_x / V_y levels a case asked for, without repeats, in the order given. */
export function requestedDvhLevels(config: { readonly dPercents: readonly number[]; readonly vThresholdsGy: readonly number[] }): { dPercents: number[]; vThresholdsGy: number[] } {
  return { dPercents: [...new Set(config.dPercents)], vThresholdsGy: [...new Set(config.vThresholdsGy)] };
}

/** summary.json keys of the requested levels: `D50` (Gy) and `V70Gy` (fraction). */
export const dKey = (percent: number): string => `D${percent}`;
export const vKey = (thresholdGy: number): string => `V${thresholdGy}Gy`;

export interface SimulationSummary {
  readonly name: string;
  readonly activityGBq: number;
  readonly spheresInjected: number;
  readonly compartments: Readonly<Record<string, CompartmentSummary>>;
  /** Lung: mean dose K·A_lung/m_lung (planning convention), and its BED/EUD as a uniform dose. */
  readonly lung: { readonly meanDoseGy: number; readonly spheres: number; readonly radiobiology: VoiRadiobiology };
  /** `warning`: above REFLUX_WARNING_FRACTION of the spheres (src/pipeline/reflux.ts), else null. */
  readonly reflux: { readonly spheres: number; readonly fraction: number; readonly activityGBq: number; readonly stasis: boolean; readonly startedAtSpheres: number | null; readonly warning: string | null };
  readonly partitionModel: Readonly<Record<string, { readonly meanDoseGy: number }>>;
  /** Simulated mean dose / partition-model dose − 1, by compartment (LDM and FFT). */
  readonly comparison: Readonly<Record<string, { readonly spheresRelativeDifference: number | null; readonly ldmRelativeDifference: number; readonly fftRelativeDifference: number }>>;
  readonly tumourToNormalRatio: { readonly realisedSpheres: number | null };
  readonly transport: Record<string, unknown>;
  readonly tree: Record<string, unknown>;
  /**
   * The tree's tissue per terminal and what the resolution study says of it (transport/resolution.ts);
   * `terminalsAuto`: the count came from `tree.terminals: "auto"` (the case's liver over
   * RESOLUTION_STUDY.autoMg), not from the case or --terminals.
   */
  readonly resolution: ResolutionAssessment & { readonly terminalsAuto: boolean };
  readonly plan: {
    readonly product: ProductId;
    readonly method: string;
    readonly advisories: readonly unknown[];
    readonly binding: string | null;
    readonly withinLimits: boolean;
    readonly plannedActivityGBq: number;
    readonly limitedBy: string | null;
    /** Share of the dispensed activity left in vial, catheter and tubing (case `residualFraction`, default 0). */
    readonly residualFraction: number;
    /** Activity to dispense so that `activityGBq` reaches the patient: activityGBq / (1 − residualFraction). */
    readonly dispensedActivityGBq: number;
    /** EANM 2022 tumour type and treatment scenario: they set the dose targets, limits and isodose lines. */
    readonly indication: string;
    readonly scenario: string;
    readonly pretreated: boolean;
    /** The patient as given (height, weight, BSA); it sets the activity of method bsa only. */
    readonly patient: Readonly<Record<string, number>> | null;
    /** Decay and residual bookkeeping (vial activity to order at calibration), when the case gives times, a residual or a vial activity. */
    readonly decay: DecayReport | null;
  };
  readonly dose: { readonly method: "fft"; readonly voxelMm: number; readonly dims: readonly number[]; readonly kernelEnergyResidual: number; readonly kernelEnergyVsPlanning: number; readonly outsideGridSpheres: number };
  /**
   * The exported DVH curves' dose spacing: `requested` is `dose.dvhBinWidthGy`; `used` the widest
   * a VOI's curve got (src/dose/dvh.ts widens the bin of a curve that would need more than
   * `maxPoints` points). `widenedFor` names the VOIs whose curves were widened.
   */
  readonly dvh: { readonly binWidthGy: { readonly requested: number; readonly used: number }; readonly maxPoints: number; readonly widenedFor: readonly string[] };
  readonly seed: number;
  /** Everything needed to reproduce the run: the validated case sections with their defaults. */
  readonly reproduce: Record<string, unknown>;
  readonly provenance: Provenance;
}

export interface SimulationOutputs {
  readonly summary: SimulationSummary;
  readonly dose: DoseStageResult;
  readonly report: ReportInput;
}

function compartmentSummary(v: VoiDose, spheres: number, meanDoseFromSpheresGy: number | null, levels: { dPercents: readonly number[]; vThresholdsGy: readonly number[] }): CompartmentSummary {
  const m = v.metrics;
  return {
    meanDoseFromSpheresGy,
    meanDoseGy: m.meanGy,
    D70Gy: m.d.D70 ?? NaN,
    V100: m.v.V100 ?? NaN,
    spheres,
    volumeMl: m.volumeMl,
    meanDoseLdmGy: v.meanLdmGy,
    D50Gy: m.d.D50 ?? NaN,
    D90Gy: m.d.D90 ?? NaN,
    D95Gy: m.d.D95 ?? NaN,
    maxDoseGy: m.maxGy,
    radiobiology: m.radiobiology ?? null,
    ...(m.eudGy === undefined ? {} : { gEudGy: m.eudGy }),
    doseAtVolumeGy: Object.fromEntries(levels.dPercents.map((p) => [dKey(p), m.d[`D${p}`] ?? NaN])),
    volumeAtDose: Object.fromEntries(levels.vThresholdsGy.map((t) => [vKey(t), m.v[`V${t}`] ?? NaN])),
  };
}

/** Dose, metrics, summary and report input from the (merged) count grid of a simulation. */
export async function finishSimulation(
  simCase: SimulationCase,
  core: SimulationCore,
  counts: Grid<Float64Array>,
  outsideGrid: number,
  options: DoseStageOptions = {},
  depositedUnitClusters: ClusterHistogram | null = null,
): Promise<SimulationOutputs> {
  const doseConfig = { ...simCase.dose, vThresholdsGy: [...new Set([...simCase.dose.vThresholdsGy, 100])].sort((a, b) => a - b), dPercents: [...new Set([...simCase.dose.dPercents, 50, 70, 90, 95])].sort((a, b) => a - b) };
  const dose = await doseFromSphereCounts(counts, core.activityPerSphereBq, simCase.domain, core.nuclide, doseConfig, core.doseCoefficientGyKgPerGBq, {
    ...options,
    meanEnergyMeV: core.plan.provenance.meanEnergyMeV,
    ...(isWholeTree(core.tree, core.entrySegment) ? {} : { selective: { tree: core.tree, entry: core.entrySegment } }),
  });
  const t = core.transport;
  const tumourNames = simCase.domain.tumours.map((x) => x.name);
  const spheresOf = (name: string): number => (name === "liver" || name === "perfused" ? ["normal", ...tumourNames].reduce((s, n) => s + (t.spheres[n] ?? 0), 0) : (t.spheres[name] ?? 0));

  const compartments: Record<string, CompartmentSummary> = {};
  const massKgOf = (name: string): number | undefined => core.plan.compartments[name]?.massKg;
  const tissueDoseGy = (name: string): number | null => {
    const mass = massKgOf(name);
    return mass === undefined || !(mass > 0) ? null : (core.doseCoefficientGyKgPerGBq * spheresOf(name) * core.activityPerSphereBq * 1e-9) / mass;
  };
  const levels = requestedDvhLevels(simCase.dose);
  for (const v of dose.vois) compartments[v.name] = compartmentSummary(v, spheresOf(v.name), tissueDoseGy(v.name), levels);

  const partitionModel: Record<string, { meanDoseGy: number }> = {};
  for (const [name, c] of Object.entries(core.plan.compartments)) partitionModel[name] = { meanDoseGy: c.doseGy };
  const comparison: Record<string, { spheresRelativeDifference: number | null; ldmRelativeDifference: number; fftRelativeDifference: number }> = {};
  for (const v of dose.vois) {
    const predicted = partitionModel[v.name]?.meanDoseGy;
    if (predicted === undefined || !(predicted > 0)) continue;
    const fromSpheres = compartments[v.name].meanDoseFromSpheresGy;
    comparison[v.name] = {
      spheresRelativeDifference: fromSpheres === null ? null : fromSpheres / predicted - 1,
      ldmRelativeDifference: v.meanLdmGy / predicted - 1,
      fftRelativeDifference: v.metrics.meanGy / predicted - 1,
    };
  }

  const lungMassKg = simCase.planning.lungMassKg;
  const lungDoseGy = simulatedLungDoseGy(core, lungMassKg);
  const refluxSpheres = t.spheres.reflux ?? 0;
  const provenance = provenanceOf({
    version: core.softwareVersion,
    runtime: core.runtime,
    seed: simCase.seed,
    constants: { ...simulationConstants(core), kernel: dose.kernelProvenance, planning: core.plan.provenance },
  });
  const { terminalSegments: _ts, terminalCounts: _tc, segmentLodged: _sl, timeline, ...transportRest } = t;
  const summary: SimulationSummary = {
    name: simCase.name,
    activityGBq: core.plan.activityGBq,
    spheresInjected: t.spheresInjected,
    compartments,
    lung: {
      meanDoseGy: lungDoseGy,
      spheres: t.spheres.lung ?? 0,
      // The lung dose is a uniform mean by convention (1 kg, complete decay): BED of that dose, EUD = dose.
      radiobiology: voiRadiobiology([lungDoseGy], { nuclide: core.nuclide, tissue: "lung", params: simCase.dose.radiobiology.lung }),
    },
    reflux: refluxOf(refluxSpheres, t.spheresInjected, core.activityPerSphereBq, t.stasis, t.refluxStartedAtSpheres),
    partitionModel,
    comparison,
    tumourToNormalRatio: { realisedSpheres: t.tumourToNormalRatio },
    transport: { ...transportRest, timeline: timeline.length > 50 ? thin(timeline, 50) : timeline, unitClusters: unitClustersOf(simCase, core, depositedUnitClusters) },
    tree: { ...core.treeSummary },
    resolution: { ...resolutionOf(core), terminalsAuto: terminalsAreAuto(simCase.caseJson) },
    plan: {
      product: core.plan.product,
      method: core.plan.method,
      advisories: core.plan.advisories,
      binding: core.plan.limits.binding,
      withinLimits: core.plan.limits.withinLimits,
      plannedActivityGBq: core.safety.plannedActivityGBq,
      limitedBy: core.safety.limitedBy,
      ...dispensed(core.plan.activityGBq, core.planning.residualFraction ?? 0),
      indication: core.planning.indication,
      scenario: core.planning.scenario,
      pretreated: core.planning.pretreated,
      patient: core.planning.patient ? { ...core.planning.patient } : null,
      decay: core.plan.decay ?? null,
    },
    dose: { method: "fft", voxelMm: simCase.dose.voxelMm, dims: [...counts.dims], kernelEnergyResidual: dose.kernelResidual, kernelEnergyVsPlanning: dose.kernelEnergyVsPlanning, outsideGridSpheres: outsideGrid },
    dvh: dvhBinReport(dose.vois, simCase.dose.dvhBinWidthGy),
    seed: simCase.seed,
    reproduce: {
      seed: simCase.seed,
      geometry: simCase.geometry,
      tree: simCase.tree,
      injection: core.sections.injection,
      transport: core.sections.transport,
      dose: simCase.dose,
      planning: core.planning,
    },
    provenance,
  };
  return { summary, dose, report: withOutcomeColumns(reportInput(simCase, core, summary, dose), summary) };
}

/** What the resolution study says of `core`'s tree under its product, transport settings and heterogeneity model (summary.json `resolution`). */
function resolutionOf(core: SimulationCore): ResolutionAssessment {
  const t = core.sections.transport;
  return assessResolution(core.treeSummary.terminals, core.treeSummary.perfusedVolumeMl, {
    product: core.sections.injection.product,
    sizeExclusion: t.sizeExclusion,
    murrayExponent: core.tree.params.murrayExponent,
    heterogeneity: resolveHeterogeneity(t.heterogeneity, t.bias),
  });
}

/** Residual and dispensed activity (src/planning/decay.ts: the vial holds A_delivered / (1 − residual)). */
function dispensed(activityGBq: number, residualFraction: number): { residualFraction: number; dispensedActivityGBq: number } {
  return { residualFraction, dispensedActivityGBq: activityGBq / (1 - residualFraction) };
}

/** The DVH bin width asked for and the one each VOI's curve got (boundedDvhBinWidthGy, as doseStage.ts draws the curves). */
function dvhBinReport(vois: readonly VoiDose[], requestedGy: number): SimulationSummary["dvh"] {
  let used = requestedGy;
  const widenedFor: string[] = [];
  for (const v of vois) {
    const width = boundedDvhBinWidthGy(v.metrics.maxGy, requestedGy);
    if (width > requestedGy) widenedFor.push(v.name);
    if (width > used) used = width;
  }
  return { binWidthGy: { requested: requestedGy, used }, maxPoints: MAX_DVH_POINTS, widenedFor };
}

/**
 * What the user must be told on stderr about a finished simulation that the tables do not say:
 * a tree outside the tissue per terminal where the resolution study found its answer within 2 % (a note), a DVH bin widened
 * beyond the one asked for.
 */
export function simulationWarnings(s: Pick<SimulationSummary, "dvh" | "resolution" | "dose" | "compartments" | "plan">): string[] {
  const out: string[] = [];
  if (s.resolution.note !== null) out.push(`note: ${s.resolution.note}`);
  const ntcp = ntcpOutsideFit(s);
  if (ntcp !== null) out.push(`note: ${ntcp}`);
  if (s.dose.kernelEnergyVsPlanning !== 0) {
    out.push(`note: dose.normaliseKernelToMeanEnergy is false: the dose kernel deposits ${Math.abs(100 * s.dose.kernelEnergyVsPlanning).toFixed(2)} % ${s.dose.kernelEnergyVsPlanning < 0 ? "less" : "more"} energy per decay than planning's K assumes, so the convolved dose and the plan use two energies per decay (summary.json dose.kernelEnergyVsPlanning; docs/dose.md)`);
  }
  if (s.dvh.widenedFor.length > 0) {
    out.push(
      `warning: dose.dvhBinWidthGy ${s.dvh.binWidthGy.requested} Gy would need more than ${s.dvh.maxPoints.toLocaleString("en")} points per DVH curve: the curves of ${s.dvh.widenedFor.join(", ")} use ${s.dvh.binWidthGy.used} Gy (summary.json dvh.binWidthGy; metrics use voxel-exact doses)`,
    );
  }
  return out;
}

/** At most `n` evenly spaced points, first and last kept. */
function thin<T>(points: readonly T[], n: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(points[Math.round((i * (points.length - 1)) / (n - 1))]);
  return out;
}

const METHOD_NAMES: Readonly<Record<PlanningMethod, string>> = { bsa: "BSA", mird: "MIRD single compartment", partition: "partition model" };

/**
 * What was given, said in one line for the report title and the terminal: product, planning
 * method and activity ("TheraSphere (Y-90 glass), MIRD single compartment, 1.984 GBq"). Built from
 * the plan, not from the case's free-text name, which may describe another product.
 */
export function treatmentHeadline(s: Pick<SimulationSummary, "plan" | "activityGBq">): string {
  const method = METHOD_NAMES[s.plan.method as PlanningMethod] ?? s.plan.method;
  return `${PRODUCTS[s.plan.product].name}, ${method}, ${formatActivityGBq(s.activityGBq)}`;
}

/** The spheres per unit-mass piece of tissue (summary.transport.unitClusters). */
export interface UnitClusterSummary {
  readonly unitMassMg: number;
  /** Sizes (spheres in one piece), ascending, and the number of pieces of each size. */
  readonly spheresPerPiece: number[];
  readonly pieces: number[];
  readonly definition: string;
}

/**
 * Cluster sizes at a fixed physical scale (issue 14 point 1): spheres per unit-mass piece of the
 * "fractal" model's sub-terminal cascade (transport/clusters.ts unitClusterHistogram: the
 * deposit's leaf counts, independent of the terminal count as far as the cascade's RD(m) is);
 * null for models without a sub-terminal cascade.
 */
export function unitClustersOf(simCase: SimulationCase, core: SimulationCore, deposited: ClusterHistogram | null = null): UnitClusterSummary | null {
  const { subTerminal, territoryCells } = subTerminalOf(core, simCase.domain);
  if (subTerminal === null) return null;
  // The deposit's tally of the whole run when it has one (the same leaf counts), else a replay.
  const histogram = deposited ?? unitClusterHistogram(core.tree, core.transport.segmentLodged, simCase.seed, subTerminal, territoryCells);
  const unitMassMg = subTerminal.unitMassG * 1000;
  return {
    unitMassMg,
    spheresPerPiece: histogram.map((h) => h[0]),
    pieces: histogram.map((h) => h[1]),
    definition: `Spheres lodged in one piece of ${formatNumber(unitMassMg)} mg of tissue (a leaf of the sub-terminal cascade: a lattice cell of the terminal's territory, or a box of its territory cube), and the spheres wedged at the inlet of one vessel; pieces without spheres are not counted.`,
  };
}

/** One line on what the engine counts as one cluster (src/transport/clusters.ts). */
export function clusterDefinition(distanceMm: number): string {
  return `A cluster is the spheres lodged in one vessel, joined with those in its parent and sibling vessels when both hold spheres and their lodging points lie within ${formatNumber(distanceMm)} mm.`;
}

/** The patient line of the report: what was given, and whether the method used it. */
function patientText(p: Readonly<Record<string, number>>, method: PlanningMethod): string {
  const parts = [p.heightCm !== undefined ? `${formatNumber(p.heightCm)} cm` : null, p.weightKg !== undefined ? `${formatNumber(p.weightKg)} kg` : null, p.bsaM2 !== undefined ? `BSA ${formatNumber(p.bsaM2)} m²` : null].filter((x) => x !== null);
  return `${parts.join(", ")}${method === "bsa" ? "" : ` (recorded; not used by method ${method}, only by bsa)`}`;
}

/** The requested D_x (Gy) and V_y (%) per VOI, the columns in the order the case lists them. */
export function dvhMetricsTable(s: Pick<SimulationSummary, "compartments">): { columns: string[]; rows: Array<Array<string | number | null>> } {
  const first = Object.values(s.compartments)[0];
  const dKeys = first ? Object.keys(first.doseAtVolumeGy) : [];
  const vKeys = first ? Object.keys(first.volumeAtDose) : [];
  return {
    columns: ["VOI", ...dKeys.map((k) => `${k} (Gy)`), ...vKeys.map((k) => `${k} (%)`)],
    rows: Object.entries(s.compartments).map(([name, c]) => [name, ...dKeys.map((k) => c.doseAtVolumeGy[k]), ...vKeys.map((k) => 100 * c.volumeAtDose[k])]),
  };
}

const lqText = (p: { alphaBetaGy: number; repairHalfTimeH: number; alphaPerGy: number }): string => `${p.alphaBetaGy} Gy, ${p.repairHalfTimeH} h, ${p.alphaPerGy}/Gy`;

function reportInput(simCase: SimulationCase, core: SimulationCore, s: SimulationSummary, dose: DoseStageResult): ReportInput {
  const T = simCase.domain.tumours.length;
  const names: Record<number, string> = { 1: "normal liver" };
  simCase.domain.tumours.forEach((tumour, i) => {
    names[2 + i] = tumour.name;
    names[2 + T + i] = `${tumour.name} (necrotic)`;
  });
  // Colour each drawn segment by the spheres lodged in its whole subtree (pre-order: one backward pass).
  const tree = core.tree;
  const downstream = new Float64Array(tree.segmentCount);
  for (let i = tree.segmentCount - 1; i >= 0; i--) {
    downstream[i] += core.transport.segmentLodged[i];
    if (tree.parent[i] >= 0) downstream[tree.parent[i]] += downstream[i];
  }
  const rows: Array<Array<string | number | null>> = dose.vois.map((v) => [
    v.name,
    v.metrics.volumeMl,
    s.compartments[v.name].spheres,
    v.metrics.meanGy,
    v.meanLdmGy,
    s.partitionModel[v.name]?.meanDoseGy ?? null,
    v.metrics.d.D70,
    v.metrics.d.D90,
    v.metrics.v.V100,
    v.metrics.radiobiology?.meanBedGy ?? null,
    v.metrics.radiobiology?.eudGy ?? null,
  ]);
  rows.push(["lung", null, s.lung.spheres, s.lung.meanDoseGy, s.lung.meanDoseGy, core.plan.compartments.lung?.doseGy ?? null, null, null, null, s.lung.radiobiology.meanBedGy, s.lung.radiobiology.eudGy]);
  const histogram = core.transport.clusters.histogram;
  const outlines = labelOutlines(dose.labels, [
    { name: "liver", kind: "liver", labels: Array.from({ length: 1 + 2 * T }, (_, i) => 1 + i) },
    ...simCase.domain.tumours.map((tumour, i) => ({ name: tumour.name, kind: "tumour" as const, labels: [2 + i, 2 + T + i] })),
  ]);
  const planning = core.planning;
  return {
    title: `sirtsim — ${treatmentHeadline(s)}`,
    subtitle: `Case: ${simCase.name}${simCase.description ? `. ${simCase.description}` : ""}`,
    summary: [
      { label: "Case", value: simCase.name },
      { label: "Product", value: PRODUCTS[core.plan.product].name },
      { label: "Planning method", value: METHOD_NAMES[core.plan.method] },
      { label: "Activity delivered", value: formatActivityGBq(core.plan.activityGBq) },
      { label: "Activity dispensed", value: `${formatActivityGBq(s.plan.dispensedActivityGBq)} (residual in vial and tubing ${formatQuantity(100 * s.plan.residualFraction, "%")})` },
      ...(s.plan.decay && s.plan.decay.hoursCalibrationToTreatment !== 0
        ? [{ label: "Vial activity at calibration", value: `${formatActivityGBq(s.plan.decay.activityAtCalibrationGBq)} (${formatNumber(s.plan.decay.hoursCalibrationToTreatment)} h before treatment)` }]
        : []),
      { label: "Indication / scenario", value: `${s.plan.indication} / ${s.plan.scenario}${s.plan.pretreated ? ", pretreated" : ""} (EANM 2022 targets, limits, isodoses)` },
      ...(s.plan.patient ? [{ label: "Patient", value: patientText(s.plan.patient, core.plan.method) }] : []),
      { label: "Spheres injected", value: formatNumber(s.spheresInjected) },
      { label: "Activity per sphere", value: formatQuantity(core.activityPerSphereBq, "Bq") },
      { label: "Lung shunt fraction", value: formatQuantity(100 * simCase.planning.lungShuntFraction, "%") },
      { label: "Tree terminals", value: formatNumber(core.treeSummary.terminals) },
      { label: "Realised T/N (spheres per mL)", value: formatNumber(s.tumourToNormalRatio.realisedSpheres) },
      { label: "Stasis / reflux", value: s.reflux.stasis ? `yes, ${formatNumber(s.reflux.spheres)} spheres refluxed` : "no" },
      { label: "Seed", value: String(simCase.seed) },
    ],
    isodoseGy: simCase.report.isodoseGy ?? clinicalIsodoses({ product: planning.product, indication: planning.indication, scenario: planning.scenario, pretreated: planning.pretreated }),
    doseGy: dose.doseGy,
    anatomy: { kind: "labels", grid: dose.labels, names },
    dvh: dose.vois.map((v) => ({ name: v.name, volumeMl: v.metrics.volumeMl, doseGy: v.curve.doseGy, volumeFraction: v.curve.volumeFraction })),
    metrics: {
      columns: ["VOI", "volume (mL)", "spheres", "mean dose (Gy)", "mean dose, local deposition (Gy)", "partition model (Gy)", "D70 (Gy)", "D90 (Gy)", "V100", "mean BED (Gy)", "EUD (Gy)"],
      rows,
    },
    dvhMetrics: dvhMetricsTable(s),
    advisories: core.plan.advisories,
    clusterHistogram:
      histogram.length > 0
        ? { spheresPerCluster: histogram.map((h) => h[0]), counts: histogram.map((h) => h[1]), definition: clusterDefinition(core.transport.clusters.distanceMm) }
        : undefined,
    tree: { proximalMm: tree.proximalMm, distalMm: tree.distalMm, radiusMm: tree.radiusMm, lodged: downstream, lodgedLabel: "spheres lodged downstream", outlines },
    provenance: s.provenance as unknown as Record<string, unknown>,
    notes: [
      "Mean dose: voxel S-value convolution (beta cross-fire included). Local deposition: every decay absorbed in its voxel, the physics the partition model assumes; the two differ near compartment boundaries by the beta range (mean 2.5 mm, max 11 mm for Y-90).",
      "Partition model: the activity actually simulated, split by the compartments' T/N and masses (Ho et al. 1996).",
      ...(s.resolution.note !== null ? [`Resolution: ${s.resolution.note}.`] : []),
      ...(s.dvh.widenedFor.length > 0 ? [`DVH curves of ${s.dvh.widenedFor.join(", ")}: dose spacing ${formatNumber(s.dvh.binWidthGy.used)} Gy instead of the requested ${formatNumber(s.dvh.binWidthGy.requested)} Gy (at most ${formatNumber(s.dvh.maxPoints)} points per curve); the metrics use voxel-exact doses.`] : []),
      `BED: Dale 1985 (permanent implant, repair), mean over voxels; EUD: Niemierko 1997 from voxel BEDs. LQ parameters α/β, T_rep, α: tumour ${lqText(simCase.dose.radiobiology.tumour)}; normal liver (also liver, perfused) ${lqText(simCase.dose.radiobiology.normalLiver)}; lung ${lqText(simCase.dose.radiobiology.lung)} (lung: uniform dose).`,
    ],
  };
}

/** summary.json's reflux: spheres, share, activity and the warning above REFLUX_WARNING_FRACTION. */
function refluxOf(spheres: number, injected: number, activityPerSphereBq: number, stasis: boolean, startedAtSpheres: number | null): SimulationSummary["reflux"] {
  const fraction = injected > 0 ? spheres / injected : 0;
  return { spheres, fraction, activityGBq: (spheres * activityPerSphereBq) / 1e9, stasis, startedAtSpheres, warning: refluxWarning(fraction) };
}

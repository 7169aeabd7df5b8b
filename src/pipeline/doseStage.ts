/**
 * The dose stage of a simulation: lodged-sphere counts on a voxel grid → activity → absorbed dose
 * (voxel S-value FFT convolution and, as the partition-model comparison, local deposition) →
 * DVHs and metrics per compartment. Plain data in, plain data out.
 *
 * Spheres are counted per voxel (integers, exact in float64 whatever the order of deposits) and
 * every sphere carries the same activity — the delivered activity divided by the spheres
 * delivered — so partial count grids of shards add exactly and the merged dose equals a single
 * run's bit for bit.
 */
import { axisAlignedGeometry, rasterizeDomain, sharedOrPlain, voxelCount } from "../geometry/index.js";
import type { Domain, Grid, GridGeometry, Vec3 } from "../geometry/index.js";
import { doseFromActivity, doseMetrics, dvh, dvhCurve, dvhDosePoints, localDepositionDose, voxelSValues } from "../dose/index.js";
import type { DoseConfig, DoseMetrics, Dvh, FftPassRunner, TissueType } from "../dose/index.js";
import { meanEnergyForDoseCoefficientMeV, nuclideData, type NuclideId } from "../physics/index.js";
import type { ArterialTree } from "../vascular/index.js";
import { perfusedMask } from "./perfused.js";

/** Dose grid over the liver's bounding box plus a margin, cubic voxels, axis-aligned (RAS). */
export function doseGridGeometry(domain: Domain, voxelMm: number, marginMm: number): GridGeometry {
  const { minMm, maxMm } = domain.boundsMm;
  const dims = [0, 1, 2].map((a) => Math.ceil((maxMm[a] - minMm[a] + 2 * marginMm) / voxelMm)) as Vec3;
  // Centre the lattice on the box so the margin is the same on both sides.
  const origin = [0, 1, 2].map((a) => (minMm[a] + maxMm[a]) / 2 - ((dims[a] - 1) * voxelMm) / 2) as Vec3;
  return axisAlignedGeometry(dims, [voxelMm, voxelMm, voxelMm], origin);
}

export function emptyGrid<T extends Float32Array | Float64Array | Uint8Array>(geometry: GridGeometry, make: (n: number) => T): Grid<T> {
  return { ...geometry, data: make(voxelCount(geometry)) };
}

/** A volume of interest: a name and the voxel labels that belong to it. */
export interface VolumeOfInterest {
  readonly name: string;
  readonly labels: readonly number[];
  /**
   * Tissue type for BED/EUD: the geometry's tumours are tumours; normal liver, the perfused
   * territory and the whole liver use normal-liver parameters (the organ at risk).
   */
  readonly tissue: TissueType;
  /** Restrict to the perfused territory (selective injections). */
  readonly perfusedOnly?: boolean;
}

/**
 * VOIs of the domain: each tumour (viable tissue and necrotic core together, as the partition
 * model counts it), normal liver, and the whole liver.
 */
export function domainVolumesOfInterest(domain: Domain, selective = false): VolumeOfInterest[] {
  const T = domain.tumours.length;
  const all = [1, ...Array.from({ length: 2 * T }, (_, i) => 2 + i)];
  if (!selective) {
    const tumours = domain.tumours.map((t, i) => ({ name: t.name, labels: [2 + i, 2 + T + i], tissue: "tumour" as const }));
    return [...tumours, { name: "normal", labels: [1], tissue: "normalLiver" }, { name: "liver", labels: all, tissue: "normalLiver" }];
  }
  // A selective injection: tumours and normal liver within the perfused territory (the volumes
  // the partition model is planned on), the whole territory, and the whole liver.
  const tumours = domain.tumours.map((t, i) => ({ name: t.name, labels: [2 + i, 2 + T + i], perfusedOnly: true, tissue: "tumour" as const }));
  return [
    ...tumours,
    { name: "normal", labels: [1], perfusedOnly: true, tissue: "normalLiver" },
    { name: "perfused", labels: all, perfusedOnly: true, tissue: "normalLiver" },
    { name: "liver", labels: all, tissue: "normalLiver" },
  ];
}

/** A 0/1 mask of the voxels whose label is in `labels`. */
export function voiMask(labelGrid: Grid<Uint8Array>, labels: readonly number[]): Grid<Uint8Array> {
  const lookup = new Uint8Array(256);
  for (const l of labels) lookup[l] = 1;
  const src = labelGrid.data;
  const data = new Uint8Array(src.length);
  for (let n = 0; n < src.length; n++) data[n] = lookup[src[n]];
  return { ...labelGrid, data };
}

export interface VoiDose {
  readonly name: string;
  readonly metrics: DoseMetrics;
  /** Mean dose by local deposition (no cross-fire), Gy. */
  readonly meanLdmGy: number;
  /** Spheres counted in the VOI's voxels. */
  readonly spheres: number;
  /** Cumulative DVH curve (fft dose) at the configured bin width. */
  readonly curve: { readonly doseGy: Float64Array; readonly volumeFraction: Float64Array };
}

export interface DoseStageResult {
  readonly doseGy: Grid<Float32Array>;
  readonly ldmDoseGy: Grid<Float32Array>;
  readonly labels: Grid<Uint8Array>;
  /**
   * A selective injection's perfused territory on the dose grid (1 inside: the liver voxels whose
   * nearest terminal belongs to the injected subtree, perfused.ts), which bounds its VOIs
   * (`normal`, `perfused`, the tumours' perfused parts); null for a whole-liver injection.
   */
  readonly perfused: Grid<Uint8Array> | null;
  readonly vois: readonly VoiDose[];
  readonly kernelProvenance: readonly string[];
  /** Kernel energy conservation residual (absorbed / emitted − 1). */
  readonly kernelResidual: number;
  /**
   * Energy per decay the kernel deposits against the one planning's K implies, relative: 0 with
   * the default `dose.normaliseKernelToMeanEnergy` (one energy per decay, issue 14.6); the
   * published kernel's own residual (Y-90 −0.73 %) when the case turns the normalisation off.
   */
  readonly kernelEnergyVsPlanning: number;
}

export interface DoseStageOptions {
  /** Runs the FFT passes on worker threads (src/parallel/dose.ts `fftPassRunner`); inline when absent. */
  readonly runPasses?: FftPassRunner;
  /** Selective injection: the injected subtree, whose territory bounds the VOIs (perfused.ts). */
  readonly selective?: { readonly tree: ArterialTree; readonly entry: number };
  /**
   * The run's mean energy per decay, MeV (the plan's `provenance.meanEnergyMeV`); default: the
   * energy `doseCoefficientGyKgPerGBq` implies. Either way the kernel deposits what the LDM does.
   */
  readonly meanEnergyMeV?: number;
}

/**
 * Dose from a count grid (spheres per voxel). `activityPerSphereBq` is the activity of each
 * sphere at the dose's reference time (treatment time).
 */
export async function doseFromSphereCounts(
  counts: Grid<Float64Array>,
  activityPerSphereBq: number,
  domain: Domain,
  nuclide: NuclideId,
  config: DoseConfig,
  doseCoefficientGyKgPerGBq: number,
  options: DoseStageOptions = {},
): Promise<DoseStageResult> {
  // With a pass runner (worker threads), the activity and the FFT dose live in shared memory so
  // that the runner hands them to its threads as they are instead of copying 2 × 64–128 MB to and
  // from SharedArrayBuffers on this thread (src/parallel/dose.ts).
  const shared = options.runPasses !== undefined;
  const activity: Grid<Float64Array> = { ...counts, data: sharedOrPlain(Float64Array, counts.data.length, shared) };
  for (let n = 0; n < counts.data.length; n++) activity.data[n] = counts.data[n] * activityPerSphereBq;
  const untilH = config.integrationHours ?? Infinity;

  // One energy per decay (issue 14.6): the kernel deposits the energy the run's K implies, so
  // FFT and LDM totals agree (test/dose/energyPerDecay.test.ts).
  const kernel = voxelSValues(nuclide, config.voxelMm, {
    densityGPerMl: config.densityGPerMl,
    normaliseToMeanEnergy: config.normaliseKernelToMeanEnergy,
    meanEnergyMeV: options.meanEnergyMeV ?? meanEnergyForDoseCoefficientMeV(nuclideData(nuclide), doseCoefficientGyKgPerGBq),
  });
  const doseGy = emptyGrid(counts, (n) => sharedOrPlain(Float32Array, n, shared));
  await doseFromActivity(doseGy, activity, kernel, { untilH, ...(options.runPasses ? { runPasses: options.runPasses } : {}) });
  removeFftRoundOff(doseGy.data);
  const ldmDoseGy = emptyGrid(counts, (n) => new Float32Array(n));
  localDepositionDose(ldmDoseGy, activity, { nuclide, densityGPerMl: config.densityGPerMl, doseCoefficientGyKgPerGBq, untilH });

  const labels = domainLabels(domain, counts);
  const perfused = options.selective ? perfusedMask(labels, options.selective.tree, options.selective.entry) : null;
  const vois: VoiDose[] = [];
  for (const voi of domainVolumesOfInterest(domain, perfused !== null)) {
    let mask = voiMask(labels, voi.labels);
    if (voi.perfusedOnly && perfused) {
      const whole = mask;
      mask = { ...whole, data: whole.data.map((m, n) => m & perfused.data[n]) };
      // A tumour outside the territory is still reported, whole: it gets cross-fire only.
      if (!mask.data.some((m) => m !== 0) && voi.name !== "normal" && voi.name !== "perfused") mask = whole;
    }
    let voxels = 0;
    for (let n = 0; n < mask.data.length; n++) voxels += mask.data[n];
    if (voxels === 0) continue; // a tumour smaller than a voxel: reported by the partition model only
    const h: Dvh = dvh(doseGy, mask, 1);
    const ldm = dvh(ldmDoseGy, mask, 1);
    let spheres = 0;
    for (let n = 0; n < mask.data.length; n++) if (mask.data[n]) spheres += counts.data[n];
    vois.push({
      name: voi.name,
      metrics: doseMetrics(h, {
        dPercents: config.dPercents,
        vThresholdsGy: config.vThresholdsGy,
        ...(config.eudA === null ? {} : { eudA: config.eudA }),
        radiobiology: { nuclide, tissue: voi.tissue, params: config.radiobiology[voi.tissue], untilH },
      }),
      meanLdmGy: mean(ldm.sortedDoseGy),
      spheres,
      curve: dvhCurve(h, dvhDosePoints(h, config.dvhBinWidthGy)),
    });
  }
  return { doseGy, ldmDoseGy, labels, perfused, vois, kernelProvenance: kernel.provenance, kernelResidual: kernel.conservationResidual, kernelEnergyVsPlanning: config.normaliseKernelToMeanEnergy ? 0 : kernel.residualVsMeanEnergy };
}

/**
 * A convolution of non-negative activity with a non-negative kernel is non-negative; float32 FFT
 * round-off leaves values of order 1e-7 × the maximum on either side of zero far from the
 * activity. Those are set to 0. Anything more negative is a bug and stops the run.
 */
export function removeFftRoundOff(dose: Float32Array): void {
  let max = 0;
  for (let i = 0; i < dose.length; i++) if (dose[i] > max) max = dose[i];
  const tolerance = 1e-5 * max;
  for (let i = 0; i < dose.length; i++) {
    if (dose[i] >= 0) continue;
    if (dose[i] < -tolerance) throw new Error(`FFT dose at voxel ${i} is ${dose[i]} Gy, below the round-off tolerance −${tolerance} Gy`);
    dose[i] = 0;
  }
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/**
 * The domain's label grid on a dose grid, built once per domain and grid geometry: a study's runs
 * share one domain (src/study/runner.ts), and rasterising it costs ~0.3 s per run at 2 mm. The
 * grid is read-only from here on (VOI masks, the report's outlines, labels.nii.gz).
 */
const labelGrids = new WeakMap<Domain, { readonly key: string; readonly labels: Grid<Uint8Array> }>();
function domainLabels(domain: Domain, geometry: GridGeometry): Grid<Uint8Array> {
  const key = JSON.stringify([geometry.dims, geometry.spacingMm, geometry.originMm, geometry.direction, geometry.frame]);
  const cached = labelGrids.get(domain);
  if (cached?.key === key) return cached.labels;
  const labels = rasterizeDomain(emptyGrid(geometry, (n) => new Uint8Array(n)), domain);
  labelGrids.set(domain, { key, labels });
  return labels;
}

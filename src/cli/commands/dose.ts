/**
 * `sirtsim dose IMAGE --out DIR [--administered-gbq X] [--rescale-to-administered]
 *  [--quantity auto|bqml|counts|suv] [--series UID] [--labels FILE] [--label-names FILE] [--ct CT]
 *  [--lsf F|image] [--lung-mass-kg M|ct] [--residual F] [--negative clip|refuse]
 *  [--nuclide Y-90] [--method fft|ldm] [--density-g-per-ml 1.03] [--until-h H]
 *  [--dvh-bin-gy 1] [--workers N] [--json]`
 *
 * Absorbed dose from an activity image (Tc-99m MAA SPECT for prediction, Y-90 PET / Ho-166 SPECT
 * after treatment): a NIfTI file, a DICOM folder (one series) or one DICOM file (a multi-frame NM).
 * A quantitative image (Bq/mL, or SUV converted with the header's dose and weight) gives the dose as
 * it stands (or scaled to the administered activity with --rescale-to-administered); counts are
 * scaled so the image's total equals administered × (1 − residual) × (1 − LSF), the counts in a
 * lung VOI (a VOI whose name contains "lung") excluded when LSF > 0 (they are the shunt). Negative voxels are clipped (count and sum
 * reported) or refused. Dose to complete decay (or to --until-h) by voxel S-value FFT convolution
 * (default) or local deposition. Writes into DIR (atomically, all or nothing):
 *   dose.nii.gz   dose in Gy, float32, the image's geometry
 *   rtdose.dcm    DICOM RT Dose on the image's frame of reference (and patient/study if DICOM)
 *   metrics.json  the summary printed by --json (per-VOI metrics with names, lung dose, provenance)
 *   dvh.csv       cumulative DVH per VOI: dose_gy, then one volume-fraction column per VOI
 *   report.html   dose over the CT (--ct) or the VOIs, DVHs and metrics
 * VOIs: a NIfTI label map (names from --label-names or LABELS.json beside it), an RTSTRUCT or a SEG,
 * resampled (nearest neighbour) onto the activity grid; or the voxels with activity.
 * Each VOI gets BED and EUD (src/dose/radiobiology.ts) with the LQ parameters of its tissue type:
 * by name (tissueOfVoiName: tumour*, lesion*, … → tumour), else normal liver; `--tissue 2=tumour`
 * (label number or name; `activity` for the unlabelled VOI) overrides, and
 * `--lq tumour.alphaBetaGy=8` sets a parameter (the case file's dose.radiobiology fields), and
 * `--lq normalLiver.ntcp.td50BedGy=250` an outcome parameter (TCP of tumours, NTCP of the normal
 * liver: src/dose/outcome.ts).
 */
import type { Command } from "commander";
import { join } from "node:path";
import { InputError } from "../../errors.js";
import { activityGridFromImage } from "../../dose/activity.js";
import { doseFromActivity, type DoseResult } from "../../dose/convolve.js";
import { dvh, boundedDvhBinWidthGy, dvhCurve, MAX_DVH_POINTS, type Dvh } from "../../dose/dvh.js";
import { localDepositionDose } from "../../dose/localDeposition.js";
import { doseMetrics, type DoseMetrics } from "../../dose/metrics.js";
import { NTCP_DEFAULTS, TCP_DEFAULTS } from "../../dose/outcome.js";
import { LQ_OPTION_HELP, parseLqSpec } from "../lqOption.js";
import { checkLqParameters, parseTissueType, RADIOBIOLOGY_DEFAULTS, tissueOfVoiName, TISSUE_TYPES, type RadiobiologyParameters, type TissueType } from "../../dose/radiobiology.js";
import { voxelSValues } from "../../dose/svalues.js";
import { voxelVolumeMl, type Grid } from "../../geometry/grid.js";
import { runIntoOutputDir, type OutputDir, writeFileAtomic } from "../../io/atomic.js";
import { activityConcentration, labelContext, readImageInput, readLabelsInput, voiRole, type ImageInput, type ImageQuantity, type LabelInput } from "../../io/imageInput.js";
import { writeNifti } from "../../io/nifti.js";
import { countsPerVoi, lungShuntFromCounts, voiMassesOnCt } from "../../io/voiCounts.js";
import { unrecognisedVoiWarning, voisByRole } from "../../io/voiRole.js";
import { checkVoiNames, labelNamesSource } from "../../io/voiNames.js";
import { writeRtDose } from "../../io/rtdose.js";
import { DEFAULT_TISSUE_DENSITY_G_PER_ML, derivedDoseCoefficient, NUCLIDES, type NuclideId } from "../../physics/index.js";
import { renderReport } from "../../report/index.js";
import { action } from "../run.js";
import { printJson, printText } from "../output.js";
import { parseWorkers, withPool } from "../../parallel/withPool.js";
import { doseStageOptions } from "./simulate.js";
import { sharedOrPlain } from "../../geometry/grid.js";
import { parseQuantityOption } from "../../io/quantity.js";
import { checkMemory, estimateImageDoseMemory, MAX_MEMORY_OPTION, memoryLimitBytes } from "../../pipeline/memory.js";

export interface DoseCommandOptions {
  out: string;
  maxMemory?: string;
  administeredGbq?: string;
  rescaleToAdministered?: boolean;
  quantity?: string;
  series?: string;
  lsf?: string;
  lungMassKg?: string;
  residual?: string;
  negative?: string;
  nuclide: string;
  method: string;
  densityGPerMl?: string;
  untilH?: string;
  labels?: string;
  labelNames?: string;
  ct?: string;
  dvhBinGy: string;
  tissue?: string[];
  lq?: string[];
  json?: boolean;
  workers?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerDose(program: Command): void {
  program
    .command("dose")
    .description("absorbed dose (Gy) from an activity image: dose.nii.gz, rtdose.dcm, dvh.csv, metrics.json, report.html")
    .argument("<activity>", "activity image: NIfTI (.nii, .nii.gz), a DICOM folder (one series) or a DICOM file")
    .requiredOption("--out <dir>", "output directory")
    .option("--administered-gbq <gbq>", "administered activity, GBq (0, 100]; required for counts, --rescale-to-administered and the lung dose")
    .option("--rescale-to-administered", "scale a quantitative (Bq/mL, SUV) image to the administered activity instead of taking it as it stands")
    .option("--quantity <q>", "what the voxel values are: auto (DICOM header; NIfTI = counts), bqml, counts or suv", "auto")
    .option("--series <uid>", "SeriesInstanceUID to read when the DICOM folder holds several")
    // No commander defaults for these three: an option given where it has no effect is refused (optionsWithoutEffect).
    .option("--lsf <fraction>", "lung shunt fraction [0, 1), or 'image' (counts in the lung VOI / lung + other VOIs) (default 0)")
    .option("--lung-mass-kg <kg>", "lung mass for the lung dose, kg, or 'ct' (lung VOI volume × CT density, Kao 2014) (default 1)")
    .option("--residual <fraction>", "residual fraction left in vial and tubing, [0, 1) (default 0)")
    .option("--negative <policy>", "negative voxels (reconstruction noise): clip (set to 0, reported) or refuse", "clip")
    .option("--nuclide <id>", "Y-90 or Ho-166", "Y-90")
    .option("--method <method>", "fft (voxel S-value convolution) or ldm (local deposition)", "fft")
    .option("--density-g-per-ml <rho>", `tissue density, g/mL (default ${DEFAULT_TISSUE_DENSITY_G_PER_ML})`)
    .option("--until-h <hours>", "integrate decays up to this many hours (default: complete decay)")
    .option("--labels <labels>", "VOIs: NIfTI label map, RTSTRUCT or SEG file (resampled onto the activity grid)")
    .option("--label-names <file>", "name table of a NIfTI label map: JSON {\"1\": \"liver\"} or lines '1 liver' (default: LABELS.json beside it)")
    .option("--ct <ct>", "CT (DICOM folder or NIfTI, HU): the grid RTSTRUCT/SEG were drawn on, the report's underlay, lung mass")
    .option("--dvh-bin-gy <gy>", "dose spacing of dvh.csv, Gy", "1")
    .option("--tissue <voi=type>", `tissue type of a VOI (label number or name, or "activity"): ${TISSUE_TYPES.join(", ")}; repeatable (default: by name, else normalLiver)`, collect)
    .option("--lq <tissue.field=value>", LQ_OPTION_HELP, collect)
    .option("--workers <n>", "worker threads for the FFT (default: available cores; 1 = inline)")
    .option(...MAX_MEMORY_OPTION)
    .option("--json", "print one JSON document on stdout")
    .action(
      action(async (activityPath: string, options: DoseCommandOptions) => {
        await runDose(activityPath, options);
      }),
    );
}

export interface DoseVoi {
  label: number | "activity";
  name: string;
  /** The tissue type whose LQ parameters give BED/EUD: --tissue, else by name (tissueOfVoiName). */
  tissue: TissueType;
  metrics: DoseMetrics;
  /**
   * Labels resampled onto the activity grid: the VOI by fractional occupancy (Σ f·V and the
   * f-weighted mean dose), which keeps a small VOI's volume that whole-voxel labels round.
   */
  occupancy?: { volumeMl: number; meanGy: number };
}

export interface DoseSummary {
  input: string;
  format: "nifti" | "dicom";
  modality: string;
  quantity: ImageQuantity;
  /** How the activity was set: "as-is" (Bq/mL), or "scaled" to administered × (1 − residual) × (1 − LSF). */
  scaling: "as-is" | "scaled";
  /**
   * Quantitative images taken as they stand: the factor that brought the image's Bq/mL from the
   * time it is decay-corrected to (DecayCorrection) to the administration; null for counts or
   * when rescaled to the administered activity.
   */
  decayToAdministration: { decayCorrection: string; factor: number; elapsedH: number | null; halfLifeH: number | null } | null;
  frameOfReferenceUID: string | null;
  nuclide: NuclideId;
  method: "fft" | "ldm";
  administeredGBq: number | null;
  lungShuntFraction: number;
  lungShuntSource: "option" | "image";
  /** `--lsf image`: VOIs neither liver, tumour nor lung by name, left out of the lung shunt. */
  lungShuntExcludedVois: string[];
  residualFraction: number;
  untilH: number | null;
  densityGPerMl: number;
  dims: number[];
  spacingMm: number[];
  activityInGridBq: number;
  negativeVoxels: { policy: "clip" | "refuse"; count: number; sum: number; unit: "Bq" | "counts" };
  lung: { massKg: number; massSource: "option" | "ct"; doseGy: number } | null;
  /**
   * `clipped`: the VOIs partly outside the activity's grid, with the share of their volume (on the
   * label map's own grid) that lies outside and is not in their metrics.
   */
  labels: { source: string; resampled: boolean; clipped: Array<{ label: number; name: string; outsideFraction: number }> } | null;
  paddedDims?: number[];
  /** dvh.csv's dose spacing: `--dvh-bin-gy` and the one used (wider when the dose range needs more than MAX_DVH_POINTS rows). */
  dvh: { binWidthGy: { requested: number; used: number }; maxPoints: number };
  vois: DoseVoi[];
  /**
   * A quantitative image taken as it stands with `--administered-gbq`: its total in the VOIs
   * against administered × (1 − residual) (administeredCheck); null when not checked.
   */
  administeredCheck: AdministeredCheck | null;
  /** Warnings also written to stderr (in both modes). */
  warnings: string[];
  outputs: string[];
  provenance: readonly string[];
}

export async function runDose(activityPath: string, options: DoseCommandOptions): Promise<DoseSummary> {
  // --out is checked and locked before any work, and released however the run ends.
  return runIntoOutputDir(options.out, (output) => doseInto(output, activityPath, options), [activityPath, options.labels, options.ct]);
}

async function doseInto(output: OutputDir, activityPath: string, options: DoseCommandOptions): Promise<DoseSummary> {
  if (!Object.hasOwn(NUCLIDES, options.nuclide)) throw new InputError("--nuclide", `--nuclide must be one of ${Object.keys(NUCLIDES).join(", ")}, got ${JSON.stringify(options.nuclide)}`);
  const nuclide = options.nuclide as NuclideId;
  if (options.method !== "fft" && options.method !== "ldm") throw new InputError("--method", `--method must be fft or ldm, got ${JSON.stringify(options.method)}`);
  const negativePolicy = options.negative ?? "clip";
  if (negativePolicy !== "clip" && negativePolicy !== "refuse") throw new InputError("--negative", `--negative must be clip or refuse, got ${JSON.stringify(negativePolicy)}`);
  const quantityOption = options.quantity ?? "auto";
  if (!["auto", "bqml", "counts", "suv"].includes(quantityOption)) throw new InputError("--quantity", `--quantity must be auto, bqml, counts or suv, got ${JSON.stringify(quantityOption)}`);
  // Quantities as in case files: "1.5 GBq", "3 %", or bare numbers in the option's unit.
  const administeredGBq = options.administeredGbq === undefined ? undefined : parseQuantityOption("--administered-gbq", options.administeredGbq, "activity", 1e-9, 100);
  const lsfFromImage = options.lsf === "image";
  const lsfOption = lsfFromImage ? 0 : parseQuantityOption("--lsf", options.lsf ?? "0", "fraction", 0, 0.999999);
  const lungMassFromCt = options.lungMassKg === "ct";
  const lungMassOption = lungMassFromCt ? 0 : parseQuantityOption("--lung-mass-kg", options.lungMassKg ?? "1", "mass", 0.01, 10);
  const residual = parseQuantityOption("--residual", options.residual ?? "0", "fraction", 0, 0.999999);
  const density = options.densityGPerMl === undefined ? DEFAULT_TISSUE_DENSITY_G_PER_ML : parseQuantityOption("--density-g-per-ml", options.densityGPerMl, "density", 0.01, 20);
  const untilH = options.untilH === undefined ? Infinity : parseQuantityOption("--until-h", options.untilH, "time", 1e-6, 1e6);
  const binGy = parseQuantityOption("--dvh-bin-gy", options.dvhBinGy, "dose", 1e-6, 1000);
  const workers = parseWorkers(options.workers);
  const lq = parseLqOptions(options.lq ?? []);
  const tissueOverrides = parseTissueOptions(options.tissue ?? []);
  if (lsfFromImage && !options.labels) throw new InputError("--lsf", "--lsf image needs --labels with a lung VOI (a VOI whose name contains \"lung\")");
  if (lungMassFromCt && !options.ct) throw new InputError("--lung-mass-kg", "--lung-mass-kg ct needs --ct");

  // Inputs: image, CT, labels — all read and checked before any dose work.
  const image = await readImageInput(activityPath, {
    field: "<activity>",
    ...(options.series ? { seriesInstanceUID: options.series } : {}),
    ...(quantityOption !== "auto" ? { niftiQuantity: quantityOption as ImageQuantity } : {}),
  });
  checkMemory(estimateImageDoseMemory(image.grid.dims, image.grid.spacingMm, nuclide, options.method), memoryLimitBytes(options.maxMemory), "the image size (crop or resample it)");
  const quantity = quantityOption === "auto" || image.format === "nifti" ? image.quantity : (quantityOption as ImageQuantity);
  // A Bq/mL or SUV image decay-corrected to the scan (START) or not at all (NONE) is brought back
  // to the administration (a permanent implant's dose), unless it is rescaled to the administered
  // activity (src/io/imageInput.ts decayToAdministration).
  const concentration = activityConcentration({ ...image, quantity }, "<activity>", { rescaleToAdministered: Boolean(options.rescaleToAdministered), halfLifeS: NUCLIDES[nuclide].halfLifeH * 3600 });
  const ct = options.ct ? await readImageInput(options.ct, { field: "--ct", niftiQuantity: "hu" }) : undefined;
  const context = labelContext(image, ct, options.labelNames);
  const frameOfReferenceUID = context.frameOfReferenceUID;
  const labels: LabelInput | undefined = options.labels ? await readLabelsInput(options.labels, { target: image.grid, ...context }) : undefined;
  if (labels) checkVoiNames(labels.names, "--labels", labelNamesSource(options.labels!, options.labelNames));
  if (labels && !labels.labels.data.some((l) => l !== 0)) {
    throw new InputError("--labels", `--labels ${options.labels}: every voxel is 0 on the activity's grid, so there is no VOI (labels are the non-zero values)`);
  }
  if (options.labelNames && !options.labels) throw new InputError("--label-names", "--label-names needs --labels");
  const lungLabels = labels ? Object.entries(labels.names).filter(([, n]) => voiRole(n) === "lung").map(([l]) => Number(l)) : [];
  if (lsfFromImage && lungLabels.length === 0) {
    throw new InputError("--lsf", `--lsf image: ${options.labels} has no lung VOI (names: ${Object.values(labels!.names).join(", ")})`);
  }
  if (lungMassFromCt && lungLabels.length === 0) throw new InputError("--lung-mass-kg", `--lung-mass-kg ct: ${options.labels ?? "no --labels"} has no lung VOI`);

  // VOIs: each label, or the voxels with activity. --tissue (by label number or name, else by
  // name) and --lq are checked here, before the convolution: a --tissue naming no VOI, or an --lq
  // for a tissue no VOI has (it would change nothing), is an input error.
  const voiKeys: Array<{ label: number | "activity"; name: string }> = labels
    ? [...new Set(labels.labels.data)].filter((l) => l !== 0).sort((a, b) => a - b).map((l) => ({ label: l, name: labels.names[l] ?? String(l) }))
    : [{ label: "activity", name: "activity" }];
  // A VOI smaller than the activity's voxels may hold no whole voxel there (nearest neighbour):
  // it has no dose metrics; said rather than dropped silently.
  const labelWarnings = [...(labels?.warnings ?? [])];
  if (labels) {
    const tooSmall = Object.keys(labels.names).map(Number).filter((l) => !voiKeys.some((v) => v.label === l));
    for (const l of tooSmall) {
      const occupancyMl = (labels.occupancy?.get(l)?.reduce((a, f) => a + f, 0) ?? 0) * voxelVolumeMl(image.grid);
      labelWarnings.push(`--labels ${options.labels}: VOI ${JSON.stringify(labels.names[l])} holds no whole voxel of the activity grid (${occupancyMl.toFixed(2)} mL by fractional occupancy): it has no dose metrics (metrics.json lists it in no VOI)`);
    }
  }
  const voiText = voiKeys.map((v) => (v.name === String(v.label) ? v.name : `${v.label} ${v.name}`)).join(", ");
  const tissueOf = (v: { label: number | "activity"; name: string }): TissueType => tissueOverrides.get(String(v.label)) ?? tissueOverrides.get(v.name) ?? tissueOfVoiName(v.name);
  for (const key of tissueOverrides.keys()) {
    if (!voiKeys.some((v) => String(v.label) === key || v.name === key)) throw new InputError("--tissue", `--tissue ${key}: no such VOI (VOIs: ${voiText})`);
  }
  for (const t of lqTissuesSet(options.lq ?? [])) {
    if (!voiKeys.some((v) => tissueOf(v) === t)) {
      throw new InputError("--lq", `--lq ${t}.*: no VOI is of tissue ${t} (VOIs: ${voiKeys.map((v) => `${v.name} ${tissueOf(v)}`).join(", ")}); type one with --tissue VOI=${t}`);
    }
  }

  // Negative voxels: clipped (reported) or refused.
  const voxelMl = voxelVolumeMl(image.grid);
  const values = concentration.grid.data;
  const clipped = new Float32Array(values.length);
  let negativeCount = 0;
  let negativeSum = 0;
  for (let n = 0; n < values.length; n++) {
    const v = values[n];
    if (v < 0) {
      negativeCount++;
      negativeSum += v;
    } else clipped[n] = v;
  }
  const negativeUnit = concentration.absolute ? "Bq" : "counts";
  if (concentration.absolute) negativeSum *= voxelMl;
  if (negativeCount > 0 && negativePolicy === "refuse") {
    throw new InputError("<activity>", `${activityPath}: ${negativeCount} negative voxel(s) summing to ${negativeSum.toPrecision(4)} ${negativeUnit}; --negative clip sets them to 0`);
  }

  // LSF from the image: counts in the lung VOI over counts in the lung and the other VOIs, with
  // fractional occupancy as plan-images and simulate take it (src/io/voiCounts.ts).
  let lsf = lsfOption;
  let lsfExcluded: string[] = [];
  if (lsfFromImage) {
    // Lung over lung + liver VOIs (normal liver and tumours); VOIs of unknown role (BODY, …) are
    // left out with a warning (src/io/voiRole.ts voisByRole).
    const byRole = voisByRole(labels!.names);
    if (byRole.other.length > 0) process.stderr.write(`warning: ${unrecognisedVoiWarning(`--labels ${options.labels}`, byRole.other.map((l) => labels!.names[l]), "the lung shunt (--lsf image)")}\n`);
    lsfExcluded = byRole.other.map((l) => labels!.names[l]);
    lsf = lungShuntFromCounts(countsPerVoi(labels!, clipped), lungLabels, byRole.liver);
    if (!(lsf >= 0)) throw new InputError("<activity>", `${activityPath}: no counts in the VOIs of ${options.labels}`);
  }

  const scaled = !concentration.absolute || Boolean(options.rescaleToAdministered);
  if (scaled && administeredGBq === undefined) {
    throw new InputError("--administered-gbq", `--administered-gbq is required (a number in (0, 100] GBq): ${options.rescaleToAdministered ? "--rescale-to-administered" : `${activityPath} is in counts`}`);
  }
  optionsWithoutEffect(options, { activityPath, format: image.format, absolute: concentration.absolute, scaled, administered: administeredGBq !== undefined, lsf });
  // On worker threads the FFT reads the activity and writes the dose in shared memory, in place.
  const shared = options.method === "fft" && workers > 1;
  const activity: Grid<Float32Array> = { ...image.grid, data: sharedOrPlain(Float32Array, values.length, shared) };
  let activityInGridBq: number;
  if (scaled) {
    // With a lung shunt given, the lung VOI's counts are that shunt, accounted for by (1 − LSF):
    // not liver activity. With LSF 0 the whole image is scaled to the administered activity.
    if (lungLabels.length > 0 && lsf > 0) {
      const lab = labels!.labels.data;
      for (let n = 0; n < lab.length; n++) if (lungLabels.includes(lab[n])) clipped[n] = 0;
    }
    activityInGridBq = activityGridFromImage(activity, { ...image.grid, data: clipped }, { administeredGBq: administeredGBq!, lungShuntFraction: lsf, residualFraction: residual }).totalBq;
  } else {
    let total = 0;
    for (let n = 0; n < clipped.length; n++) {
      activity.data[n] = clipped[n] * voxelMl;
      total += clipped[n] * voxelMl;
    }
    activityInGridBq = total;
  }
  const check = scaled || administeredGBq === undefined ? null : administeredCheck(activity, labels, lungLabels, administeredGBq, residual, lsf, activityPath);

  const dose: Grid<Float32Array> = { ...image.grid, data: sharedOrPlain(Float32Array, values.length, shared) };
  let result: DoseResult;
  if (options.method === "fft") {
    const kernel = voxelSValues(nuclide, image.grid.spacingMm, { densityGPerMl: density });
    progress(options.json, `convolving ${image.grid.dims.join("x")} voxels of ${image.grid.spacingMm.map((s) => s.toFixed(3)).join("x")} mm with the ${nuclide} kernel`);
    result = await withPool(workers, (pool) => doseFromActivity(dose, activity, kernel, { untilH, ...doseStageOptions(pool, Boolean(options.json)) }));
    // FFT round-off leaves ~1e-6 Gy of either sign where there is no activity; RT Dose and the
    // report need doses ≥ 0.
    for (let n = 0; n < dose.data.length; n++) if (dose.data[n] < 0) dose.data[n] = 0;
  } else {
    result = localDepositionDose(dose, activity, { nuclide, densityGPerMl: density, untilH });
  }

  // Lung dose by the partition model: K · A · (1 − residual) · LSF / lung mass.
  const kGyKgPerGBq = derivedDoseCoefficient(nuclide).valueGyKgPerGBq;
  let lung: DoseSummary["lung"] = null;
  if (lsf > 0 && administeredGBq !== undefined) {
    const massKg = lungMassFromCt ? await lungMassFromCtKg(ct!, options.labels!, context, lungLabels, options.ct!) : lungMassOption;
    lung = { massKg, massSource: lungMassFromCt ? "ct" : "option", doseGy: (kGyKgPerGBq * administeredGBq * (1 - residual) * lsf) / massKg };
  }

  const vois = voiKeys.map((v) => ({ ...v, h: v.label === "activity" || !labels ? dvh(dose, activity) : dvh(dose, labels.labels, v.label) }));
  const metricsOf = (h: Dvh, tissue: TissueType) => doseMetrics(h, { radiobiology: { nuclide, tissue, params: lq[tissue], untilH } });
  const outputs = ["dose.nii.gz", "rtdose.dcm", "dvh.csv", "metrics.json", "report.html"];
  const summary: DoseSummary = {
    input: activityPath,
    format: image.format,
    modality: image.modality,
    quantity,
    scaling: scaled ? "scaled" : "as-is",
    decayToAdministration: concentration.decay ? { decayCorrection: concentration.decay.decayCorrection, factor: concentration.decay.factor, elapsedH: concentration.decay.elapsedH, halfLifeH: concentration.decay.halfLifeH } : null,
    frameOfReferenceUID: frameOfReferenceUID ?? null,
    nuclide,
    method: options.method,
    administeredGBq: administeredGBq ?? null,
    lungShuntFraction: lsf,
    lungShuntSource: lsfFromImage ? "image" : "option",
    lungShuntExcludedVois: lsfExcluded,
    residualFraction: residual,
    untilH: untilH === Infinity ? null : untilH,
    densityGPerMl: density,
    dims: [...image.grid.dims],
    spacingMm: [...image.grid.spacingMm],
    activityInGridBq,
    negativeVoxels: { policy: negativePolicy, count: negativeCount, sum: negativeSum, unit: negativeUnit },
    lung,
    labels: labels ? { source: labels.source, resampled: labels.resampled, clipped: clippedVois(labels) } : null,
    ...(result.paddedDims ? { paddedDims: [...result.paddedDims] } : {}),
    dvh: { binWidthGy: { requested: binGy, used: dvhWidthGy(vois, binGy) }, maxPoints: MAX_DVH_POINTS },
    vois: vois.map((v) => ({
      label: v.label,
      name: v.name,
      tissue: tissueOf(v),
      metrics: metricsOf(v.h, tissueOf(v)),
      ...(labels?.occupancy && typeof v.label === "number" ? { occupancy: occupancyMetrics(labels.occupancy.get(v.label), dose, voxelMl) } : {}),
    })),
    administeredCheck: check,
    // The labels' own warnings (overlaps, structures left out) and the administered check, in
    // metrics.json / --json and the report as on stderr.
    warnings: [...labelWarnings, ...(check?.warning ? [check.warning] : [])],
    outputs,
    provenance: [
      ...result.provenance,
      "radiobiology: BED Dale 1985 (permanent implant with repair; to --until-h when given), mean over voxels; EUD Niemierko 1997 from voxel BEDs",
      ...TISSUE_TYPES.map((t) => `${t}: alpha/beta ${lq[t].alphaBetaGy} Gy, T_rep ${lq[t].repairHalfTimeH} h, alpha ${lq[t].alphaPerGy}/Gy${lq[t] === RADIOBIOLOGY_DEFAULTS[t] ? ` (${RADIOBIOLOGY_DEFAULTS[t].source})` : " (--lq)"}`),
      ...outcomeProvenance(lq),
      ...concentration.notes,
    ],
  };
  // Said in both modes (stderr): the decay factor changes every dose.
  if (concentration.decay && concentration.decay.factor !== 1) process.stderr.write(`note: ${concentration.decay.note}\n`);
  if (negativeCount > 0) progress(options.json, `clipped ${negativeCount} negative voxel(s) summing to ${negativeSum.toPrecision(4)} ${negativeUnit}`);
  // Warned in both modes (stderr; with --json stdout holds only the document).
  if (summary.dvh.binWidthGy.used > binGy) {
    process.stderr.write(`warning: --dvh-bin-gy ${binGy} Gy would need more than ${MAX_DVH_POINTS.toLocaleString("en")} rows up to the maximum dose: dvh.csv uses ${summary.dvh.binWidthGy.used} Gy (metrics.json dvh.binWidthGy; metrics use voxel-exact doses)\n`);
  }
  for (const w of summary.warnings) process.stderr.write(`warning: ${w}\n`);
  for (const c of summary.labels?.clipped ?? []) {
    process.stderr.write(`warning: --labels ${options.labels}: VOI ${c.label} (${c.name}) lies ${(100 * c.outsideFraction).toFixed(1)} % outside the activity's grid; its metrics cover only the part inside (metrics.json labels.clipped)\n`);
  }

  const curves = vois.map((v) => {
    // The report's curves need no more than ~2000 points whatever --dvh-bin-gy is.
    const maxGy = v.h.sortedDoseGy[v.h.voxelCount - 1];
    const stepGy = Math.max(binGy, maxGy / 2000);
    const points = Float64Array.from({ length: Math.floor(maxGy / stepGy) + 2 }, (_, i) => i * stepGy);
    const c = dvhCurve(v.h, points);
    return { name: v.name, volumeMl: v.h.volumeMl, doseGy: c.doseGy, volumeFraction: c.volumeFraction };
  });
  const report = renderReport({
    title: `sirtsim dose: ${activityPath}`,
    summary: [
      { label: "Image", value: `${image.format} ${image.modality} (${quantity}), ${image.grid.dims.join("×")} voxels` },
      { label: "Activity in grid", value: `${(activityInGridBq / 1e9).toFixed(4)} GBq (${scaled ? "scaled to the administered activity" : "as it stands"})` },
      ...(concentration.decay && concentration.decay.elapsedH !== null ? [{ label: "Decay to the administration", value: `× ${concentration.decay.factor.toPrecision(6)} (DecayCorrection ${concentration.decay.decayCorrection}, ${concentration.decay.elapsedH.toFixed(3)} h after the injection)` }] : []),
      { label: "Method", value: `${nuclide} ${options.method}` },
      ...(lung ? [{ label: "Lung dose", value: `${lung.doseGy.toFixed(2)} Gy (LSF ${lsf.toFixed(4)}, ${lung.massKg.toFixed(3)} kg)` }] : []),
      ...(summary.labels && summary.labels.clipped.length > 0 ? [{ label: "VOIs clipped by the image's field of view", value: summary.labels.clipped.map((c) => `${c.name}: ${(100 * c.outsideFraction).toFixed(1)} % outside`).join("; ") }] : []),
      ...summary.warnings.map((w) => ({ label: "Warning", value: w })),
      ...(summary.dvh.binWidthGy.used > binGy ? [{ label: "DVH dose spacing", value: `${summary.dvh.binWidthGy.used} Gy (requested ${binGy} Gy; at most ${MAX_DVH_POINTS} points)` }] : []),
      { label: "Negative voxels", value: `${negativeCount} (${negativePolicy === "clip" ? "clipped" : "refused"}, sum ${negativeSum.toPrecision(4)} ${negativeUnit})` },
    ],
    doseGy: dose,
    ...(ct ? { anatomy: { kind: "ct" as const, grid: ct.grid } } : labels ? { anatomy: { kind: "labels" as const, grid: labels.labels, names: labels.names } } : {}),
    dvh: curves,
    metrics: {
      columns: ["VOI", "volume mL", "mean Gy", "D70 Gy", "D90 Gy", "max Gy", "V100 %", "tissue", "mean BED Gy", "EUD Gy", "TCP", "NTCP"],
      rows: summary.vois.map((v) => [v.name, v.metrics.volumeMl, v.metrics.meanGy, v.metrics.d.D70, v.metrics.d.D90, v.metrics.maxGy, 100 * v.metrics.v.V100, v.tissue, v.metrics.radiobiology?.meanBedGy ?? null, v.metrics.radiobiology?.eudGy ?? null, v.metrics.radiobiology?.tcp ?? null, v.metrics.radiobiology?.ntcp ?? null]),
    },
    advisories: [],
    provenance: { provenance: summary.provenance },
  });

  await output.commit(async (dir) => {
    await writeNifti(join(dir, "dose.nii.gz"), dose, { description: `sirtsim dose Gy ${nuclide} ${options.method}` });
    await writeRtDose(join(dir, "rtdose.dcm"), dose, {
      ...(image.reference ? { reference: image.reference } : ct?.reference ? { reference: ct.reference } : {}),
      seriesDescription: `sirtsim ${nuclide} ${options.method} dose`,
    });
    await writeFileAtomic(join(dir, "dvh.csv"), dvhCsv(vois, binGy));
    await writeFileAtomic(join(dir, "metrics.json"), `${JSON.stringify(summary, null, 2)}\n`);
    await writeFileAtomic(join(dir, "report.html"), report);
  });
  if (options.json) printJson(summary);
  else printText(formatDose(summary, options.out), false);
  return summary;
}

/** The VOIs clipped by the activity's field of view, by label. */
function clippedVois(labels: LabelInput): Array<{ label: number; name: string; outsideFraction: number }> {
  return [...(labels.clipped ?? new Map<number, number>())].sort((a, b) => a[0] - b[0]).map(([label, outsideFraction]) => ({ label, name: labels.names[label] ?? String(label), outsideFraction }));
}

/** Σ f·V (mL) and Σ f·D / Σ f (Gy) of a fractional-occupancy map. */
function occupancyMetrics(fraction: Float32Array | undefined, dose: Grid<Float32Array>, voxelMl: number): { volumeMl: number; meanGy: number } {
  if (!fraction) return { volumeMl: 0, meanGy: 0 };
  let f = 0;
  let fd = 0;
  for (let n = 0; n < fraction.length; n++) {
    f += fraction[n];
    fd += fraction[n] * dose.data[n];
  }
  return { volumeMl: f * voxelMl, meanGy: f > 0 ? fd / f : 0 };
}

/**
 * Lung mass from the CT (Kao et al., J Nucl Med 2014;55:1224 — CT-based lung mass instead of
 * the 1 kg convention): Σ over the lung VOI of voxel volume × density, density (g/mL) = (HU +
 * 1000) / 1000, on the CT's own grid (the VOIs read onto it, as `plan-images` does:
 * src/io/voiCounts.ts voiMassesOnCt), never the CT resampled onto the activity grid.
 */
async function lungMassFromCtKg(ct: ImageInput, labelsPath: string, context: ReturnType<typeof labelContext>, lungLabels: readonly number[], ctPath: string): Promise<number> {
  const onCt = await readLabelsInput(labelsPath, { target: ct.grid, ...context });
  const { grams } = voiMassesOnCt(onCt.labels, ct.grid);
  let total = 0;
  for (const l of lungLabels) total += grams.get(l) ?? 0;
  if (!(total > 0)) throw new InputError("--lung-mass-kg", `--lung-mass-kg ct: the lung VOI has no mass on ${ctPath}`);
  return total / 1000;
}

/** `--lq tumour.alphaBetaGy=8`, `--lq tumour.tcp.eud50Gy=60` (repeatable) over the defaults of radiobiology.ts / outcome.ts. */
function parseLqOptions(specs: readonly string[]): Record<TissueType, RadiobiologyParameters> {
  const out = { ...RADIOBIOLOGY_DEFAULTS } as Record<TissueType, RadiobiologyParameters>;
  for (const spec of specs.map(parseLqSpec)) {
    const current = out[spec.tissue];
    if (spec.group === null) out[spec.tissue] = { ...current, [spec.field]: spec.value };
    else out[spec.tissue] = { ...current, [spec.group]: { ...current[spec.group]!, [spec.field]: spec.value } };
  }
  for (const t of TISSUE_TYPES) checkLqParameters(`--lq ${t}`, out[t]);
  return out;
}

/** Which TCP / NTCP model and parameters the VOIs got (src/dose/outcome.ts). */
function outcomeProvenance(lq: Record<TissueType, RadiobiologyParameters>): string[] {
  const tcp = lq.tumour.tcp;
  const ntcp = lq.normalLiver.ntcp;
  return [
    tcp ? `TCP (tumour VOIs): logistic in the EUD, EUD50 ${tcp.eud50Gy} Gy, gamma50 ${tcp.gamma50} (${tcp === RADIOBIOLOGY_DEFAULTS.tumour.tcp ? TCP_DEFAULTS.source : "--lq"})` : "TCP: not computed",
    ntcp ? `NTCP (normal-liver VOIs): LKB on voxel BEDs, TD50 ${ntcp.td50BedGy} Gy BED, m ${ntcp.m}, n ${ntcp.n} (${ntcp === RADIOBIOLOGY_DEFAULTS.normalLiver.ntcp ? NTCP_DEFAULTS.source : "--lq"})` : "NTCP: not computed",
    "TCP and NTCP are population models (small HCC cohorts, wide uncertainty); no NET parameters were found",
  ];
}

/** The tissue types the (already validated) `--lq` specs set. */
function lqTissuesSet(specs: readonly string[]): Set<TissueType> {
  return new Set(specs.map((spec) => spec.slice(0, spec.indexOf(".")) as TissueType));
}

/** `--tissue 2=tumour` / `--tissue activity=tumour` (repeatable): VOI key → tissue type. */
function parseTissueOptions(specs: readonly string[]): Map<string, TissueType> {
  const out = new Map<string, TissueType>();
  for (const spec of specs) {
    const eq = spec.lastIndexOf("=");
    if (eq <= 0) throw new InputError("--tissue", `--tissue must be VOI=TYPE (VOI a label number, a name or "activity"; TYPE one of ${TISSUE_TYPES.join(", ")}), got ${JSON.stringify(spec)}`);
    out.set(spec.slice(0, eq).trim(), parseTissueType("--tissue", spec.slice(eq + 1).trim()));
  }
  return out;
}

function progress(json: boolean | undefined, text: string): void {
  if (!json) process.stderr.write(`${text}\n`);
}

/** dvh.csv's dose spacing: `binGy`, widened so that the hottest VOI needs at most MAX_DVH_POINTS rows (src/dose/dvh.ts). */
function dvhWidthGy(vois: ReadonlyArray<{ h: Dvh }>, binGy: number): number {
  return boundedDvhBinWidthGy(Math.max(...vois.map((v) => v.h.sortedDoseGy[v.h.voxelCount - 1])), binGy);
}

/** dvh.csv: dose_gy, then the volume fraction ≥ dose of each VOI. */
function dvhCsv(vois: Array<{ label: number | "activity"; name: string; h: Dvh }>, binGy: number): string {
  const maxGy = Math.max(...vois.map((v) => v.h.sortedDoseGy[v.h.voxelCount - 1]));
  // At most MAX_DVH_POINTS rows whatever the dose range: the bin widens on hot images (src/dose/dvh.ts).
  const widthGy = dvhWidthGy(vois, binGy);
  const points = Float64Array.from({ length: Math.floor(maxGy / widthGy) + 2 }, (_, i) => i * widthGy);
  const curves = vois.map((v) => dvhCurve(v.h, points).volumeFraction);
  const lines = [["dose_gy", ...vois.map((v) => csvField(`voi_${v.name}`))].join(",")];
  for (let i = 0; i < points.length; i++) lines.push([String(points[i]), ...curves.map((c) => c[i].toPrecision(6))].join(","));
  return `${lines.join("\n")}\n`;
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function formatDose(s: DoseSummary, out: string): string {
  const lines = [
    `${s.nuclide} dose (${s.method}) from ${s.input}: ${s.dims.join("x")} voxels of ${s.spacingMm.map((x) => x.toFixed(3)).join("x")} mm`,
    `activity in grid ${(s.activityInGridBq / 1e9).toFixed(4)} GBq (${s.scaling === "as-is" ? "as it stands" : `administered ${s.administeredGBq} GBq, LSF ${s.lungShuntFraction.toFixed(4)}, residual ${s.residualFraction}`})`,
    ...(s.decayToAdministration && s.decayToAdministration.elapsedH !== null ? [`decay to the administration (DecayCorrection ${s.decayToAdministration.decayCorrection}): × ${s.decayToAdministration.factor.toPrecision(6)} (${s.decayToAdministration.elapsedH.toFixed(3)} h after the injection)`] : []),
    ...(s.negativeVoxels.count > 0 ? [`negative voxels clipped: ${s.negativeVoxels.count}, summing to ${s.negativeVoxels.sum.toPrecision(4)} ${s.negativeVoxels.unit}`] : []),
    ...(s.lung ? [`lung dose ${s.lung.doseGy.toFixed(2)} Gy (LSF ${s.lungShuntFraction.toFixed(4)}, lung mass ${s.lung.massKg.toFixed(3)} kg from ${s.lung.massSource})`] : []),
    "",
    "VOI              volume mL   mean Gy    D70 Gy    D90 Gy    max Gy   V100 %   V205 %  tissue       BED Gy    EUD Gy    TCP   NTCP",
  ];
  for (const v of s.vois) {
    const m = v.metrics;
    const rb = m.radiobiology;
    lines.push(
      [
        v.name.slice(0, 15).padEnd(15),
        m.volumeMl.toFixed(1).padStart(10),
        m.meanGy.toFixed(1).padStart(9),
        m.d.D70.toFixed(1).padStart(9),
        m.d.D90.toFixed(1).padStart(9),
        m.maxGy.toFixed(1).padStart(9),
        (100 * m.v.V100).toFixed(1).padStart(8),
        (100 * m.v.V205).toFixed(1).padStart(8),
        ` ${v.tissue.padEnd(11)}`,
        (rb ? rb.meanBedGy.toFixed(1) : "–").padStart(9),
        (rb ? rb.eudGy.toFixed(1) : "–").padStart(9),
        (typeof rb?.tcp === "number" ? rb.tcp.toFixed(3) : "–").padStart(6),
        (typeof rb?.ntcp === "number" ? rb.ntcp.toFixed(3) : "–").padStart(6),
      ].join(" "),
    );
  }
  lines.push("", `wrote ${s.outputs.map((o) => join(out, o)).join(", ")}`);
  return lines.join("\n");
}

/**
 * Options that would change nothing on this run are refused (exit 2, naming the option and why):
 * every accepted option has an effect (issues 15, 19 §4). `--residual`, `--lsf` and
 * `--lung-mass-kg` act through the administered activity (scaling, lung dose, the check of a
 * quantitative image's total); `--series` chooses among the series of a DICOM folder.
 */
function optionsWithoutEffect(
  options: DoseCommandOptions,
  run: { activityPath: string; format: "nifti" | "dicom"; absolute: boolean; scaled: boolean; administered: boolean; lsf: number },
): void {
  if (options.series !== undefined && run.format === "nifti") {
    throw new InputError("--series", `--series has no effect: it chooses a series of a DICOM folder, and ${run.activityPath} is a NIfTI file`);
  }
  if (options.rescaleToAdministered && !run.absolute) {
    throw new InputError("--rescale-to-administered", `--rescale-to-administered has no effect: ${run.activityPath} is in counts, which are always scaled to --administered-gbq`);
  }
  if (!run.administered) {
    const asIs = `${run.activityPath} is quantitative and taken as it stands; with --administered-gbq it sets the lung dose and checks the image's total`;
    if (options.residual !== undefined) throw new InputError("--residual", `--residual has no effect without --administered-gbq: ${asIs}`);
    if (options.lsf !== undefined && options.lsf !== "image") throw new InputError("--lsf", `--lsf has no effect without --administered-gbq (no lung dose): ${asIs}`);
  }
  if (options.lungMassKg !== undefined && !(run.lsf > 0 && run.administered)) {
    throw new InputError("--lung-mass-kg", `--lung-mass-kg has no effect: no lung dose is computed (it needs --administered-gbq and a lung shunt fraction > 0, got ${run.administered ? `LSF ${run.lsf}` : "no --administered-gbq"})`);
  }
}

/**
 * Tolerance of a quantitative image's total against the administered activity. In the QUEST
 * phantom study of Y-90 PET (Willowson, Tapner, Bailey et al., Eur J Nucl Med Mol Imaging
 * 2015;42(8), doi:10.1007/s00259-015-3059-9; 69 scanners) current scanners measured the background
 * concentration within 10 % and spheres > 20 mm about 20 % low (partial volume). The image is
 * compared after its decay back to the administration (imageInput.ts decayToAdministration), so
 * the time of the scan does not enter. 20 % covers these; more is warned.
 */
export const ADMINISTERED_CHECK_TOLERANCE = 0.2;
/**
 * Beyond a factor of 10 the image cannot be this administration: Y-90 decays tenfold in 213 h (8.9
 * days, after any post-treatment scan; Ho-166 in 89 h), and a liver's recovery is far above 0.1
 * (QUEST, above). What remains is wrong units (kBq/mL read as Bq/mL is a factor 1000), another
 * series or patient, or a wrong --administered-gbq: refused (exit 2).
 */
export const ADMINISTERED_CHECK_REFUSE_FACTOR = 10;

export interface AdministeredCheck {
  /** Activity of the image in the liver, tumour and lung VOIs (or the whole grid without labels), Bq. */
  readonly imageBq: number;
  /** What the image should hold: administered × (1 − residual), less the lung shunt when no lung VOI is counted. */
  readonly expectedBq: number;
  readonly ratio: number;
  readonly tolerance: number;
  readonly warning: string | null;
}

/**
 * `dose` on a quantitative image (Bq/mL, SUV) with `--administered-gbq` and without
 * `--rescale-to-administered`: the image is taken as it stands and `--administered-gbq` is a check.
 */
function administeredCheck(activity: Grid<Float32Array>, labels: LabelInput | undefined, lungLabels: readonly number[], administeredGBq: number, residual: number, lsf: number, activityPath: string): AdministeredCheck {
  let imageBq = 0;
  let where = "the whole image";
  const roles = labels ? new Map(Object.entries(labels.names).map(([l, n]) => [Number(l), voiRole(n)])) : new Map<number, string>();
  // The VOIs hold the administered activity only when they include the liver: labels of the
  // lesions alone (a common contour set) are checked against the whole image instead.
  const byVois = labels !== undefined && [...roles.values()].includes("normal");
  if (byVois) {
    const use = new Set([...roles].filter(([, r]) => r !== "other").map(([l]) => l));
    const lab = labels.labels.data;
    for (let n = 0; n < lab.length; n++) if (lab[n] !== 0 && use.has(lab[n])) imageBq += activity.data[n];
    where = "the liver, tumour and lung VOIs";
  } else {
    for (let n = 0; n < activity.data.length; n++) imageBq += activity.data[n];
    if (labels) where = "the whole image (the labels hold no liver VOI)";
  }
  // The lung shunt is outside what was counted when the VOIs counted have no lung VOI.
  const lungCounted = !byVois || lungLabels.length > 0;
  const expectedBq = administeredGBq * 1e9 * (1 - residual) * (lungCounted ? 1 : 1 - lsf);
  const ratio = imageBq / expectedBq;
  const stated = `${(imageBq / 1e9).toPrecision(4)} GBq in ${where} of ${activityPath} against ${(expectedBq / 1e9).toPrecision(4)} GBq from --administered-gbq ${administeredGBq}${residual > 0 ? ` × (1 − residual ${residual})` : ""}${lungCounted ? "" : ` × (1 − LSF ${lsf.toFixed(4)})`}`;
  if (!(ratio >= 1 / ADMINISTERED_CHECK_REFUSE_FACTOR && ratio <= ADMINISTERED_CHECK_REFUSE_FACTOR)) {
    throw new InputError(
      "--administered-gbq",
      `--administered-gbq: ${stated} (ratio ${ratio.toPrecision(3)}, beyond a factor ${ADMINISTERED_CHECK_REFUSE_FACTOR}): the image is not this administration or its units are wrong; check --quantity and --administered-gbq, or give --rescale-to-administered to scale the image to the administered activity`,
    );
  }
  const warning =
    Math.abs(ratio - 1) > ADMINISTERED_CHECK_TOLERANCE
      ? `${stated}: differs by ${(100 * (ratio - 1)).toFixed(1)} % (more than the ${100 * ADMINISTERED_CHECK_TOLERANCE} % that PET/SPECT recovery and partial volume explain); the dose is the image's as it stands (--rescale-to-administered scales it)`
      : null;
  return { imageBq, expectedBq, ratio, tolerance: ADMINISTERED_CHECK_TOLERANCE, warning };
}

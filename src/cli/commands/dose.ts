/**
 * `sirtsim dose ACTIVITY.nii[.gz] --out DIR --administered-gbq X [--lsf F] [--residual F]
 *  [--nuclide Y-90] [--method fft|ldm] [--density-g-per-ml 1.03] [--until-h H]
 *  [--labels LABELS.nii.gz] [--dvh-bin-gy 1] [--tissue VOI=TYPE]... [--lq TISSUE.FIELD=VALUE]...
 *  [--workers N] [--json]`
 *
 * Absorbed dose from an activity image (Tc-99m MAA SPECT for prediction, Y-90 PET / Ho-166 SPECT
 * after treatment). The image is scaled so its total equals the administered activity × (1 − residual)
 * × (1 − LSF) at the reference time; dose to complete decay (or to --until-h) by voxel S-value FFT
 * convolution (default) or local deposition. Writes into DIR (atomically, all or nothing):
 *   dose.nii.gz   dose in Gy, float32, the image's geometry
 *   metrics.json  the summary printed by --json (per-VOI metrics, provenance)
 *   dvh.csv       cumulative DVH per VOI: dose_gy, then one volume-fraction column per VOI
 * VOIs: every non-zero label of --labels (same dims as the image), or the voxels with activity.
 * Each VOI gets BED and EUD (src/dose/radiobiology.ts) with the LQ parameters of its tissue type:
 * by name (tissueOfVoiName: tumour*, lesion*, … → tumour), else normal liver; `--tissue 2=tumour`
 * (label number or name; `activity` for the unlabelled VOI) overrides, and
 * `--lq tumour.alphaBetaGy=8` sets a parameter (the case file's dose.radiobiology fields).
 */
import type { Command } from "commander";
import { join } from "node:path";
import { InputError } from "../../errors.js";
import { activityGridFromImage } from "../../dose/activity.js";
import { doseFromActivity, type DoseResult } from "../../dose/convolve.js";
import { dvh, dvhCurve, type Dvh } from "../../dose/dvh.js";
import { localDepositionDose } from "../../dose/localDeposition.js";
import { doseMetrics, type DoseMetrics } from "../../dose/metrics.js";
import { checkLqParameters, parseTissueType, RADIOBIOLOGY_DEFAULTS, tissueOfVoiName, TISSUE_TYPES, type LqParameters, type TissueType } from "../../dose/radiobiology.js";
import { voxelSValues } from "../../dose/svalues.js";
import type { Grid } from "../../geometry/grid.js";
import { writeFileAtomic, withOutputDir } from "../../io/atomic.js";
import { readNifti, writeNifti } from "../../io/nifti.js";
import { DEFAULT_TISSUE_DENSITY_G_PER_ML, NUCLIDES, type NuclideId } from "../../physics/index.js";
import { action } from "../run.js";
import { printJson, printText } from "../output.js";
import { parseNumberOption } from "./kernel.js";
import { parseWorkers, withPool } from "../../parallel/withPool.js";
import { doseStageOptions } from "./simulate.js";
import { sharedOrPlain } from "../../geometry/grid.js";

interface DoseCommandOptions {
  out: string;
  administeredGbq?: string;
  lsf?: string;
  residual?: string;
  nuclide: string;
  method: string;
  densityGPerMl?: string;
  untilH?: string;
  labels?: string;
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
    .description("absorbed dose (Gy) from an activity image: dose.nii.gz, dvh.csv, metrics.json")
    .argument("<activity>", "activity image, NIfTI (.nii or .nii.gz)")
    .requiredOption("--out <dir>", "output directory")
    .option("--administered-gbq <gbq>", "administered activity, GBq (0, 100]")
    .option("--lsf <fraction>", "lung shunt fraction, [0, 1)", "0")
    .option("--residual <fraction>", "residual fraction left in vial and tubing, [0, 1)", "0")
    .option("--nuclide <id>", "Y-90 or Ho-166", "Y-90")
    .option("--method <method>", "fft (voxel S-value convolution) or ldm (local deposition)", "fft")
    .option("--density-g-per-ml <rho>", `tissue density, g/mL (default ${DEFAULT_TISSUE_DENSITY_G_PER_ML})`)
    .option("--until-h <hours>", "integrate decays up to this many hours (default: complete decay)")
    .option("--labels <labels>", "label image (NIfTI, same dims): one VOI per non-zero label")
    .option("--dvh-bin-gy <gy>", "dose spacing of dvh.csv, Gy", "1")
    .option("--tissue <voi=type>", `tissue type of a VOI (label number or name, or "activity"): ${TISSUE_TYPES.join(", ")}; repeatable (default: by name, else normalLiver)`, collect)
    .option("--lq <tissue.field=value>", "LQ parameter of a tissue type for BED/EUD, e.g. tumour.alphaBetaGy=8 (fields alphaBetaGy, repairHalfTimeH, alphaPerGy); repeatable", collect)
    .option("--workers <n>", "worker threads for the FFT (default: available cores; 1 = inline)")
    .option("--json", "print one JSON document on stdout")
    .action(
      action(async (activityPath: string, options: DoseCommandOptions) => {
        await runDose(activityPath, options);
      }),
    );
}

export interface DoseSummary {
  input: string;
  nuclide: NuclideId;
  method: "fft" | "ldm";
  administeredGBq: number;
  lungShuntFraction: number;
  residualFraction: number;
  untilH: number | null;
  densityGPerMl: number;
  dims: number[];
  spacingMm: number[];
  activityInGridBq: number;
  paddedDims?: number[];
  vois: Array<{ label: number | "activity"; tissue: TissueType; metrics: DoseMetrics }>;
  outputs: string[];
  provenance: readonly string[];
}

export async function runDose(activityPath: string, options: DoseCommandOptions): Promise<DoseSummary> {
  if (!(options.nuclide in NUCLIDES)) throw new InputError("--nuclide", `--nuclide must be one of ${Object.keys(NUCLIDES).join(", ")}, got ${JSON.stringify(options.nuclide)}`);
  const nuclide = options.nuclide as NuclideId;
  if (options.method !== "fft" && options.method !== "ldm") throw new InputError("--method", `--method must be fft or ldm, got ${JSON.stringify(options.method)}`);
  if (options.administeredGbq === undefined) throw new InputError("--administered-gbq", "--administered-gbq is required (a number in (0, 100] GBq)");
  const administeredGBq = parseNumberOption("--administered-gbq", options.administeredGbq, 1e-9, 100, "GBq");
  const lsf = parseNumberOption("--lsf", options.lsf ?? "0", 0, 0.999999);
  const residual = parseNumberOption("--residual", options.residual ?? "0", 0, 0.999999);
  const density = options.densityGPerMl === undefined ? DEFAULT_TISSUE_DENSITY_G_PER_ML : parseNumberOption("--density-g-per-ml", options.densityGPerMl, 0.01, 20, "g/mL");
  const untilH = options.untilH === undefined ? Infinity : parseNumberOption("--until-h", options.untilH, 1e-6, 1e6, "h");
  const binGy = parseNumberOption("--dvh-bin-gy", options.dvhBinGy, 1e-6, 1000, "Gy");
  const workers = parseWorkers(options.workers);
  const lq = parseLqOptions(options.lq ?? []);
  const tissueOverrides = parseTissueOptions(options.tissue ?? []);

  const image = await readNifti(activityPath, { kind: "activity" });
  const labels = options.labels ? await readNifti(options.labels, { kind: "labels" }) : undefined;
  if (labels && (labels.dims[0] !== image.dims[0] || labels.dims[1] !== image.dims[1] || labels.dims[2] !== image.dims[2])) {
    throw new InputError("--labels", `--labels dims [${labels.dims.join(", ")}] must equal the activity image dims [${image.dims.join(", ")}]`);
  }
  if (labels && labels.spacingMm.some((s, a) => Math.abs(s - image.spacingMm[a]) > 1e-3 * image.spacingMm[a])) {
    throw new InputError("--labels", `--labels voxel size [${labels.spacingMm.join(", ")}] mm must equal the activity image's [${image.spacingMm.join(", ")}] mm`);
  }
  // On worker threads the FFT reads the activity and writes the dose in shared memory, in place.
  const shared = options.method === "fft" && workers > 1;
  const activity: Grid<Float32Array> = { ...image, data: sharedOrPlain(Float32Array, image.data.length, shared) };
  const activityStats = activityGridFromImage(activity, image, { administeredGBq, lungShuntFraction: lsf, residualFraction: residual });
  const dose: Grid<Float32Array> = { ...image, data: sharedOrPlain(Float32Array, image.data.length, shared) };
  let result: DoseResult;
  if (options.method === "fft") {
    const kernel = voxelSValues(nuclide, image.spacingMm, { densityGPerMl: density });
    progress(options.json, `convolving ${image.dims.join("x")} voxels of ${image.spacingMm.map((s) => s.toFixed(3)).join("x")} mm with the ${nuclide} kernel`);
    result = await withPool(workers, (pool) => doseFromActivity(dose, activity, kernel, { untilH, ...doseStageOptions(pool, Boolean(options.json)) }));
  } else {
    result = localDepositionDose(dose, activity, { nuclide, densityGPerMl: density, untilH });
  }

  // VOIs: each label, or the voxels with activity.
  const vois: Array<{ label: number | "activity"; h: Dvh }> = [];
  if (labels) {
    const present = [...new Set(labels.data)].filter((l) => l !== 0).sort((a, b) => a - b);
    for (const l of present) vois.push({ label: l, h: dvh(dose, labels, l) });
  } else {
    vois.push({ label: "activity", h: dvh(dose, activity) });
  }
  // Label names are not read yet (the name is the label number); an unmatched --tissue is an error.
  const tissueOf = (label: number | "activity"): TissueType => tissueOverrides.get(String(label)) ?? tissueOfVoiName(String(label));
  for (const key of tissueOverrides.keys()) {
    if (!vois.some((v) => String(v.label) === key)) throw new InputError("--tissue", `--tissue ${key}: no such VOI (VOIs: ${vois.map((v) => v.label).join(", ")})`);
  }
  const metricsOf = (h: Dvh, tissue: TissueType) => doseMetrics(h, { radiobiology: { nuclide, tissue, params: lq[tissue], untilH } });
  const summary: DoseSummary = {
    input: activityPath,
    nuclide,
    method: options.method,
    administeredGBq,
    lungShuntFraction: lsf,
    residualFraction: residual,
    untilH: untilH === Infinity ? null : untilH,
    densityGPerMl: density,
    dims: [...image.dims],
    spacingMm: [...image.spacingMm],
    activityInGridBq: activityStats.totalBq,
    ...(result.paddedDims ? { paddedDims: [...result.paddedDims] } : {}),
    vois: vois.map((v) => ({ label: v.label, tissue: tissueOf(v.label), metrics: metricsOf(v.h, tissueOf(v.label)) })),
    outputs: ["dose.nii.gz", "dvh.csv", "metrics.json"],
    provenance: [
      ...result.provenance,
      "radiobiology: BED Dale 1985 (permanent implant with repair; to --until-h when given), mean over voxels; EUD Niemierko 1997 from voxel BEDs",
      ...TISSUE_TYPES.map((t) => `${t}: alpha/beta ${lq[t].alphaBetaGy} Gy, T_rep ${lq[t].repairHalfTimeH} h, alpha ${lq[t].alphaPerGy}/Gy${lq[t] === RADIOBIOLOGY_DEFAULTS[t] ? ` (${RADIOBIOLOGY_DEFAULTS[t].source})` : " (--lq)"}`),
    ],
  };

  await withOutputDir(options.out, async (dir) => {
    await writeNifti(join(dir, "dose.nii.gz"), dose, { description: `sirtsim dose Gy ${nuclide} ${options.method}` });
    await writeFileAtomic(join(dir, "dvh.csv"), dvhCsv(vois, binGy));
    await writeFileAtomic(join(dir, "metrics.json"), `${JSON.stringify(summary, null, 2)}\n`);
  });
  if (options.json) printJson(summary);
  else printText(formatDose(summary, options.out), false);
  return summary;
}

/** `--lq tumour.alphaBetaGy=8` (repeatable) over the defaults of radiobiology.ts. */
function parseLqOptions(specs: readonly string[]): Record<TissueType, LqParameters> {
  const out = { ...RADIOBIOLOGY_DEFAULTS } as Record<TissueType, LqParameters>;
  for (const spec of specs) {
    const m = /^([A-Za-z]+)\.(alphaBetaGy|repairHalfTimeH|alphaPerGy)=(.*)$/.exec(spec);
    if (!m) throw new InputError("--lq", `--lq must be TISSUE.FIELD=VALUE with TISSUE one of ${TISSUE_TYPES.join(", ")} and FIELD one of alphaBetaGy, repairHalfTimeH, alphaPerGy, got ${JSON.stringify(spec)}`);
    const tissue = parseTissueType("--lq", m[1]);
    const field = m[2] as keyof LqParameters;
    const value = parseNumberOption(`--lq ${tissue}.${field}`, m[3], Number.MIN_VALUE, field === "alphaPerGy" ? 10 : 1000);
    out[tissue] = { ...out[tissue], [field]: value };
  }
  for (const t of TISSUE_TYPES) checkLqParameters(`--lq ${t}`, out[t]);
  return out;
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

/** dvh.csv: dose_gy, then the volume fraction ≥ dose of each VOI. */
function dvhCsv(vois: Array<{ label: number | "activity"; h: Dvh }>, binGy: number): string {
  const maxGy = Math.max(...vois.map((v) => v.h.sortedDoseGy[v.h.voxelCount - 1]));
  const points = Float64Array.from({ length: Math.floor(maxGy / binGy) + 2 }, (_, i) => i * binGy);
  const curves = vois.map((v) => dvhCurve(v.h, points).volumeFraction);
  const lines = [["dose_gy", ...vois.map((v) => `voi_${v.label}`)].join(",")];
  for (let i = 0; i < points.length; i++) lines.push([String(points[i]), ...curves.map((c) => c[i].toPrecision(6))].join(","));
  return `${lines.join("\n")}\n`;
}

function formatDose(s: DoseSummary, out: string): string {
  const lines = [
    `${s.nuclide} dose (${s.method}) from ${s.input}: ${s.dims.join("x")} voxels of ${s.spacingMm.map((x) => x.toFixed(3)).join("x")} mm`,
    `activity in grid ${(s.activityInGridBq / 1e9).toFixed(4)} GBq (administered ${s.administeredGBq} GBq, LSF ${s.lungShuntFraction}, residual ${s.residualFraction})`,
    "",
    "VOI        volume mL   mean Gy    D70 Gy    D90 Gy    max Gy   V100 %   V205 %  tissue       BED Gy    EUD Gy",
  ];
  for (const v of s.vois) {
    const m = v.metrics;
    const rb = m.radiobiology;
    lines.push(
      [
        String(v.label).padEnd(9),
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
      ].join(" "),
    );
  }
  lines.push("", `wrote ${s.outputs.map((o) => join(out, o)).join(", ")}`);
  return lines.join("\n");
}

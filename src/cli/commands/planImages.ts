/**
 * `sirtsim plan-images --spect MAA --labels VOIS [--ct CT] [--density-g-per-ml 1.03 | --density ct]
 *  [--lsf image|F | --planar-lung-counts ANT,POST --planar-liver-counts ANT,POST]
 *  [--lung-mass-kg 1|ct] [--target VOI:mean=Gy] [--limit VOI:mean<=Gy …] [--lung-limit-gy 30]
 *  [--method partition|voxel] [--nuclide Y-90] [--product ID] [--json] [--strict]`
 *
 * Planning from the pre-treatment Tc-99m MAA SPECT/CT, as MIM SurePlan / Simplicit90Y users do:
 *  - compartment masses from the VOIs on the CT grid (volume × stated density, or × the CT's
 *    density (HU + 1000)/1000 g/mL);
 *  - T/N from MAA counts per VOI: (counts / volume) of each VOI over that of the normal liver (the
 *    VOI named "liver"), on the SPECT grid;
 *  - lung shunt from the SPECT's lung VOI (counts ratio), or from planar anterior/posterior counts
 *    (geometric mean: LSF = GM_lung / (GM_lung + GM_liver)), or stated;
 *  - lung mass from the CT (Kao et al., J Nucl Med 2014;55:1224) or 1 kg;
 *  - the activity by the partition model with any number of compartments (Ho et al., Eur J Nucl
 *    Med 1996;23:947), or by voxel dosimetry on the SPECT (local deposition, dose per GBq): the
 *    largest activity that meets the target without breaking a limit; the binding constraint
 *    (the target, a limit, or the lung limit) is named;
 *  - the plan's safety block, as `plan` and `simulate` print it (src/cli/safety.ts): the EANM 2022
 *    advisories (LSF, lung dose and activity, T/N, tumour target, normal-liver limit), whether the
 *    plan is within its limits and which limit lowered the activity; `--strict` exits 3.
 */
import type { Command } from "commander";
import { InputError } from "../../errors.js";
import { activityGridFromImage } from "../../dose/activity.js";
import { doseAtVolumePercent, dvh } from "../../dose/dvh.js";
import { localDepositionDose } from "../../dose/localDeposition.js";
import type { Grid } from "../../geometry/grid.js";
import { join } from "node:path";
import { openOutputDir, writeFileAtomic, type OutputDir } from "../../io/atomic.js";
import { labelContext, readImageInput, readLabelsInput, voiRole, type LabelInput } from "../../io/imageInput.js";
import { unrecognisedVoiWarning, voisByRole } from "../../io/voiRole.js";
import { writeNifti } from "../../io/nifti.js";
import { countsPerVoi, lungShuntFromCounts, relativeConcentrations, voiMassesOnCt } from "../../io/voiCounts.js";
import { checkVoiNames, labelNamesSource } from "../../io/voiNames.js";
import { readJsonFile } from "../../pipeline/files.js";
import { caseMaskFromVois } from "../../pipeline/patientImages.js";
import { DEFAULT_TISSUE_DENSITY_G_PER_ML, derivedDoseCoefficient, NUCLIDES, type NuclideId } from "../../physics/index.js";
import { action, EXIT_UNSAFE } from "../run.js";
import { advisories } from "../../planning/advisories.js";
import { doseGuidance, LUNG_DOSE_LIMIT_CUMULATIVE_GY, type DoseGuidance } from "../../physics/eanm2022.js";
import { PRODUCT_IDS, PRODUCTS, type ProductId } from "../../physics/products.js";
import type { PlanSafety } from "../../pipeline/resolveCase.js";
import { applyStrict, formatSafety, safetyWarnings, warnOnStderr } from "../safety.js";
import { printJson, printText } from "../output.js";
import { parseQuantityOption } from "../../io/quantity.js";

interface PlanImagesOptions {
  spect: string;
  labels: string;
  labelNames?: string;
  ct?: string;
  densityGPerMl?: string;
  density?: string;
  lsf?: string;
  planarLungCounts?: string;
  planarLiverCounts?: string;
  lungMassKg: string;
  target?: string;
  limit: string[];
  lungLimitGy: string;
  method: string;
  nuclide?: string;
  writeCase?: string;
  baseCase?: string;
  product?: string;
  json?: boolean;
  strict?: boolean;
}

export function registerPlanImages(program: Command): void {
  program
    .command("plan-images")
    .description("plan from MAA SPECT/CT: masses, T/N, LSF from images; activity by partition model or voxel dosimetry")
    .requiredOption("--spect <image>", "MAA SPECT: DICOM folder/file or NIfTI (counts)")
    .requiredOption("--labels <labels>", "VOIs: NIfTI label map, RTSTRUCT or SEG; one named \"liver\" (normal liver), tumours by name (tumour/lesion/GTV), an optional lung VOI")
    .option("--label-names <file>", "name table of a NIfTI label map (default: LABELS.json beside it)")
    .option("--ct <ct>", "CT (DICOM folder or NIfTI, HU): the grid the VOIs were drawn on; volumes and masses are taken on it")
    .option("--density-g-per-ml <rho>", `tissue density for the masses, g/mL (default ${DEFAULT_TISSUE_DENSITY_G_PER_ML})`)
    .option("--density <source>", "'ct': masses from the CT's density (HU + 1000)/1000 g/mL instead of --density-g-per-ml")
    .option("--lsf <fraction>", "lung shunt fraction: 'image' (lung VOI counts; default when there is a lung VOI) or a number in [0, 1)")
    .option("--planar-lung-counts <ant,post>", "planar lung ROI counts, anterior,posterior: LSF by geometric mean (with --planar-liver-counts)")
    .option("--planar-liver-counts <ant,post>", "planar liver ROI counts, anterior,posterior")
    .option("--lung-mass-kg <kg>", "lung mass, kg, or 'ct' (lung VOI on the CT, Kao 2014)", "1")
    .option("--target <spec>", "planning target, VOI:mean=Gy or VOI:D70=Gy (e.g. tumour_1:mean=150)")
    .option("--limit <spec>", "a limit VOI:mean<=Gy or VOI:D70<=Gy (repeatable), e.g. liver:mean<=70", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--lung-limit-gy <gy>", "lung dose limit, Gy", "30")
    .option("--method <m>", "partition (compartment means) or voxel (local deposition on the SPECT, D70 allowed)", "partition")
    .option("--nuclide <id>", "Y-90 or Ho-166 (default: the product's nuclide, else Y-90)")
    .option("--write-case <dir>", "also write DIR/case.json + DIR/labels.nii.gz for `sirtsim simulate` on this patient (needs --base-case)")
    .option("--base-case <case.json>", "case whose product, tree, transport and dose sections the written case keeps")
    .option("--product <id>", `microsphere product for the advisories: ${PRODUCT_IDS.join(", ")} (default: --base-case's product, else the resin rules, the strictest on the lung shunt)`)
    .option("--json", "print one JSON document on stdout")
    .option("--strict", `exit ${EXIT_UNSAFE} when a contraindication or an exceeded limit remains (after writing --write-case)`)
    .action(
      action(async (options: PlanImagesOptions) => {
        await runPlanImages(options);
      }),
    );
}

interface DoseSpec {
  voi: string;
  metric: "mean" | "D70";
  gy: number;
}

function parseSpec(field: string, text: string, op: "=" | "<="): DoseSpec {
  const re = op === "=" ? /^([^:]+):(mean|D70)=([0-9.eE+-]+)$/ : /^([^:]+):(mean|D70)<=([0-9.eE+-]+)$/;
  const m = re.exec(text.trim());
  const gy = m ? Number(m[3]) : Number.NaN;
  if (!m || !(gy > 0 && gy <= 10000)) throw new InputError(field, `${field} must look like VOI:mean${op}Gy or VOI:D70${op}Gy with Gy in (0, 10000], got ${JSON.stringify(text)}`);
  return { voi: m[1], metric: m[2] as DoseSpec["metric"], gy };
}

function parsePair(field: string, text: string): [number, number] {
  const parts = text.split(",").map(Number);
  if (parts.length !== 2 || !parts.every((x) => Number.isFinite(x) && x > 0)) throw new InputError(field, `${field} must be two positive counts "anterior,posterior", got ${JSON.stringify(text)}`);
  return [parts[0], parts[1]];
}

export interface PlanImagesVoi {
  label: number;
  name: string;
  role: "normal" | "tumour" | "lung" | "other";
  volumeMl: number;
  massKg: number;
  counts: number;
  /** Concentration relative to the normal liver (T/N for tumours). */
  relativeConcentration: number;
  /** Partition model: Gy per administered GBq; voxel: mean and D70 per GBq. */
  meanGyPerGBq: number;
  d70GyPerGBq: number | null;
  /** At the planned activity. */
  meanGy: number;
  d70Gy: number | null;
}

export interface PlanImagesSummary {
  spect: string;
  labels: string;
  method: "partition" | "voxel";
  nuclide: NuclideId;
  kGyKgPerGBq: number;
  lungShuntFraction: number;
  lungShuntSource: "image" | "planar" | "option";
  lungMassKg: number;
  lungMassSource: "ct" | "option";
  massSource: "ct" | "density";
  vois: PlanImagesVoi[];
  /** VOIs whose name is neither liver, tumour nor lung: left out of the plan (warned on stderr). */
  excludedVois: Array<{ label: number; name: string }>;
  constraints: Array<{ kind: "target" | "limit" | "lung"; spec: string; maxActivityGBq: number }>;
  activityGBq: number;
  binding: string;
  targetMet: boolean;
  lungDoseGy: number;
  /** The product whose rules the advisories apply, and where it came from. */
  product: { id: ProductId; source: "option" | "base-case" | "default" };
  /** The plan's safety block, as `plan` prints it (src/cli/safety.ts). */
  safety: PlanSafety;
  provenance: string[];
  caseFile?: string;
}

/**
 * `--write-case DIR` is opened like every command's `--out` (src/io/atomic.ts openOutputDir):
 * checked and locked before the images are read, so a file, the current folder or a folder of the
 * user's files is refused (exit 2) before any work, and the case set is swapped in whole.
 */
export async function runPlanImages(options: PlanImagesOptions): Promise<PlanImagesSummary> {
  if (options.writeCase === undefined) return planImages(options, undefined);
  const output = openOutputDir(options.writeCase, "--write-case", [options.spect, options.labels, options.labelNames, options.ct, options.baseCase]);
  try {
    return await planImages(options, output);
  } finally {
    output.release();
  }
}

async function planImages(options: PlanImagesOptions, output: OutputDir | undefined): Promise<PlanImagesSummary> {
  if (options.nuclide !== undefined && !Object.hasOwn(NUCLIDES, options.nuclide)) throw new InputError("--nuclide", `--nuclide must be one of ${Object.keys(NUCLIDES).join(", ")}, got ${JSON.stringify(options.nuclide)}`);
  if ((options.writeCase === undefined) !== (options.baseCase === undefined)) throw new InputError("--write-case", "--write-case and --base-case go together");
  const baseCase = options.baseCase ? await readJsonFile(options.baseCase) : undefined;
  if (baseCase !== undefined && (typeof baseCase !== "object" || baseCase === null || Array.isArray(baseCase))) throw new InputError("--base-case", `--base-case ${options.baseCase}: not a JSON object`);
  const product = productOf(options.product, baseCase as Record<string, unknown> | undefined, options.baseCase);
  // The activity's dose coefficient and the advisories must be of one product: the nuclide is the
  // product's (Ho-166 for QuiremSpheres), and a --nuclide that contradicts it is refused.
  const productNuclide = product.source === "default" ? undefined : PRODUCTS[product.id].nuclide;
  if (options.nuclide !== undefined && productNuclide !== undefined && options.nuclide !== productNuclide) {
    throw new InputError("--nuclide", `--nuclide ${options.nuclide} contradicts the product ${product.id} (${product.source === "option" ? "--product" : `--base-case ${options.baseCase}`}), whose spheres carry ${productNuclide}`);
  }
  const nuclide = (options.nuclide ?? productNuclide ?? "Y-90") as NuclideId;
  if (options.method !== "partition" && options.method !== "voxel") throw new InputError("--method", `--method must be partition or voxel, got ${JSON.stringify(options.method)}`);
  if (options.density !== undefined && options.density !== "ct") throw new InputError("--density", `--density must be ct, got ${JSON.stringify(options.density)}`);
  if (options.density === "ct" && !options.ct) throw new InputError("--density", "--density ct needs --ct");
  if (options.density === "ct" && options.densityGPerMl !== undefined) throw new InputError("--density", "give --density ct or --density-g-per-ml, not both");
  const density = options.densityGPerMl === undefined ? DEFAULT_TISSUE_DENSITY_G_PER_ML : parseQuantityOption("--density-g-per-ml", options.densityGPerMl, "density", 0.01, 20);
  const planar = options.planarLungCounts !== undefined || options.planarLiverCounts !== undefined;
  if (planar && (options.planarLungCounts === undefined || options.planarLiverCounts === undefined)) {
    throw new InputError("--planar-lung-counts", "--planar-lung-counts and --planar-liver-counts go together");
  }
  if (planar && options.lsf !== undefined) throw new InputError("--lsf", "give --lsf or the planar counts, not both");
  const lungMassFromCt = options.lungMassKg === "ct";
  const lungMassOption = lungMassFromCt ? 0 : parseQuantityOption("--lung-mass-kg", options.lungMassKg, "mass", 0.01, 10);
  if (lungMassFromCt && !options.ct) throw new InputError("--lung-mass-kg", "--lung-mass-kg ct needs --ct");
  const lungLimitGy = parseQuantityOption("--lung-limit-gy", options.lungLimitGy, "dose", 0.01, 1000);
  const target = options.target ? parseSpec("--target", options.target, "=") : undefined;
  const limits = options.limit.map((l) => parseSpec("--limit", l, "<="));
  if (options.method === "partition" && [target, ...limits].some((s) => s?.metric === "D70")) {
    throw new InputError("--target", "D70 needs --method voxel (the partition model gives compartment means)");
  }

  const spect = await readImageInput(options.spect, { field: "--spect" });
  if (spect.quantity !== "counts" && spect.quantity !== "bqml") throw new InputError("--spect", `--spect: ${options.spect} is ${spect.modality} (${spect.quantity}), not an emission image`);
  const ct = options.ct ? await readImageInput(options.ct, { field: "--ct", niftiQuantity: "hu" }) : undefined;
  const labelOptions = labelContext(spect, ct, options.labelNames);
  // Counts on the SPECT grid; volumes and masses on the CT grid (where the VOIs were drawn).
  const onSpect = await readLabelsInput(options.labels, { target: spect.grid, ...labelOptions });
  const onCt: LabelInput = ct ? await readLabelsInput(options.labels, { target: ct.grid, ...labelOptions }) : onSpect;
  checkVoiNames(onSpect.names, "--labels", labelNamesSource(options.labels, options.labelNames));
  // Warned in both modes (stderr; with --json stdout holds only the document).
  for (const w of onSpect.warnings) process.stderr.write(`warning: ${w}\n`);
  const names = onSpect.names;
  const roleOf = voiRole;
  // Liver (normal liver and tumours), lungs, and VOIs of unknown role (BODY, …): the last take no
  // part in the plan, the lung shunt or the liver counts, with a warning (src/io/voiRole.ts).
  const byRole = voisByRole(names);
  const lungLabels = byRole.lung;
  const liverVois = byRole.liver;
  const labelValues = [...liverVois, ...lungLabels].sort((a, b) => a - b);
  const excluded = byRole.other.map((l) => ({ label: l, name: names[l] }));
  if (excluded.length > 0) process.stderr.write(`warning: ${unrecognisedVoiWarning(`--labels ${options.labels}`, excluded.map((e) => e.name), "the plan, the lung shunt and the liver counts")}\n`);
  const normal = labelValues.find((l) => roleOf(names[l]) === "normal");
  if (normal === undefined) throw new InputError("--labels", `--labels: ${options.labels} has no normal-liver VOI named "liver" (names: ${Object.values(names).join(", ")})`);
  for (const s of [target, ...limits]) {
    const field = s === target ? "--target" : "--limit";
    if (s && excluded.some((e) => e.name === s.voi)) throw new InputError(field, `${field}: VOI ${JSON.stringify(s.voi)} is neither liver, tumour nor lung by name, so it is not part of the plan; rename it (e.g. "tumour_3")`);
    if (s && !labelValues.some((l) => names[l] === s.voi)) throw new InputError(field, `no VOI named ${JSON.stringify(s.voi)} (VOIs: ${Object.values(names).join(", ")})`);
  }

  // Counts per VOI on the SPECT grid (negatives clipped; fractional occupancy where the labels
  // were resampled): src/io/voiCounts.ts, shared with `dose --lsf image` and `simulate`.
  const sl = onSpect.labels.data;
  const sv = spect.grid.data;
  const voiCounts = countsPerVoi(onSpect, sv);
  const counts = voiCounts.counts;
  // Volumes and masses on the CT grid (src/io/voiCounts.ts voiMassesOnCt, shared with `dose --lung-mass-kg ct`).
  const masses = voiMassesOnCt(onCt.labels, options.density === "ct" || lungMassFromCt ? ct!.grid : undefined);
  const ctMl = masses.voxelMl;
  const ctVoxels = masses.voxels;
  const grams = masses.grams;
  if (!((counts.get(normal) ?? 0) > 0)) throw new InputError("--spect", `--spect: no counts in the normal-liver VOI ${JSON.stringify(names[normal])}`);
  // A target or limit on a VOI of zero volume, or with no counts, would allow any activity.
  for (const s of [target, ...limits]) {
    if (!s) continue;
    const l = labelValues.find((v) => names[v] === s.voi)!;
    const field = s === target ? "--target" : "--limit";
    if (!((ctVoxels.get(l) ?? 0) > 0) || !((voiCounts.voxels.get(l) ?? 0) > 0)) throw new InputError(field, `${field}: VOI ${JSON.stringify(s.voi)} has zero volume on ${ct ? "the CT" : "the SPECT"} grid`);
    if (!((counts.get(l) ?? 0) > 0)) throw new InputError(field, `${field}: VOI ${JSON.stringify(s.voi)} holds no MAA counts, so it gets no dose at any activity`);
  }

  // Lung shunt.
  let lsf: number;
  let lsfSource: PlanImagesSummary["lungShuntSource"];
  if (planar) {
    const [la, lp] = parsePair("--planar-lung-counts", options.planarLungCounts!);
    const [ha, hp] = parsePair("--planar-liver-counts", options.planarLiverCounts!);
    const gmLung = Math.sqrt(la * lp);
    lsf = gmLung / (gmLung + Math.sqrt(ha * hp));
    lsfSource = "planar";
  } else if (options.lsf === undefined || options.lsf === "image") {
    if (lungLabels.length === 0) throw new InputError("--lsf", `--lsf image: ${options.labels} has no lung VOI; give --lsf F or the planar counts`);
    lsf = lungShuntFromCounts(voiCounts, lungLabels, liverVois);
    lsfSource = "image";
  } else {
    lsf = parseQuantityOption("--lsf", options.lsf, "fraction", 0, 0.999999);
    lsfSource = "option";
  }
  const lungMassKg = lungMassFromCt ? lungLabels.reduce((sum, l) => sum + (grams.get(l) ?? 0), 0) / 1000 : lungMassOption;
  if (!(lungMassKg > 0)) throw new InputError("--lung-mass-kg", "--lung-mass-kg ct: no lung VOI on the CT");

  const kGyKgPerGBq = derivedDoseCoefficient(nuclide).valueGyKgPerGBq;
  const massKg = (l: number) => (options.density === "ct" ? (grams.get(l) ?? 0) / 1000 : ((ctVoxels.get(l) ?? 0) * ctMl * density) / 1000);
  const relative = relativeConcentrations(voiCounts, normal);
  const rel = (l: number) => relative.get(l) ?? 0;
  // Partition model (n compartments): D_i per GBq = K (1 − LSF) r_i / Σ r_j m_j.
  const weightedKg = liverVois.reduce((s, l) => s + rel(l) * massKg(l), 0);
  const partitionGyPerGBq = (l: number) => (kGyKgPerGBq * (1 - lsf) * rel(l)) / weightedKg;

  // Voxel dosimetry: LDM dose of 1 GBq × (1 − LSF) spread as the MAA counts in the liver VOIs.
  let voxelStats: Map<number, { mean: number; d70: number }> | undefined;
  if (options.method === "voxel") {
    const liverCounts = new Float32Array(sv.length);
    const isLiver = new Uint8Array(65536);
    for (const l of liverVois) isLiver[l] = 1;
    for (let n = 0; n < sl.length; n++) if (isLiver[sl[n]]) liverCounts[n] = Math.max(0, sv[n]);
    const activity: Grid<Float64Array> = { ...spect.grid, data: new Float64Array(sv.length) };
    activityGridFromImage(activity, { ...spect.grid, data: liverCounts }, { administeredGBq: 1, lungShuntFraction: lsf });
    const dose: Grid<Float64Array> = { ...spect.grid, data: new Float64Array(sv.length) };
    localDepositionDose(dose, activity, { nuclide, densityGPerMl: density });
    voxelStats = new Map();
    for (const l of liverVois) {
      const h = dvh(dose, onSpect.labels, l);
      let sum = 0;
      for (let q = 0; q < h.voxelCount; q++) sum += h.sortedDoseGy[q];
      voxelStats.set(l, { mean: sum / h.voxelCount, d70: doseAtVolumePercent(h, 70) });
    }
  }
  const perGBq = (l: number, metric: DoseSpec["metric"]) => (voxelStats ? (metric === "mean" ? voxelStats.get(l)!.mean : voxelStats.get(l)!.d70) : partitionGyPerGBq(l));
  const labelOf = (voi: string) => labelValues.find((l) => names[l] === voi)!;

  const lungGyPerGBq = (kGyKgPerGBq * lsf) / lungMassKg;
  const constraints: PlanImagesSummary["constraints"] = [];
  if (target) constraints.push({ kind: "target", spec: options.target!, maxActivityGBq: target.gy / perGBq(labelOf(target.voi), target.metric) });
  for (const [q, s] of limits.entries()) constraints.push({ kind: "limit", spec: options.limit[q], maxActivityGBq: s.gy / perGBq(labelOf(s.voi), s.metric) });
  if (lsf > 0) constraints.push({ kind: "lung", spec: `lung<=${lungLimitGy}`, maxActivityGBq: lungLimitGy / lungGyPerGBq });
  if (constraints.length === 0) throw new InputError("--target", "give --target (and optionally --limit): there is nothing to plan to");
  for (const c of constraints) {
    if (!(c.maxActivityGBq > 0 && Number.isFinite(c.maxActivityGBq))) throw new InputError(c.kind === "limit" ? "--limit" : c.kind === "lung" ? "--lung-limit-gy" : "--target", `${c.spec}: the VOI gets no dose per GBq, so no activity can be planned from it`);
  }
  const binding = constraints.reduce((best, c) => (c.maxActivityGBq < best.maxActivityGBq ? c : best));
  const activityGBq = binding.maxActivityGBq;

  const vois: PlanImagesVoi[] = labelValues.map((l) => {
    const isLiver = !lungLabels.includes(l);
    const mean = isLiver ? perGBq(l, "mean") : lungGyPerGBq;
    const d70 = isLiver && voxelStats ? voxelStats.get(l)!.d70 : null;
    return {
      label: l,
      name: names[l],
      role: roleOf(names[l]),
      volumeMl: (ctVoxels.get(l) ?? 0) * ctMl,
      massKg: isLiver ? massKg(l) : lungMassKg,
      counts: counts.get(l) ?? 0,
      relativeConcentration: rel(l),
      meanGyPerGBq: mean,
      d70GyPerGBq: d70,
      meanGy: mean * activityGBq,
      d70Gy: d70 === null ? null : d70 * activityGBq,
    };
  });
  const lungDoseGy = lungGyPerGBq * activityGBq;
  const safety = planImagesSafety({ product: product.id, vois, lsf, lungDoseGy, lungLimitGy, activityGBq, constraints, binding, target, limits, normal });
  const summary: PlanImagesSummary = {
    spect: options.spect,
    labels: options.labels,
    method: options.method,
    nuclide,
    kGyKgPerGBq,
    lungShuntFraction: lsf,
    lungShuntSource: lsfSource,
    lungMassKg,
    lungMassSource: lungMassFromCt ? "ct" : "option",
    massSource: options.density === "ct" ? "ct" : "density",
    vois,
    excludedVois: excluded,
    constraints,
    activityGBq,
    binding: binding.spec,
    targetMet: target ? binding.kind === "target" : false,
    lungDoseGy,
    product,
    safety,
    provenance: [
      `K = ${kGyKgPerGBq} Gy kg/GBq (${derivedDoseCoefficient(nuclide).source})`,
      options.method === "partition" ? "partition model, n compartments: Ho et al. Eur J Nucl Med 1996;23:947" : "voxel dosimetry: local deposition on the SPECT grid (Pasciak et al. Front Oncol 2014;4:121)",
      lungMassFromCt ? "lung mass from CT: Kao et al. J Nucl Med 2014;55:1224" : `lung mass ${lungMassKg} kg`,
      options.density === "ct" ? "masses: CT density (HU + 1000)/1000 g/mL" : `masses: volume × ${density} g/mL`,
      `advisories: EANM 2022 (Weber et al.) and the ${product.id} label${product.source === "default" ? " (no --product: the resin rules, the strictest on the lung shunt)" : ` (product from ${product.source === "option" ? "--product" : "--base-case"})`}`,
    ],
  };
  if (options.writeCase && output) {
    summary.caseFile = join(options.writeCase, "case.json");
    await writeCase(output, baseCase as Record<string, unknown>, onCt.labels, vois, lsf);
  }
  if (options.json) {
    printJson(summary);
    warnOnStderr(safetyWarnings(safety));
  } else printText(formatPlan(summary), false);
  applyStrict(options.strict, safety);
  return summary;
}

/** `--product`, else the base case's `product`, else the resin rules (LSF > 20 % contraindicated: the strictest). */
function productOf(option: string | undefined, base: Record<string, unknown> | undefined, basePath: string | undefined): PlanImagesSummary["product"] {
  if (option !== undefined) {
    if (!(PRODUCT_IDS as readonly string[]).includes(option)) throw new InputError("--product", `--product must be one of ${PRODUCT_IDS.join(", ")}, got ${JSON.stringify(option)}`);
    return { id: option as ProductId, source: "option" };
  }
  const fromBase = base?.product;
  if (fromBase !== undefined) {
    if (typeof fromBase !== "string" || !(PRODUCT_IDS as readonly string[]).includes(fromBase)) throw new InputError("--base-case", `--base-case ${basePath}: product must be one of ${PRODUCT_IDS.join(", ")}, got ${JSON.stringify(fromBase)}`);
    return { id: fromBase as ProductId, source: "base-case" };
  }
  return { id: "sir-spheres", source: "default" };
}

/**
 * The guidance `plan-images` applies (no indication or scenario on its command line): the product's
 * EANM 2022 tumour minimum and normal-liver maximum for an indication other than HCC, without the
 * segmentectomy and perfused-volume targets (a plan from images targets VOIs).
 */
function planImagesGuidance(product: ProductId): DoseGuidance {
  const g = doseGuidance(product, "other", false);
  return { ...g, segmentectomyMinGy: null, perfusedTargetGy: null, note: `${g.note}; --target / --limit where given` };
}

/**
 * The safety block of a plan from images, by the rules `plan` applies (src/planning/advisories.ts,
 * EANM 2022): LSF, lung dose (single and cumulative) and, for glass, activity shunted to the lungs;
 * T/N of each tumour VOI; tumour below the target (`--target` on a tumour, else the product's
 * EANM minimum); normal liver over its limit (`--limit` on it, else the product's EANM maximum).
 * The activity is the largest within every constraint, so a limit binds rather than being
 * exceeded: `limitedBy` names it when it lowered the activity below the target's.
 */
function planImagesSafety(p: {
  product: ProductId;
  vois: readonly PlanImagesVoi[];
  lsf: number;
  lungDoseGy: number;
  lungLimitGy: number;
  activityGBq: number;
  constraints: PlanImagesSummary["constraints"];
  binding: PlanImagesSummary["constraints"][number];
  target: DoseSpec | undefined;
  limits: readonly DoseSpec[];
  normal: number;
}): PlanSafety {
  const guidance = planImagesGuidance(p.product);
  const normalVoi = p.vois.find((v) => v.label === p.normal)!;
  const isTumour = (name: string) => p.vois.some((v) => v.name === name && v.role === "tumour");
  const targetGy = p.target && p.target.metric === "mean" && isTumour(p.target.voi) ? p.target.gy : guidance.tumourMinGy;
  // A --limit on the normal liver's mean replaces the product's EANM maximum (held as a constraint); a D-metric limit does not.
  const normalMeanLimit = p.limits.find((l) => l.metric === "mean" && l.voi === normalVoi.name);
  const normalLimit = normalMeanLimit?.gy ?? guidance.normalLiverMaxGy;
  const list = advisories({
    product: p.product,
    method: "partition",
    scenario: "selective",
    lungShuntFraction: p.lsf,
    guidance,
    lsfReductionFactor: 1,
    tumours: p.vois.filter((v) => v.role === "tumour").map((v) => ({ name: v.name, doseGy: v.meanGy, tumourToNormalRatio: v.relativeConcentration })),
    tumourTargetGy: targetGy,
    normalLiverDoseGy: normalVoi.meanGy,
    normalLiverLimitGy: normalLimit,
    perfusedDoseGy: 0,
    lungDoseGy: p.lungDoseGy,
    lungLimitGy: p.lungLimitGy,
    lungCumulativeDoseGy: p.lungDoseGy,
    lungCumulativeLimitGy: LUNG_DOSE_LIMIT_CUMULATIVE_GY,
    lungActivityGBq: p.activityGBq * p.lsf,
  });
  const exceeded = p.constraints.filter((c) => c.kind !== "target" && c.maxActivityGBq < p.activityGBq * (1 - 1e-12)).map((c) => c.spec);
  // The product's EANM normal-liver maximum is not a constraint here unless given with --limit (the
  // activity follows the --target and the --limit list), but a plan over it is not "within every
  // limit": it is named as exceeded, so the terminal says so and --strict exits 3.
  if (list.some((a) => a.code === "NORMAL_LIVER_OVER_LIMIT") && normalMeanLimit === undefined) {
    exceeded.push(`${normalVoi.name}:mean<=${normalLimit} (EANM 2022; not held: give --limit ${normalVoi.name}:mean<=${normalLimit} to hold the activity to it)`);
  }
  const targetConstraint = p.constraints.find((c) => c.kind === "target");
  const limited = targetConstraint !== undefined && p.binding.kind !== "target";
  return {
    withinLimits: exceeded.length === 0,
    plannedActivityGBq: targetConstraint?.maxActivityGBq ?? p.activityGBq,
    activityGBq: p.activityGBq,
    limitedBy: limited ? p.binding.spec : null,
    contraindications: list.filter((a) => a.level === "contraindication").map((a) => a.code),
    exceededLimits: exceeded,
    advisories: list,
  };
}

/**
 * A case for `sirtsim simulate` on this patient (issue 16.5): the liver and tumours as a mask
 * (labels.nii.gz on the CT grid: tumour k → k, the other liver VOIs → 255, lungs and background
 * 0), each tumour's T/N from the MAA counts, the LSF from the images; everything else (product,
 * target, tree, transport, dose) from the base case. The mask keeps the CT's world coordinates.
 */
async function writeCase(output: OutputDir, base: Record<string, unknown>, labels: Grid<Uint16Array>, vois: readonly PlanImagesVoi[], lsf: number): Promise<void> {
  const tumours = vois.filter((v) => v.role === "tumour");
  if (tumours.length > 254) throw new InputError("--write-case", `--write-case: ${tumours.length} tumour VOIs; a case mask holds at most 254`);
  const { mask, tumourMaskLabel } = caseMaskFromVois(labels, vois);
  const caseJson = {
    ...base,
    name: `${String(base.name ?? "case")} on patient images`,
    lungShuntFraction: lsf,
    compartments: undefined,
    geometry: {
      mask: { file: "labels.nii.gz" },
      tumours: tumours.map((t) => ({ name: t.name, maskLabel: tumourMaskLabel.get(t.label)!, tnRatio: Math.min(100, t.relativeConcentration) })),
    },
  };
  await output.commit(async (staged) => {
    await writeNifti(join(staged, "labels.nii.gz"), mask, { description: "sirtsim plan-images case mask" });
    await writeFileAtomic(join(staged, "case.json"), `${JSON.stringify(caseJson, null, 2)}\n`);
  });
}

function formatPlan(s: PlanImagesSummary): string {
  const lines = [
    `plan from ${s.spect} (${s.method}, ${s.nuclide}): LSF ${(100 * s.lungShuntFraction).toFixed(2)} % (${s.lungShuntSource}), lung mass ${s.lungMassKg.toFixed(3)} kg (${s.lungMassSource})`,
    "",
    "VOI              volume mL   mass kg    rel.conc   Gy/GBq   planned Gy",
  ];
  for (const v of s.vois) {
    lines.push([v.name.slice(0, 15).padEnd(15), v.volumeMl.toFixed(1).padStart(10), v.massKg.toFixed(4).padStart(9), v.relativeConcentration.toFixed(3).padStart(10), v.meanGyPerGBq.toFixed(2).padStart(8), v.meanGy.toFixed(1).padStart(11)].join(" "));
  }
  if (s.excludedVois.length > 0) lines.push(`left out (neither liver, tumour nor lung by name): ${s.excludedVois.map((e) => e.name).join(", ")}`);
  lines.push("", ...s.constraints.map((c) => `  ${c.kind.padEnd(7)} ${c.spec.padEnd(24)} allows ≤ ${c.maxActivityGBq.toFixed(4)} GBq`));
  lines.push("", `activity ${s.activityGBq.toFixed(4)} GBq; binding constraint: ${s.binding}${s.targetMet ? " (target met)" : ""}; lung dose ${s.lungDoseGy.toFixed(2)} Gy`);
  lines.push("", `Safety (${s.product.id}${s.product.source === "default" ? ": no --product, the resin rules" : ""}):`, ...formatSafety(s.safety));
  return lines.join("\n");
}

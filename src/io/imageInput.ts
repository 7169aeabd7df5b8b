/**
 * Patient images on the command line: one entry point for "an image" (a NIfTI file, a DICOM
 * folder, or one DICOM file such as a multi-frame NM RECON TOMO) and one for "the VOIs" (a NIfTI
 * label map with a name table, an RTSTRUCT or a SEG), brought onto the grid of the activity image.
 *
 * What the activity values mean is decided here, once, from the header (docs/io.md):
 *   - "bqml":   a quantitative image (PET Units BQML, Bq/mL): the activity at the time the image
 *               is decay-corrected to, brought to the administration (below);
 *   - "counts": counts (NM without Units, PET CNTS, or a NIfTI by default): only the shape is
 *               known, the administered activity sets the scale;
 *   - "suv":    SUVbw (Units GML): Bq/mL = SUV × injected dose [Bq] × decay / weight [g], with the
 *               dose and weight of the header (RadionuclideTotalDose, PatientWeight), else refused.
 *               The dose is decayed from RadiopharmaceuticalStartDateTime to the time the voxels
 *               are decay-corrected to (DecayCorrection START: SeriesDate/Time; NONE: the
 *               acquisition; ADMIN: none), as scanners compute SUV (QIBA FDG-PET profile, SUV
 *               recipe).
 * A permanent implant's dose needs the activity at administration: a Bq/mL (or SUV) image
 * decay-corrected to START or NONE holds the activity at the scan, so it is multiplied by
 * exp(λ·Δt), Δt = reference time − RadiopharmaceuticalStartDateTime (PS3.3 C.8.9.1.1.x Decay
 * Correction; C.8.9.1 Series Date/Time as the reference of START). ADMIN: × 1. Without the
 * injection date and time the image is refused (the caller may rescale to the administered
 * activity instead, which makes the time irrelevant).
 */
import { readFile, stat } from "node:fs/promises";
import { InputError } from "../errors.js";
import type { Grid, GridGeometry } from "../geometry/grid.js";
import { readDicomDataset, readDicomSeries, type DicomReference } from "./dicom.js";
import { readNifti } from "./nifti.js";
import { labelOccupancy, labelShareOutside, resampleGrid, sameGeometry } from "./resample.js";
import { readRtStruct } from "./rtstruct.js";
import { readDicomSeg } from "./seg.js";
import { overlapNeedsWarning, voiRole, type VoiOverlap } from "./voiRole.js";

export type ImageQuantity = "bqml" | "counts" | "suv" | "hu" | "gy";

export interface ImageInput {
  /** The file or folder given. */
  readonly path: string;
  readonly format: "nifti" | "dicom";
  /** Values as read (after rescale), in the image's own frame (NIfTI RAS, DICOM LPS). */
  readonly grid: Grid<Float32Array>;
  /** DICOM only: patient, study, series and frame of reference (for RT Dose and checks). */
  readonly reference?: DicomReference;
  readonly modality: string;
  /** What a voxel value means, from the header (DICOM) or the caller's statement (NIfTI). */
  readonly quantity: ImageQuantity;
  /** DICOM Units / DoseUnits / "HU" as written ("" when absent). */
  readonly units: string;
  /** RadionuclideTotalDose (Bq) and PatientWeight (kg) from the header, where present. */
  readonly injectedDoseBq?: number;
  readonly patientWeightKg?: number;
  /**
   * DICOM emission images (Bq/mL, SUV): the time between the injection and the time the voxels
   * are decay-corrected to (DecayCorrection), or the tag that is missing to know it.
   */
  readonly timing?: ImageTiming;
}

/** How a DICOM emission image's activity relates to the administration (DecayCorrection). */
export type ImageTiming =
  | { readonly decayCorrection: "ADMIN"; readonly halfLifeS?: number }
  | {
      readonly decayCorrection: "START" | "NONE";
      /** The reference time minus RadiopharmaceuticalStartDateTime, s. */
      readonly elapsedS: number;
      /** RadionuclideHalfLife, s (undefined when the header lacks it: the caller's nuclide). */
      readonly halfLifeS?: number;
      /** NONE: ActualFrameDuration, s (the voxels are the mean over the frame), if given. */
      readonly frameDurationS?: number;
      /** Which tags gave the reference time, for the report. */
      readonly reference: string;
    }
  | { readonly decayCorrection: "START" | "NONE"; readonly missing: string; readonly halfLifeS?: number };

export interface ReadImageOptions {
  /** Pick this series when a DICOM folder holds several. */
  readonly seriesInstanceUID?: string;
  /** What a NIfTI voxel value means (a NIfTI has no unit field for activity); default "counts". */
  readonly niftiQuantity?: ImageQuantity;
  /** The option or argument the path came from, for error messages (e.g. "--ct"). */
  readonly field?: string;
}

/** What a VOI is, from its name: src/io/voiRole.ts (re-exported for the commands). */
export { voiRole } from "./voiRole.js";

export function isNiftiPath(path: string): boolean {
  return /\.nii(\.gz)?$/i.test(path);
}

/** Read an image: a NIfTI file, a DICOM folder (one series) or one DICOM file. */
export async function readImageInput(path: string, options: ReadImageOptions = {}): Promise<ImageInput> {
  const field = options.field ?? path;
  let isDir = false;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (err) {
    throw new InputError(field, `${field}: cannot read ${path}: ${(err as Error).message}`);
  }
  if (!isDir && isNiftiPath(path)) {
    const grid = await readNifti(path, { kind: "activity" });
    const quantity = options.niftiQuantity ?? "counts";
    return { path, format: "nifti", grid, modality: "", quantity, units: "" };
  }
  let series;
  try {
    series = await readDicomSeries(path, options.seriesInstanceUID ? { seriesInstanceUID: options.seriesInstanceUID } : {});
  } catch (err) {
    // A folder with several series: say how to choose on the command line.
    if (err instanceof InputError && / series found, choose one/.test(err.message)) {
      throw new InputError(field, `${field}: ${err.message.replace("choose one with seriesInstanceUID", "choose one with --series UID")}`);
    }
    throw err;
  }
  const header = await firstDatasetOf(path, series.reference.seriesInstanceUID);
  const radiopharmaceutical = Array.isArray(header?.RadiopharmaceuticalInformationSequence) ? header.RadiopharmaceuticalInformationSequence[0] : undefined;
  const injectedDoseBq = Number(radiopharmaceutical?.RadionuclideTotalDose);
  const patientWeightKg = Number(header?.PatientWeight);
  const quantity = quantityOf(series.modality, series.units);
  return {
    path,
    format: "dicom",
    grid: series.grid,
    reference: series.reference,
    modality: series.modality,
    quantity,
    units: series.units,
    ...(injectedDoseBq > 0 ? { injectedDoseBq } : {}),
    ...(patientWeightKg > 0 ? { patientWeightKg } : {}),
    ...(quantity === "suv" || quantity === "bqml" ? { timing: timingOf(header, radiopharmaceutical) } : {}),
  };
}

/** Seconds since 1970 of a DICOM DA (YYYYMMDD) + TM (HHMMSS.FFFFFF, or legacy HH:MM:SS); NaN if malformed. */
function dicomSeconds(date: string, time: string): number {
  const d = /^(\d{4})(\d{2})(\d{2})$/.exec(date.trim());
  const t = /^(\d{2})(\d{2})?(\d{2}(?:\.\d+)?)?$/.exec(time.trim().replace(/:/g, ""));
  if (!d || !t) return Number.NaN;
  return Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3])) / 1000 + Number(t[1]) * 3600 + Number(t[2] ?? 0) * 60 + Number(t[3] ?? 0);
}

/**
 * The time from the injection (RadiopharmaceuticalStartDateTime) to the time the voxels are
 * decay-corrected to (PS3.3 C.8.9.1.1.x DecayCorrection): ADMIN → none needed; START → SeriesDate
 * and SeriesTime (C.8.9.1: the reference of all temporally related PET attributes); NONE → the
 * acquisition (AcquisitionDateTime, else AcquisitionDate/Time, else SeriesDate/Time). Only the
 * full RadiopharmaceuticalStartDateTime is taken: a RadiopharmaceuticalStartTime alone has no
 * date, and a Y-90 PET is often acquired the day after the implant.
 */
function timingOf(header: Record<string, any> | undefined, rp: Record<string, any> | undefined): ImageTiming {
  const correction = String(header?.DecayCorrection ?? "START").trim().toUpperCase();
  // RadionuclideHalfLife, s, whatever the correction: it also tells which nuclide the image holds.
  const headerHalfLifeS = Number(rp?.RadionuclideHalfLife);
  const hl = headerHalfLifeS > 0 ? { halfLifeS: headerHalfLifeS } : {};
  if (correction === "ADMIN") return { decayCorrection: "ADMIN", ...hl };
  const decayCorrection = correction === "NONE" ? "NONE" : "START";
  const startDateTime = String(rp?.RadiopharmaceuticalStartDateTime ?? "").trim();
  const startS = startDateTime.length >= 12 ? dicomSeconds(startDateTime.slice(0, 8), startDateTime.slice(8).replace(/[+-]\d{4}$/, "")) : Number.NaN;
  const startTag = "RadiopharmaceuticalInformationSequence.RadiopharmaceuticalStartDateTime";
  if (!Number.isFinite(startS)) {
    const onlyTime = rp?.RadiopharmaceuticalStartTime !== undefined && String(rp.RadiopharmaceuticalStartTime).trim() !== "";
    return { decayCorrection, missing: `${startTag}${onlyTime ? " (only RadiopharmaceuticalStartTime, whose date is not known)" : ""}`, ...hl };
  }
  let refS = Number.NaN;
  let reference = "";
  if (decayCorrection === "NONE") {
    const adt = String(header?.AcquisitionDateTime ?? "").trim();
    if (adt.length >= 12) [refS, reference] = [dicomSeconds(adt.slice(0, 8), adt.slice(8).replace(/[+-]\d{4}$/, "")), "AcquisitionDateTime"];
    if (!Number.isFinite(refS)) [refS, reference] = [dicomSeconds(String(header?.AcquisitionDate ?? ""), String(header?.AcquisitionTime ?? "")), "AcquisitionDate/AcquisitionTime"];
  }
  if (!Number.isFinite(refS)) [refS, reference] = [dicomSeconds(String(header?.SeriesDate ?? ""), String(header?.SeriesTime ?? "")), "SeriesDate/SeriesTime"];
  if (!Number.isFinite(refS)) return { decayCorrection, missing: !header?.SeriesDate ? "SeriesDate" : "SeriesTime", ...hl };
  const elapsedS = refS - startS;
  if (!(elapsedS >= 0)) return { decayCorrection, missing: `a ${startTag} before ${reference} (the image is ${(-elapsedS / 3600).toFixed(2)} h before the injection)`, ...hl };
  const halfLifeS = headerHalfLifeS;
  const frameDurationS = Number(header?.ActualFrameDuration) / 1000; // ms (PS3.3 C.8.9.4.1.5)
  return { decayCorrection, elapsedS, reference, ...(halfLifeS > 0 ? { halfLifeS } : {}), ...(decayCorrection === "NONE" && frameDurationS > 0 ? { frameDurationS } : {}) };
}

/** The factor that brings an image's activity to the administration, and what it is. */
export interface DecayToAdministration {
  readonly decayCorrection: "ADMIN" | "START" | "NONE" | "none-stated";
  /** Multiply the image's Bq/mL by this (≥ 1). */
  readonly factor: number;
  /** Injection → reference time, h (null for ADMIN / no header). */
  readonly elapsedH: number | null;
  readonly halfLifeH: number | null;
  readonly note: string;
}

/**
 * The factor from the image's activity to the activity at administration: exp(λ·Δt) for START,
 * and for NONE also λT / (1 − exp(−λT)) when the frame duration T is known (the voxels are the
 * mean over the frame). `fallbackHalfLifeS`: the nuclide's, when the header lacks
 * RadionuclideHalfLife. InputError naming the tag when the injection time is unknown.
 */
export function decayToAdministration(image: ImageInput, field: string, fallbackHalfLifeS?: number): DecayToAdministration {
  const t = image.timing;
  if (!t) return { decayCorrection: "none-stated", factor: 1, elapsedH: null, halfLifeH: null, note: `${image.path}: no DecayCorrection (${image.format === "nifti" ? "NIfTI" : image.quantity}): the activity is taken as at the administration` };
  if (t.decayCorrection === "ADMIN") return { decayCorrection: "ADMIN", factor: 1, elapsedH: null, halfLifeH: null, note: `${image.path}: DecayCorrection ADMIN: the activity is at the administration (× 1)` };
  if ("missing" in t) {
    throw new InputError(field, `${field}: ${image.path} is decay-corrected to ${t.decayCorrection === "START" ? "the scan (DecayCorrection START)" : "nothing (DecayCorrection NONE)"} but its header lacks ${t.missing}, so the activity cannot be brought back to the administration; give --rescale-to-administered with --administered-gbq`);
  }
  const halfLifeS = t.halfLifeS ?? fallbackHalfLifeS;
  if (!(halfLifeS! > 0)) throw new InputError(field, `${field}: ${image.path} lacks RadiopharmaceuticalInformationSequence.RadionuclideHalfLife, so the activity cannot be brought back to the administration`);
  const lambda = Math.LN2 / halfLifeS!;
  const lt = t.frameDurationS ? lambda * t.frameDurationS : 0;
  const frame = lt > 0 ? lt / -Math.expm1(-lt) : 1;
  const factor = Math.exp(lambda * t.elapsedS) * frame;
  const hl = t.halfLifeS ? `RadionuclideHalfLife ${(halfLifeS! / 3600).toFixed(2)} h` : `T½ ${(halfLifeS! / 3600).toFixed(2)} h of the nuclide (no RadionuclideHalfLife)`;
  return {
    decayCorrection: t.decayCorrection,
    factor,
    elapsedH: t.elapsedS / 3600,
    halfLifeH: halfLifeS! / 3600,
    note: `${image.path}: DecayCorrection ${t.decayCorrection}: activity at ${t.reference}, ${(t.elapsedS / 3600).toFixed(3)} h after RadiopharmaceuticalStartDateTime, ${hl}: × ${factor.toPrecision(6)} to the administration${frame !== 1 ? ` (× ${frame.toPrecision(6)} of it for the ${t.frameDurationS} s frame)` : ""}`,
  };
}

/** The meaning of a DICOM image's values from Modality and Units (PS3.3 C.8.9.1.1.3). */
function quantityOf(modality: string, units: string): ImageQuantity {
  if (modality === "CT") return "hu";
  if (modality === "RTDOSE") return "gy";
  const u = units.toUpperCase();
  if (u === "BQML") return "bqml";
  if (u === "GML") return "suv";
  return "counts";
}

/** The dataset of the first file of `seriesUID` in a folder (or the file itself). */
async function firstDatasetOf(path: string, seriesUID: string | undefined): Promise<Record<string, any> | undefined> {
  const { readdir } = await import("node:fs/promises");
  const { join } = await import("node:path");
  const info = await stat(path);
  const files = info.isDirectory() ? (await readdir(path)).sort().map((n) => join(path, n)) : [path];
  for (const file of files) {
    const bytes = await readFile(file);
    if (bytes.length < 132 || bytes.toString("latin1", 128, 132) !== "DICM") continue;
    const { ds } = await readDicomDataset(file);
    if (!seriesUID || String(ds.SeriesInstanceUID ?? "") === seriesUID) return ds;
  }
  return undefined;
}

export interface ActivityConcentration {
  /** Bq/mL at administration where the image is quantitative (bqml or converted suv); the raw values for counts. */
  readonly grid: Grid<Float32Array>;
  /** True when the values are absolute Bq/mL. */
  readonly absolute: boolean;
  /** Quantitative images: the decay factor applied to reach the administration (null for counts or when rescaled). */
  readonly decay: DecayToAdministration | null;
  readonly notes: readonly string[];
}

/** Relative difference of the header's half-life from the stated nuclide's beyond which they are different nuclides (Y-90 64.1 h, Ho-166 26.8 h). */
export const NUCLIDE_HALF_LIFE_TOLERANCE = 0.02;

export interface ActivityConcentrationOptions {
  /** The image will be rescaled to the administered activity: its time does not matter (no decay, no refusal). */
  readonly rescaleToAdministered?: boolean;
  /** Half-life (s) of the nuclide the caller states, used when the header lacks RadionuclideHalfLife. */
  readonly halfLifeS?: number;
}

/**
 * The activity concentration of an emission image at the administration: Bq/mL for BQML, SUV
 * converted with the header's injected dose and weight (refused without them), each brought from
 * the time it is decay-corrected to back to the administration (decayToAdministration); raw
 * counts otherwise.
 */
export function activityConcentration(image: ImageInput, field: string, options: ActivityConcentrationOptions = {}): ActivityConcentration {
  if (image.quantity === "counts") return { grid: image.grid, absolute: false, decay: null, notes: [`${image.path}: counts (relative): scaled to the administered activity`] };
  if (image.quantity !== "bqml" && image.quantity !== "suv") throw new InputError(field, `${field}: ${image.path} is ${image.modality} (${image.quantity}), not an emission image (SPECT/PET)`);
  // Taken as it stands (not rescaled), the image's activity is the dose's: its radionuclide must be
  // the one the dose is computed for (a Y-90 PET with --nuclide Ho-166 gave a third of the dose).
  // A rescaled image is a surrogate (a quantitative Tc-99m MAA SPECT): its nuclide does not matter.
  const headerHalfLifeS = image.timing && "halfLifeS" in image.timing ? image.timing.halfLifeS : undefined;
  if (!options.rescaleToAdministered && headerHalfLifeS !== undefined && options.halfLifeS !== undefined && Math.abs(headerHalfLifeS / options.halfLifeS - 1) > NUCLIDE_HALF_LIFE_TOLERANCE) {
    throw new InputError(
      "--nuclide",
      `--nuclide: ${image.path}'s RadionuclideHalfLife is ${(headerHalfLifeS / 3600).toFixed(2)} h, not the ${(options.halfLifeS / 3600).toFixed(2)} h of the nuclide the dose is computed for; give the image's nuclide with --nuclide (or --rescale-to-administered for a surrogate image such as Tc-99m MAA)`,
    );
  }
  const decay = options.rescaleToAdministered ? null : decayToAdministration(image, field, options.halfLifeS);
  const toAdmin = decay?.factor ?? 1;
  const notes: string[] = [];
  let k: number;
  if (image.quantity === "bqml") {
    k = toAdmin;
    notes.push(`${image.path}: Bq/mL (Units ${image.units || "stated"})`);
  } else {
    if (!(image.injectedDoseBq && image.patientWeightKg)) {
      throw new InputError(field, `${field}: ${image.path} is in SUV but its header lacks ${!image.injectedDoseBq ? "RadiopharmaceuticalInformationSequence.RadionuclideTotalDose" : "PatientWeight"}, so it cannot be converted to Bq/mL`);
    }
    // SUVbw = C(t_ref) [Bq/mL] / (injected dose decayed to t_ref [Bq] / body weight [g]) (PS3.3
    // C.8.9.1.1.3, Units GML): C(t_ref) = SUV × D × exp(−λΔt) / W; at the administration × exp(λΔt).
    const doseDecay = decay?.elapsedH ? Math.exp((-Math.LN2 * decay.elapsedH) / decay.halfLifeH!) : 1;
    k = ((image.injectedDoseBq * doseDecay) / (image.patientWeightKg * 1000)) * toAdmin;
    notes.push(`${image.path}: SUVbw × ${image.injectedDoseBq} Bq × ${doseDecay.toPrecision(6)} / ${image.patientWeightKg * 1000} g → Bq/mL at the reference time`);
  }
  if (decay) notes.push(decay.note);
  if (k === 1) return { grid: image.grid, absolute: true, decay, notes };
  const data = new Float32Array(image.grid.data.length);
  for (let n = 0; n < data.length; n++) data[n] = image.grid.data[n] * k;
  return { grid: { ...image.grid, data }, absolute: true, decay, notes };
}

export interface LabelInput {
  /** Label map on the target grid (0 = background). */
  readonly labels: Grid<Uint16Array>;
  /** Label value → name (from the file, the name table, or the number itself). */
  readonly names: Readonly<Record<number, string>>;
  /** How the labels were brought onto the target grid. */
  readonly resampled: boolean;
  readonly source: "nifti" | "rtstruct" | "seg";
  /** When resampled: the fraction (0..1) of each target voxel inside each label (labelOccupancy). */
  readonly occupancy?: ReadonlyMap<number, Float32Array>;
  /** Labels partly outside the target grid: label → share (0..1) of its voxels outside (labelShareOutside). */
  readonly clipped?: ReadonlyMap<number, number>;
  /** RTSTRUCT/SEG: structures sharing voxels on the grid they were drawn on (voiRole.ts paintOrder). */
  readonly overlaps?: readonly VoiOverlap[];
  /** What the caller should print as warnings (stderr): two tumours overlapping, a VOI of unknown role left empty. */
  readonly warnings: readonly string[];
}

export interface ReadLabelsOptions {
  /** The grid of the activity image: labels end up on it. */
  readonly target: GridGeometry;
  /** The target image's frame of reference (DICOM): structures on another are refused. */
  readonly frameOfReferenceUID?: string;
  /** The grid the structures were drawn on (the CT): RTSTRUCT is rasterised on it, SEG read on it. */
  readonly drawnOn?: GridGeometry;
  /** SeriesInstanceUID of `drawnOn` (a DICOM CT): a SEG/RTSTRUCT that references other series is refused. */
  readonly drawnOnSeriesUID?: string;
  /** A name table for a NIfTI label map (JSON {"1": "liver"} or lines "1 liver …"). */
  readonly namesPath?: string;
  readonly field?: string;
  /** The option or case field the name table came from, for messages (default "--label-names"). */
  readonly namesField?: string;
}

/**
 * How VOIs relate to an image and its CT: one frame of reference (the CT on another → InputError
 * naming both UIDs), the CT's grid and series as the ones the structures were drawn on, and the
 * name table. `readLabelsInput(path, { target, ...labelContext(…) })`.
 */
export function labelContext(image: ImageInput, ct: ImageInput | undefined, namesPath?: string): Omit<ReadLabelsOptions, "target"> & { frameOfReferenceUID?: string } {
  if (ct?.reference && image.reference && ct.reference.frameOfReferenceUID !== image.reference.frameOfReferenceUID) {
    throw new InputError("--ct", `--ct: ${ct.path} is on frame of reference ${ct.reference.frameOfReferenceUID}, ${image.path} on ${image.reference.frameOfReferenceUID}; register them first`);
  }
  const frameOfReferenceUID = image.reference?.frameOfReferenceUID ?? ct?.reference?.frameOfReferenceUID;
  return {
    ...(frameOfReferenceUID ? { frameOfReferenceUID } : {}),
    ...(ct ? { drawnOn: ct.grid } : {}),
    ...(ct?.reference?.seriesInstanceUID ? { drawnOnSeriesUID: ct.reference.seriesInstanceUID } : {}),
    ...(namesPath ? { namesPath } : {}),
  };
}

/**
 * Read VOIs from a NIfTI label map, an RTSTRUCT or a SEG and bring them onto `target` by nearest
 * neighbour (labels are categories). RTSTRUCT contours are rasterised on the grid they were drawn
 * on (`drawnOn`, the CT), else on the target.
 */
export async function readLabelsInput(path: string, options: ReadLabelsOptions): Promise<LabelInput> {
  const field = options.field ?? "--labels";
  if (isNiftiPath(path)) {
    const grid = await readNifti(path, { kind: "labels" });
    const names = await readNameTable(options.namesPath ?? siblingNameTable(path), options.namesPath !== undefined, field, options.namesField);
    const present = [...new Set(grid.data)].filter((l) => l !== 0).sort((a, b) => a - b);
    const allNames: Record<number, string> = {};
    for (const l of present) allNames[l] = names[l] ?? String(l);
    return onTarget(grid, allNames, options.target, path, "nifti", field);
  }
  const { ds } = await readDicomDataset(path);
  const modality = String(ds.Modality ?? "");
  const frame = options.frameOfReferenceUID ? { frameOfReferenceUID: options.frameOfReferenceUID } : {};
  if (options.drawnOnSeriesUID && (modality === "RTSTRUCT" || modality === "SEG")) checkReferencedSeries(path, ds, modality, options.drawnOnSeriesUID, field);
  if (modality === "RTSTRUCT" || modality === "SEG") {
    const masks = modality === "RTSTRUCT" ? await readRtStruct(path, options.drawnOn ?? options.target, frame) : await readDicomSeg(path, options.drawnOn ?? options.target, frame);
    const painted = "rois" in masks ? masks.rois : masks.segments;
    const { names, warnings } = checkPainted(painted, masks.overlaps, path, field);
    const input = onTarget(masks.labels, names, options.target, path, modality === "RTSTRUCT" ? "rtstruct" : "seg", field);
    return { ...input, overlaps: masks.overlaps, warnings: [...warnings, ...input.warnings] };
  }
  throw new InputError(field, `${field}: ${path} is a DICOM ${modality || "file"}, not an RTSTRUCT or SEG (Modality)`);
}

/**
 * The structures of an RTSTRUCT/SEG once painted (tumours over the liver over the lungs, voiRole.ts):
 *  - a tumour, lung or liver structure with no voxel left (entirely inside a structure of higher
 *    precedence, or with no contour on the grid) is refused, naming it: planning with it would
 *    give a VOI of zero volume ("allows ≤ Infinity GBq") with exit 0;
 *  - a structure of unknown role left empty is dropped with a warning;
 *  - two tumours sharing voxels, or a lung and the liver: a warning naming both (the shared
 *    voxels count for the one that takes precedence, between tumours the later in the file).
 * Returns the names of the structures that keep voxels and the warnings.
 */
function checkPainted(painted: ReadonlyArray<{ label: number; name: string; voxels: number; drawnVoxels: number }>, overlaps: readonly VoiOverlap[], path: string, field: string): { names: Record<number, string>; warnings: string[] } {
  const names: Record<number, string> = {};
  const warnings: string[] = [];
  for (const p of painted) {
    if (p.voxels > 0) {
      names[p.label] = p.name;
      continue;
    }
    const coveredBy = [...new Set(overlaps.filter((o) => o.lost === p.name).map((o) => o.kept))];
    const why = p.drawnVoxels > 0 ? `lies entirely inside ${coveredBy.map((n) => JSON.stringify(n)).join(", ")}, which take${coveredBy.length > 1 ? "" : "s"} precedence (tumours over the liver over the lungs)` : "has no voxel on the grid it was drawn on (no contour inside it)";
    // Left out with a warning: a structure of unknown role, an empty one (template ROIs that were
    // never contoured are routine in clinical RTSTRUCTs), and one nested in a structure of its
    // own role (a tumour's viable part inside the tumour). A target or limit naming it is refused
    // by plan-images. Refused: a liver or lung lost entirely under a structure of another role.
    const nested = p.drawnVoxels > 0 && coveredBy.length > 0 && coveredBy.every((n) => voiRole(n) === voiRole(p.name));
    if (voiRole(p.name) === "other" || p.drawnVoxels === 0 || nested) {
      warnings.push(`${field} ${path}: structure ${JSON.stringify(p.name)} ${why}; it is left out`);
      continue;
    }
    throw new InputError(field, `${field} ${path}: structure ${JSON.stringify(p.name)} (${voiRole(p.name)}) ${why}: it would be a VOI of zero volume`);
  }
  for (const o of overlaps) {
    if (overlapNeedsWarning(o.kept, o.lost)) {
      warnings.push(`${field} ${path}: structures ${JSON.stringify(o.lost)} and ${JSON.stringify(o.kept)} overlap in ${o.voxels} voxel(s); the shared voxels count for ${JSON.stringify(o.kept)} only (${voiRole(o.kept) === voiRole(o.lost) ? "the later in the file" : "tumours over the liver over the lungs"})`);
    }
  }
  return { names, warnings };
}

/**
 * A SEG names the series it segments in ReferencedSeriesSequence (PS3.3 C.8.20.2 / C.7.6.16), an
 * RTSTRUCT in ReferencedFrameOfReferenceSequence > RTReferencedStudySequence >
 * RTReferencedSeriesSequence (C.8.8.5): when that is not the CT given, the VOIs were drawn on
 * another image (another scan, or a resampled copy) and are refused. Files that name no series
 * are accepted (the frame-of-reference check still applies).
 */
function checkReferencedSeries(path: string, ds: Record<string, any>, modality: string, seriesUID: string, field: string): void {
  const list = (v: unknown): any[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
  let tag: string;
  let uids: string[];
  if (modality === "SEG") {
    tag = "ReferencedSeriesSequence.SeriesInstanceUID";
    uids = list(ds.ReferencedSeriesSequence).map((s) => String(s.SeriesInstanceUID ?? ""));
  } else {
    tag = "ReferencedFrameOfReferenceSequence.RTReferencedStudySequence.RTReferencedSeriesSequence.SeriesInstanceUID";
    uids = list(ds.ReferencedFrameOfReferenceSequence)
      .flatMap((f) => list(f.RTReferencedStudySequence))
      .flatMap((st) => list(st.RTReferencedSeriesSequence))
      .map((s) => String(s.SeriesInstanceUID ?? ""));
  }
  uids = uids.filter(Boolean);
  if (uids.length > 0 && !uids.includes(seriesUID)) {
    throw new InputError(field, `${field}: ${path}: ${tag} is ${uids.join(", ")}, not the CT's series ${seriesUID}: the ${modality} was made on another image`);
  }
}

/**
 * Labels on the activity grid. A VOI of the label map that covers no part of any activity voxel
 * (it lies outside the activity's field of view, e.g. a label map placed 100 mm off) is refused:
 * dropping it would report the other VOIs with exit 0 as if it had never been asked for.
 */
function onTarget(grid: Grid<Uint16Array>, names: Readonly<Record<number, string>>, target: GridGeometry, path: string, source: LabelInput["source"], field: string): LabelInput {
  if (sameGeometry(grid, target)) return { labels: { ...grid, frame: target.frame, originMm: [...target.originMm], direction: [...target.direction] } as Grid<Uint16Array>, names, resampled: false, source, warnings: [] };
  const present = [...new Set(grid.data)].filter((l) => l !== 0).sort((a, b) => a - b);
  const labels = resampleGrid(grid, target, { method: "nearest", name: path });
  const occupancy = labelOccupancy(grid, target, present);
  const lost = present.filter((l) => !occupancy.get(l)!.some((f) => f > 0) && !labels.data.includes(l));
  if (lost.length > 0 && lost.length < present.length) {
    const text = lost.map((l) => (names[l] !== undefined && names[l] !== String(l) ? `${l} (${names[l]})` : String(l))).join(", ");
    throw new InputError(field, `${field} ${path}: label${lost.length > 1 ? "s" : ""} ${text} ${lost.length > 1 ? "lie" : "lies"} outside the activity's grid (no activity voxel overlaps ${lost.length > 1 ? "them" : "it"}): the label map is misplaced or the image does not cover the VOI`);
  }
  // A VOI partly outside the activity's field of view (lungs cut by a SPECT field) is kept, clipped;
  // the share clipped is returned so the caller can say so (issue 19).
  const clipped = labelShareOutside(grid, target);
  return { labels, names, resampled: true, source, occupancy, ...(clipped.size > 0 ? { clipped } : {}), warnings: [] };
}

/** `labels.nii.gz` → `labels.json` (the name table written next to it), if any. */
function siblingNameTable(path: string): string {
  return path.replace(/\.nii(\.gz)?$/i, ".json");
}

/**
 * A label name table: JSON ({"1": "liver"} or [{ "label": 1, "name": "liver" }]) or text lines
 * "1 liver …" / "1,liver" (3D Slicer colour tables, ITK-SNAP label descriptions with the name
 * quoted). `required` = given by the user (a missing file is an error); else optional.
 */
export async function readNameTable(path: string, required: boolean, field: string, namesField = "--label-names"): Promise<Record<number, string>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if (!required) return {};
    throw new InputError(namesField, `${namesField}: cannot read ${path}: ${(err as Error).message}`);
  }
  const names: Record<number, string> = {};
  const trimmed = text.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch (err) {
      throw new InputError(field, `${path}: not valid JSON (${(err as Error).message})`);
    }
    const entries: Array<[unknown, unknown]> = Array.isArray(doc)
      ? doc.map((e: any) => [e?.label ?? e?.value, e?.name])
      : Object.entries(doc as Record<string, unknown>);
    for (const [k, v] of entries) {
      const label = Number(k);
      if (!Number.isInteger(label) || label < 1 || label > 65535 || typeof v !== "string") {
        throw new InputError(field, `${path}: entry ${JSON.stringify(k)} → ${JSON.stringify(v)}: expected an integer label 1..65535 and a name`);
      }
      names[label] = v;
    }
    return names;
  }
  for (const line of text.split(/\r?\n/)) {
    const l = line.trim();
    if (!l || l.startsWith("#")) continue;
    // A quoted name anywhere on the line (ITK-SNAP), else the second token (3D Slicer).
    const m = /^(\d+)[\s,]+(\S+)/.exec(l);
    if (!m) continue;
    const quoted = /"([^"]*)"/.exec(l);
    const label = Number(m[1]);
    if (label >= 1 && label <= 65535) names[label] = quoted ? quoted[1] : m[2];
  }
  return names;
}

/**
 * A case on patient images (issue 16.5): `geometry.images` names the CT, the VOIs (a NIfTI label
 * map with its name table, an RTSTRUCT or a SEG) and optionally the Tc-99m MAA SPECT, and this
 * module turns them into the mask geometry every command already runs on:
 *
 *   - the liver and tumours become a label mask on the CT's grid (the grid the VOIs were drawn on):
 *     tumour k → k, the normal liver and other liver VOIs → 255, lungs and background → 0 (the
 *     mask convention of `geometry.mask`, src/vascular/config.ts);
 *   - each tumour's T/N is its MAA counts per volume over the normal liver's (src/io/voiCounts.ts,
 *     the computation `plan-images` and `dose --lsf image` use), or the case's `tnRatio` by name
 *     when there is no MAA;
 *   - the lung shunt fraction is the case's `lungShuntFraction` when stated (e.g. from planar
 *     images), else the MAA's lung VOI counts over lung + liver counts;
 *   - the DICOM reference (patient, study, FrameOfReferenceUID, series) of the CT (else of the
 *     MAA) is kept, so the dose is also written as RT Dose on the patient's frame.
 *
 * Paths are relative to the case file's folder, as `geometry.mask.file` is. Everything is read and
 * checked here, before the tree is grown; errors name the case field (`geometry.images.labels`).
 */
import { dirname, join, resolve } from "node:path";
import { InputError } from "../errors.js";
import { voxelVolumeMl, type Grid, type GridData, type GridGeometry } from "../geometry/grid.js";
import { orientLike } from "../io/frame.js";
import { sectionInputError } from "../sectionError.js";
import { caseImagesSchema } from "../vascular/config.js";
import type { DicomReference } from "../io/dicom.js";
import { isNiftiPath, labelContext, readImageInput, readLabelsInput, voiRole, type ImageInput, type LabelInput } from "../io/imageInput.js";
import { readNifti } from "../io/nifti.js";
import { writeRtDose } from "../io/rtdose.js";
import { countsPerVoi, lungShuntFromCounts, relativeConcentrations } from "../io/voiCounts.js";
import { unrecognisedVoiWarning } from "../io/voiRole.js";

export type CaseImagesSection = NonNullable<ReturnType<typeof caseImagesSchema.parse>>;

/** What the images gave the case, for summary.json (`patientImages`) and the terminal. */
export interface PatientImagesReport {
  readonly ct: string | null;
  readonly labels: string;
  readonly labelsSource: LabelInput["source"];
  readonly maa: string | null;
  readonly tumours: ReadonlyArray<{ readonly name: string; readonly maskLabel: number; readonly volumeMl: number; readonly tnRatio: number; readonly tnSource: "maa" | "case" }>;
  readonly normalLiverVolumeMl: number;
  /** The MAA's lung VOI counts over lung + liver counts (null without an MAA or a lung VOI). */
  readonly lungShuntFromMaa: number | null;
  /** Where the case's lungShuntFraction came from: stated in the case, or the MAA. */
  readonly lungShuntSource: "maa" | "case";
  /** FrameOfReferenceUID of the DICOM series the RT Dose is written on; null: no DICOM, no rtdose.dcm. */
  readonly frameOfReferenceUID: string | null;
  readonly notes: readonly string[];
}

export interface PatientImages {
  /** The case JSON with `geometry.images` replaced by the mask geometry (and the LSF from the MAA). */
  readonly apply: (json: Readonly<Record<string, unknown>>) => Record<string, unknown>;
  /** The liver/tumour mask on the CT grid (the `geometry.mask` image). */
  readonly mask: Grid<Uint8Array>;
  /** The DICOM series the dose is registered to (CT, else MAA), when the images are DICOM. */
  readonly reference?: DicomReference;
  /** Geometry of that series: the RT Dose is written along its axes. */
  readonly referenceGrid?: GridGeometry;
  readonly report: PatientImagesReport;
}

/** Role of each VOI by name (src/io/imageInput.ts voiRole). */
type Role = ReturnType<typeof voiRole>;

/**
 * The case mask of a set of VOIs: tumour VOIs → 1, 2, … in label order, the normal-liver VOIs →
 * 255; lungs, VOIs of unknown role (BODY, …: src/io/voiRole.ts) and background → 0. Shared by
 * `plan-images --write-case`.
 */
export function caseMaskFromVois(labels: Grid<Uint16Array>, vois: ReadonlyArray<{ readonly label: number; readonly role: Role }>): { mask: Grid<Uint8Array>; tumourMaskLabel: Map<number, number> } {
  const tumours = vois.filter((v) => v.role === "tumour");
  if (tumours.length > 254) throw new InputError("labels", `${tumours.length} tumour VOIs; a case mask holds at most 254`);
  const tumourMaskLabel = new Map<number, number>();
  tumours.forEach((t, i) => tumourMaskLabel.set(t.label, i + 1));
  const maskLabel = new Map<number, number>(tumourMaskLabel);
  for (const v of vois) if (v.role === "normal") maskLabel.set(v.label, 255);
  const data = new Uint8Array(labels.data.length);
  for (let n = 0; n < data.length; n++) data[n] = maskLabel.get(labels.data[n]) ?? 0;
  return { mask: { ...labels, data }, tumourMaskLabel };
}

/** True when the case names patient images (`geometry.images`). */
export function hasCaseImages(json: Readonly<Record<string, unknown>>): boolean {
  const g = json.geometry;
  return g !== null && typeof g === "object" && !Array.isArray(g) && (g as Record<string, unknown>).images !== undefined;
}

/** Read and check the case's `geometry.images` (undefined when it has none). */
export async function readCaseImages(json: Readonly<Record<string, unknown>>, casePath: string): Promise<PatientImages | undefined> {
  if (!hasCaseImages(json)) return undefined;
  const geometry = json.geometry as Record<string, unknown>;
  const parsed = caseImagesSchema.safeParse(geometry.images, { reportInput: true });
  if (!parsed.success) throw sectionInputError("geometry.images", parsed.error);
  const section = parsed.data;
  for (const other of ["mask", "liver"] as const) {
    if (geometry[other] !== undefined) throw new InputError(`geometry.${other}`, `geometry.${other}: the liver comes from geometry.images.labels; give geometry.images or geometry.${other}, not both`);
  }
  const stated = parseStatedTumours(geometry.tumours, section.maa !== undefined);
  const at = (p: string) => resolve(dirname(casePath), p);

  const ct = section.ct ? await readImageInput(at(section.ct), { field: "geometry.images.ct", niftiQuantity: "hu" }) : undefined;
  if (ct && ct.quantity !== "hu") throw new InputError("geometry.images.ct", `geometry.images.ct: ${section.ct} is ${ct.modality} (${ct.quantity}), not a CT`);
  const maa = section.maa ? await readImageInput(at(section.maa), { field: "geometry.images.maa" }) : undefined;
  if (maa && maa.quantity !== "counts" && maa.quantity !== "bqml") throw new InputError("geometry.images.maa", `geometry.images.maa: ${section.maa} is ${maa.modality} (${maa.quantity}), not an emission image (SPECT)`);
  const labelsPath = at(section.labels);
  // The grid of the mask: the CT's (where the VOIs were drawn), else a NIfTI label map's own.
  let maskGrid: Grid<GridData>;
  if (ct) maskGrid = ct.grid;
  else if (isNiftiPath(labelsPath)) maskGrid = await readNifti(labelsPath, { kind: "labels" });
  else throw new InputError("geometry.images.ct", `geometry.images.ct: ${section.labels} is a DICOM structure file; give the CT it was drawn on`);
  const context = contextOf(maa ?? ct, ct, section.labelNames ? at(section.labelNames) : undefined);
  const labelFields = { field: "geometry.images.labels", namesField: "geometry.images.labelNames" };
  const onMask = await readLabelsInput(labelsPath, { target: maskGrid, ...context, ...labelFields });
  const names = onMask.names;
  const vois = Object.keys(names).map(Number).sort((a, b) => a - b).map((label) => ({ label, name: names[label], role: voiRole(names[label]) }));
  const voiText = vois.map((v) => `${v.name} (${v.role})`).join(", ");
  const normal = vois.find((v) => v.role === "normal");
  if (!normal) throw new InputError("geometry.images.labels", `geometry.images.labels: ${section.labels} has no normal-liver VOI named "liver" (VOIs: ${voiText})`);
  const tumourVois = vois.filter((v) => v.role === "tumour");
  for (const name of stated.keys()) {
    if (!tumourVois.some((v) => v.name === name)) throw new InputError("geometry.tumours", `geometry.tumours: ${JSON.stringify(name)} is not a tumour VOI of ${section.labels} (VOIs: ${voiText})`);
  }
  const lungVois = vois.filter((v) => v.role === "lung").map((v) => v.label);
  const { mask, tumourMaskLabel } = caseMaskFromVois(onMask.labels, vois);
  const voxelMl = voxelVolumeMl(maskGrid);
  const maskVoxels = new Map<number, number>();
  for (const l of onMask.labels.data) if (l !== 0) maskVoxels.set(l, (maskVoxels.get(l) ?? 0) + 1);

  // T/N and LSF from the MAA counts (fractional occupancy on the SPECT grid, negatives clipped).
  const notes: string[] = [...onMask.warnings];
  const unknown = vois.filter((v) => v.role === "other").map((v) => v.name);
  if (unknown.length > 0) notes.push(unrecognisedVoiWarning("geometry.images.labels", unknown, "the liver mask, the lung shunt and the T/N"));
  let relative: Map<number, number> | undefined;
  let lsfFromMaa: number | undefined;
  if (maa) {
    const onMaa = await readLabelsInput(labelsPath, { target: maa.grid, ...context, ...labelFields });
    const counts = countsPerVoi(onMaa, maa.grid.data);
    if (!((counts.counts.get(normal.label) ?? 0) > 0)) throw new InputError("geometry.images.maa", `geometry.images.maa: no counts in the normal-liver VOI ${JSON.stringify(normal.name)}`);
    relative = relativeConcentrations(counts, normal.label);
    if (lungVois.length > 0) lsfFromMaa = lungShuntFromCounts(counts, lungVois, vois.filter((v) => v.role === "normal" || v.role === "tumour").map((v) => v.label));
  }
  const tumours = tumourVois.map((v) => {
    const extra = stated.get(v.name) ?? {};
    let tnRatio: number;
    if (relative) {
      const measured = relative.get(v.label) ?? 0;
      if (!(measured > 0)) throw new InputError("geometry.images.maa", `geometry.images.maa: no counts in tumour VOI ${JSON.stringify(v.name)}, so its T/N is 0 (a T/N must be > 0)`);
      // The case schema's T/N range is (0, 100]; a higher MAA ratio (a tiny hot VOI) is capped and said.
      if (measured > 100) notes.push(`${v.name}: MAA T/N ${measured.toPrecision(4)} capped at 100`);
      tnRatio = Math.min(100, measured);
    } else {
      if (typeof extra.tnRatio !== "number") throw new InputError("geometry.tumours", `geometry.tumours: tumour VOI ${JSON.stringify(v.name)} needs a tnRatio (there is no geometry.images.maa to measure it)`);
      tnRatio = extra.tnRatio;
    }
    return { entry: { ...extra, name: v.name, maskLabel: tumourMaskLabel.get(v.label)!, tnRatio }, volumeMl: (maskVoxels.get(v.label) ?? 0) * voxelMl, source: relative ? ("maa" as const) : ("case" as const) };
  });
  const lsfStated = json.lungShuntFraction !== undefined;
  if (!lsfStated && lsfFromMaa !== undefined && !(lsfFromMaa >= 0)) throw new InputError("geometry.images.maa", "geometry.images.maa: no counts in the VOIs");
  const lungShuntFraction = lsfStated ? null : (lsfFromMaa ?? null);
  if (lsfStated && lsfFromMaa !== undefined) notes.push(`lungShuntFraction as stated in the case (the MAA's lung VOI gives ${lsfFromMaa.toFixed(4)})`);

  const referenceImage = ct ?? maa;
  const reference = referenceImage?.reference;
  const report: PatientImagesReport = {
    ct: section.ct ?? null,
    labels: section.labels,
    labelsSource: onMask.source,
    maa: section.maa ?? null,
    tumours: tumours.map((t) => ({ name: t.entry.name, maskLabel: t.entry.maskLabel, volumeMl: t.volumeMl, tnRatio: t.entry.tnRatio, tnSource: t.source })),
    normalLiverVolumeMl: vois.filter((v) => v.role === "normal").reduce((s, v) => s + (maskVoxels.get(v.label) ?? 0) * voxelMl, 0),
    lungShuntFromMaa: lsfFromMaa ?? null,
    lungShuntSource: lungShuntFraction !== null ? "maa" : "case",
    frameOfReferenceUID: reference?.frameOfReferenceUID ?? null,
    notes,
  };
  const apply = (caseJson: Readonly<Record<string, unknown>>): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...caseJson, geometry: { mask: { file: section.labels }, tumours: tumours.map((t) => t.entry) } };
    if (lungShuntFraction !== null && out.lungShuntFraction === undefined) out.lungShuntFraction = lungShuntFraction;
    return out;
  };
  return { apply, mask, ...(reference && referenceImage ? { reference, referenceGrid: referenceImage.grid } : {}), report };
}

/** labelContext when there may be no image at all (a NIfTI label map alone). */
function contextOf(image: ImageInput | undefined, ct: ImageInput | undefined, namesPath: string | undefined): ReturnType<typeof labelContext> {
  if (image) return labelContext(image, ct, namesPath);
  return namesPath ? { namesPath } : {};
}

/**
 * `geometry.tumours` of an image case: entries matched to tumour VOIs by name, holding what the
 * images cannot give (tnRatio without an MAA, necroticCoreFraction, rim, terminalPressureMmHg).
 * maskLabel comes from the labels, and tnRatio from the MAA when there is one.
 */
function parseStatedTumours(value: unknown, withMaa: boolean): Map<string, Record<string, unknown> & { tnRatio?: unknown }> {
  const out = new Map<string, Record<string, unknown>>();
  if (value === undefined) return out;
  if (!Array.isArray(value)) throw new InputError("geometry.tumours", "geometry.tumours: must be an array of tumours matched to the VOIs by name");
  value.forEach((t, i) => {
    const field = `geometry.tumours[${i}]`;
    if (t === null || typeof t !== "object" || Array.isArray(t) || typeof (t as Record<string, unknown>).name !== "string") throw new InputError(`${field}.name`, `${field}.name: a tumour of an image case is named as its VOI`);
    const entry = t as Record<string, unknown>;
    for (const key of ["maskLabel", "centerMm", "radiusMm", "semiAxesMm", "necroticMaskLabel"]) {
      if (entry[key] !== undefined) throw new InputError(`${field}.${key}`, `${field}.${key}: the tumour's shape and label come from geometry.images.labels`);
    }
    if (withMaa && entry.tnRatio !== undefined) throw new InputError(`${field}.tnRatio`, `${field}.tnRatio: the T/N comes from geometry.images.maa; give one or the other`);
    if (out.has(entry.name as string)) throw new InputError(`${field}.name`, `${field}.name: ${JSON.stringify(entry.name)} appears twice`);
    out.set(entry.name as string, entry);
  });
  return out;
}

/**
 * rtdose.dcm beside dose.nii.gz: the simulated dose as DICOM RT Dose on the patient's frame of
 * reference (FrameOfReferenceUID, patient, study and the referenced series of the CT), its axes
 * along the CT's (ImageOrientationPatient equal to the CT's where the grids are not oblique). FFT
 * round-off leaves ~1e-6 Gy of either sign where there is no activity; RT Dose needs doses ≥ 0.
 */
export async function writePatientRtDose(dir: string, images: PatientImages, doseGy: Grid<GridData>): Promise<boolean> {
  if (!images.reference || !images.referenceGrid) return false;
  const data = new Float32Array(doseGy.data.length);
  for (let n = 0; n < data.length; n++) data[n] = Math.max(0, doseGy.data[n]);
  // Along the CT's axes (an exact reordering): the dose grid is built axis-aligned in RAS.
  const oriented = orientLike({ ...doseGy, data }, images.referenceGrid);
  await writeRtDose(join(dir, "rtdose.dcm"), oriented, { reference: images.reference, seriesDescription: "sirtsim simulated absorbed dose" });
  return true;
}

/** A run's outputs with `patientImages` in summary.json: what the images gave the case. */
export function withPatientImages<T extends { readonly summary: object }>(outputs: T, images: PatientImages): T {
  return { ...outputs, summary: { ...outputs.summary, patientImages: images.report } };
}

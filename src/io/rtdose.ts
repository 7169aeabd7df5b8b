/**
 * DICOM RT Dose writer (RT Dose IOD, PS3.3 A.18) with dcmjs 0.51: a multi-frame, 32-bit unsigned
 * dose grid in Gy on the frame of reference of the source image (CT/SPECT/PET) it was computed
 * on, so a treatment planning system or 3D Slicer overlays it on that image.
 *
 * Every decimal string (DoseGridScaling, positions, spacings, orientation, frame offsets) is
 * formatted by `formatDecimalString` because dcmjs cuts DS values at 16 characters without
 * rounding (a 2.3e-8 scaling became 2.33…, a 10⁸× error).
 *
 * UIDs are derived from a SHA-256 of the content (dose values, geometry, source UIDs) under the
 * 2.25 root (PS3.5 B.2), so the same input gives the same file bit for bit.
 */
import { createHash } from "node:crypto";
import { basename } from "node:path";
import dcmjs from "dcmjs";
import { InputError } from "../errors.js";
import type { Grid, GridData } from "../geometry/grid.js";
import { writeFileAtomic } from "./atomic.js";
import { formatDecimalString, formatDecimalStrings } from "./decimalString.js";
import type { DicomReference } from "./dicom.js";
import { toLpsGeometry } from "./frame.js";

export const RT_DOSE_STORAGE_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.481.2";
const EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";
/** Our implementation class UID (2.25 + a fixed number derived from "sirtsim"). */
const IMPLEMENTATION_CLASS_UID = uidFrom("sirtsim implementation class");
/** Largest stored value: pixels are 32-bit unsigned; keep a 0.02 % margin for DS rounding of the scaling. */
const MAX_PIXEL = 4_294_000_000;

export interface WriteRtDoseOptions {
  /** The image the dose was computed on (from readDicomSeries): patient, study, frame of reference. */
  readonly reference?: DicomReference;
  /** Series description, default "sirtsim absorbed dose". */
  readonly seriesDescription?: string;
  /** Dose Summation Type (3004,000A), default RADIONUCLIDE_DOSE_SUMMATION (see there). */
  readonly doseSummationType?: string;
  /** Dose Type (3004,0004): "PHYSICAL" (default) or "EFFECTIVE" (e.g. BED-weighted). */
  readonly doseType?: "PHYSICAL" | "EFFECTIVE";
  /** Series Number, default 9001. */
  readonly seriesNumber?: number;
}

/**
 * Dose Summation Type (3004,000A) of a radionuclide therapy dose. In the RT Dose module (PS3.3
 * C.8.8.3) the plan and treatment terms tie the dose to another instance: PLAN, MULTI_PLAN,
 * FRACTION, BEAM, BRACHY, FRACTION_SESSION, BEAM_SESSION, BRACHY_SESSION and CONTROL_POINT make
 * Referenced RT Plan Sequence (300C,0002) Type 1C required, RECORD makes Referenced Treatment Record
 * Sequence (3008,0030) required (as dciodvfy checks them). A SIRT dose from microspheres or from an
 * image has no RT Plan or treatment record to reference; PLAN without the sequence is an error
 * (test/images/rtdoseConformance.test.ts). Dose Summation Type takes Defined Terms, which an
 * implementation may extend with a term of a new meaning (PS3.5, "Enumerated Values and Defined
 * Terms"): this one says the dose is the absorbed dose of a radionuclide administration (to full
 * decay, or to `dose --until-h`). dciodvfy reports it as an unrecognised defined term: a warning,
 * not an error.
 */
export const RADIONUCLIDE_DOSE_SUMMATION = "RADIONUCLIDE";

/** A UID under the 2.25 root from the SHA-256 of `text` (128 bits as a decimal integer). */
function uidFrom(text: string): string {
  const hex = createHash("sha256").update(text).digest("hex").slice(0, 32);
  return `2.25.${BigInt(`0x${hex}`).toString(10)}`;
}

/**
 * Encode a dose grid (Gy) as a DICOM RT Dose Part-10 file. `name` is used in error messages.
 * Dose must be finite and ≥ 0.
 */
export function encodeRtDose(doseGy: Grid<GridData>, name: string, options: WriteRtDoseOptions = {}): Uint8Array {
  const [nx, ny, nz] = doseGy.dims;
  const n = nx * ny * nz;
  if (!(n > 0) || doseGy.data.length !== n) {
    throw new InputError(name, `${name}: dims ${doseGy.dims.join("×")} need ${n} voxels but the dose data has ${doseGy.data.length}`);
  }
  let maxGy = 0;
  for (let v = 0; v < n; v++) {
    const d = doseGy.data[v];
    if (!Number.isFinite(d) || d < 0) {
      throw new InputError(name, `${name}: dose voxel ${v} is ${d} Gy; RT Dose needs finite doses ≥ 0`);
    }
    if (d > maxGy) maxGy = d;
  }
  // The scaling in the file is the DS-formatted number; pixels are computed with exactly that value.
  const scalingText = formatDecimalString(maxGy > 0 ? maxGy / MAX_PIXEL : 1);
  const scaling = Number(scalingText);

  const { originMm, direction } = toLpsGeometry(doseGy);
  const [dx, dy, dz] = doseGy.spacingMm;
  const row = [direction[0], direction[3], direction[6]]; // i axis: along a row (increasing column)
  const col = [direction[1], direction[4], direction[7]]; // j axis: down a column (increasing row)
  const kAxis = [direction[2], direction[5], direction[8]];
  const normal = [row[1] * col[2] - row[2] * col[1], row[2] * col[0] - row[0] * col[2], row[0] * col[1] - row[1] * col[0]];
  const kAlongNormal = kAxis[0] * normal[0] + kAxis[1] * normal[1] + kAxis[2] * normal[2];
  // Frames must advance along row × column with non-negative offsets: reverse k for left-handed grids.
  const reversed = kAlongNormal < 0;
  const firstK = reversed ? nz - 1 : 0;
  const position = [0, 1, 2].map((a) => originMm[a] + kAxis[a] * dz * firstK);

  const pixels = new Uint32Array(n);
  const frameSize = nx * ny;
  for (let f = 0; f < nz; f++) {
    const k = reversed ? nz - 1 - f : f;
    const src = k * frameSize;
    const dst = f * frameSize;
    for (let p = 0; p < frameSize; p++) pixels[dst + p] = Math.round(doseGy.data[src + p] / scaling);
  }

  const ref = options.reference;
  const digest = createHash("sha256")
    .update(new Uint8Array(pixels.buffer))
    .update(JSON.stringify([doseGy.dims, doseGy.spacingMm, originMm, direction, scalingText, ref ?? null, options]))
    .digest("hex");
  const frameOfReferenceUID = ref?.frameOfReferenceUID ?? uidFrom(`frame of reference ${digest}`);
  const studyInstanceUID = ref?.studyInstanceUID ?? uidFrom(`study ${digest}`);
  const seriesInstanceUID = uidFrom(`series ${digest}`);
  const sopInstanceUID = uidFrom(`instance ${digest}`);

  const dataset: Record<string, unknown> = {
    SpecificCharacterSet: "ISO_IR 100",
    SOPClassUID: RT_DOSE_STORAGE_SOP_CLASS,
    SOPInstanceUID: sopInstanceUID,
    StudyDate: ref?.studyDate ?? "",
    StudyTime: ref?.studyTime ?? "",
    AccessionNumber: ref?.accessionNumber ?? "",
    Modality: "RTDOSE",
    Manufacturer: "sirtsim",
    ReferringPhysicianName: ref?.referringPhysicianName ?? "",
    SeriesDescription: (options.seriesDescription ?? "sirtsim absorbed dose").slice(0, 64),
    PatientName: ref?.patientName ?? "sirtsim^phantom",
    PatientID: ref?.patientID ?? "sirtsim-phantom",
    PatientBirthDate: ref?.patientBirthDate ?? "",
    PatientSex: ref?.patientSex ?? "",
    SoftwareVersions: "sirtsim",
    StudyInstanceUID: studyInstanceUID,
    SeriesInstanceUID: seriesInstanceUID,
    StudyID: ref?.studyID ?? "",
    SeriesNumber: String(options.seriesNumber ?? 9001),
    // Type 2 in the RT Series module (PS3.3 C.8.8.1): present, empty (no operator).
    OperatorsName: "",
    InstanceNumber: "1",
    ImagePositionPatient: formatDecimalStrings(position),
    ImageOrientationPatient: formatDecimalStrings([...row, ...col]),
    FrameOfReferenceUID: frameOfReferenceUID,
    PositionReferenceIndicator: "",
    SamplesPerPixel: 1,
    PhotometricInterpretation: "MONOCHROME2",
    NumberOfFrames: String(nz),
    FrameIncrementPointer: 0x3004000c, // → GridFrameOffsetVector
    Rows: ny,
    Columns: nx,
    // PixelSpacing is (row spacing = between rows = along j, column spacing = along i), PS3.3 C.7.6.2.1.
    PixelSpacing: formatDecimalStrings([dy, dx]),
    SliceThickness: formatDecimalString(dz),
    BitsAllocated: 32,
    BitsStored: 32,
    HighBit: 31,
    PixelRepresentation: 0,
    DoseUnits: "GY",
    DoseType: options.doseType ?? "PHYSICAL",
    DoseSummationType: options.doseSummationType ?? RADIONUCLIDE_DOSE_SUMMATION,
    GridFrameOffsetVector: formatDecimalStrings(Array.from({ length: nz }, (_, f) => f * dz)),
    DoseGridScaling: scalingText,
    PixelData: [pixels.buffer],
    _vrMap: { PixelData: "OW" },
  };
  if (ref?.seriesInstanceUID && ref.sopClassUID) {
    // Where the dose came from: the source image series (Referenced Image Sequence is optional).
    dataset.ReferencedImageSequence = (ref.sopInstanceUIDs ?? []).slice(0, 1).map((uid) => ({
      ReferencedSOPClassUID: ref.sopClassUID,
      ReferencedSOPInstanceUID: uid,
    }));
    // Common Instance Reference module (PS3.3 C.12.2): the whole source series.
    dataset.ReferencedSeriesSequence = [
      {
        SeriesInstanceUID: ref.seriesInstanceUID,
        ReferencedInstanceSequence: (ref.sopInstanceUIDs ?? []).map((uid) => ({ ReferencedSOPClassUID: ref.sopClassUID, ReferencedSOPInstanceUID: uid })),
      },
    ];
  }
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: RT_DOSE_STORAGE_SOP_CLASS,
    MediaStorageSOPInstanceUID: sopInstanceUID,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: "SIRTSIM",
  };
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(dict.write());
}

/**
 * Write a dose grid (Gy) as DICOM RT Dose through writeFileAtomic (nothing is written on error).
 * Pass the `reference` of the image the dose was computed on to share its frame of reference.
 */
export async function writeRtDose(path: string, doseGy: Grid<GridData>, options: WriteRtDoseOptions = {}): Promise<void> {
  await writeFileAtomic(path, encodeRtDose(doseGy, basename(path), options));
}

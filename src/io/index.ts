/**
 * Images and result files in and out (docs/io.md). Only re-exports; atomic.ts (output staging) and
 * the case-file modules are exported by their owners.
 */
export { readNifti, parseNifti, writeNifti, encodeNifti, type NiftiKind, type ReadNiftiOptions, type WriteNiftiOptions } from "./nifti.js";
export { resampleGrid, type ResampleMethod, type ResampleOptions } from "./resample.js";
export { toRasGeometry, toLpsGeometry } from "./frame.js";
export { readDicomSeries, readDicomDataset, type DicomReference, type DicomSeries, type DicomDataset, type ReadDicomSeriesOptions } from "./dicom.js";
export { readRtStruct, type StructureSetMasks, type StructureSetRoi, type ReadRtStructOptions } from "./rtstruct.js";
export { readDicomSeg, type SegMasks, type SegSegment, type ReadSegOptions } from "./seg.js";
export { writeRtDose, encodeRtDose, type WriteRtDoseOptions } from "./rtdose.js";
export { formatDecimalString, formatDecimalStrings } from "./decimalString.js";
export { dvhToCsv, writeDvhCsv, csvField, type DvhCurve } from "./csv.js";
export { dvhToJson, makeProvenance, summaryDocument, stringifyResult, writeJson, sirtsimVersion, type Provenance } from "./results.js";

#!/usr/bin/python3
"""Independent check of an RT Dose written by `sirtsim dose` (pydicom + nibabel, Debian packages).

    /usr/bin/python3 test/images/check_rtdose.py RTDOSE.dcm DOSE.nii.gz SOURCE_SERIES_DIR_OR_FILE

Prints one JSON document: the RT Dose's FrameOfReferenceUID and geometry next to the source
series' (read here from the source files' own attributes), the referenced series UID, and the
largest difference between the RT Dose (pixel x DoseGridScaling) and the NIfTI dose, both mapped to
world (LPS) positions here, relative to the maximum dose.
"""
import json
import os
import sys

import nibabel as nib
import numpy as np
import pydicom

rt_path, nii_path, source = sys.argv[1:4]
config = pydicom.config
config.settings.reading_validation_mode = config.RAISE
rt = pydicom.dcmread(rt_path)

files = [os.path.join(source, f) for f in sorted(os.listdir(source))] if os.path.isdir(source) else [source]
src = [pydicom.dcmread(f) for f in files]
iop = [float(v) for v in src[0].ImageOrientationPatient] if "ImageOrientationPatient" in src[0] else [float(v) for v in src[0].DetectorInformationSequence[0].ImageOrientationPatient]
normal = np.cross(iop[:3], iop[3:])
if len(src) == 1 and int(getattr(src[0], "NumberOfFrames", 1)) > 1:
    ds = src[0]
    ipp = [float(v) for v in ds.DetectorInformationSequence[0].ImagePositionPatient]
    frames = int(ds.NumberOfFrames)
    step = float(ds.SpacingBetweenSlices)
    positions = [list(np.array(ipp) + normal * step * f) for f in range(frames)]
else:
    positions = sorted(([float(v) for v in d.ImagePositionPatient] for d in src), key=lambda p: float(np.dot(p, normal)))
first = positions[0]
src_offsets = [float(np.dot(np.array(p) - np.array(first), normal)) for p in positions]

rt_ipp = [float(v) for v in rt.ImagePositionPatient]
rt_iop = [float(v) for v in rt.ImageOrientationPatient]
rt_offsets = [float(v) for v in rt.GridFrameOffsetVector]
dose = rt.pixel_array.astype(np.float64) * float(rt.DoseGridScaling)  # (frames, rows, cols)

# The NIfTI dose at the same voxels: world LPS of RT Dose voxel (c, r, f) -> NIfTI index via its affine.
img = nib.load(nii_path)
nii = np.asarray(img.dataobj, dtype=np.float64)
inv = np.linalg.inv(img.affine)
row, col = np.array(rt_iop[:3]), np.array(rt_iop[3:])
dy, dx = [float(v) for v in rt.PixelSpacing]
f, r, c = np.meshgrid(np.arange(dose.shape[0]), np.arange(dose.shape[1]), np.arange(dose.shape[2]), indexing="ij")
world = (np.array(rt_ipp)[None, None, None, :] + c[..., None] * dx * row + r[..., None] * dy * col
         + np.array(rt_offsets)[f][..., None] * np.cross(row, col))
ras = world * np.array([-1.0, -1.0, 1.0])
ijk = np.rint(np.einsum("ab,...b->...a", inv[:3, :3], ras) + inv[:3, 3]).astype(int)
nii_at = nii[ijk[..., 0], ijk[..., 1], ijk[..., 2]]
max_dose = float(nii.max())

print(json.dumps({
    "frameOfReferenceUID": str(rt.FrameOfReferenceUID),
    "sourceFrameOfReferenceUID": str(src[0].FrameOfReferenceUID),
    "referencedSeriesUID": str(rt.ReferencedSeriesSequence[0].SeriesInstanceUID) if "ReferencedSeriesSequence" in rt else None,
    "sourceSeriesUID": str(src[0].SeriesInstanceUID),
    "studyInstanceUID": str(rt.StudyInstanceUID), "sourceStudyInstanceUID": str(src[0].StudyInstanceUID),
    "patientID": str(rt.PatientID), "sourcePatientID": str(src[0].PatientID),
    "imagePositionPatient": rt_ipp, "sourceImagePositionPatient": first,
    "imageOrientationPatient": rt_iop, "sourceImageOrientationPatient": iop,
    "pixelSpacing": [dy, dx], "sourcePixelSpacing": [float(v) for v in src[0].PixelSpacing],
    "rowsColumns": [int(rt.Rows), int(rt.Columns)], "sourceRowsColumns": [int(src[0].Rows), int(src[0].Columns)],
    "gridFrameOffsetVector": rt_offsets, "sourceOffsets": src_offsets,
    "maxDoseGy": max_dose,
    "maxAbsDiffRelative": float(np.abs(dose - nii_at).max() / max_dose),
}))

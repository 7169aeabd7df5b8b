#!/usr/bin/python3
"""Counts per VOI with fractional occupancy, computed exactly (numpy), independent of sirtsim.

    /usr/bin/python3 test/images/plan_occupancy_reference.py fixtures/patient

The VOIs are the CT-grid label image (labels.nii.gz); each SPECT voxel belongs to each VOI by the
exact volume of its box covered by the VOI's CT voxel boxes (per-axis interval overlaps, a tensor
product: both grids are axis-aligned in LPS), whereas sirtsim's labelOccupancy samples 3x3x3
points per SPECT voxel. Counts per VOI = sum f * max(0, counts); SPECT-grid volume = sum f * V.
T/N, the SPECT LSF and the partition-model plan to tumour_1 mean 150 Gy follow make_patient.py's
formulas with these counts (CT-grid masses from truth.json). Prints one JSON document.
"""
import json
import os
import sys

import nibabel as nib
import numpy as np

d = sys.argv[1]
truth = json.load(open(os.path.join(d, "truth.json")))
ct, sp = truth["grids"]["ct"], truth["grids"]["spect"]
labels = np.asarray(nib.load(os.path.join(d, "labels.nii.gz")).dataobj)  # (x, y, z) on the CT grid
spect = np.asarray(nib.load(os.path.join(d, "spect.nii.gz")).dataobj, dtype=np.float64)
assert labels.shape == tuple(ct["dims"]) and spect.shape == tuple(sp["dims"])


def overlap(axis):
    """O[c, s] = length of CT voxel c's interval inside SPECT voxel s's, / SPECT spacing."""
    c_lo = ct["originLpsMm"][axis] + ct["spacingMm"] * (np.arange(ct["dims"][axis]) - 0.5)
    s_lo = sp["originLpsMm"][axis] + sp["spacingMm"] * (np.arange(sp["dims"][axis]) - 0.5)
    lo = np.maximum(c_lo[:, None], s_lo[None, :])
    hi = np.minimum(c_lo[:, None] + ct["spacingMm"], s_lo[None, :] + sp["spacingMm"])
    return np.clip(hi - lo, 0, None) / sp["spacingMm"]


ox, oy, oz = overlap(0), overlap(1), overlap(2)
sp_ml = sp["spacingMm"] ** 3 / 1000
counts, vols = {}, {}
for l, name in truth["labels"].items():
    m = (labels == int(l)).astype(np.float64)
    f = np.einsum("ijk,ia,jb,kc->abc", m, ox, oy, oz, optimize=True)
    counts[name] = float((f * np.clip(spect, 0, None)).sum())
    vols[name] = float(f.sum() * sp_ml)
c_liver = counts["liver"] / vols["liver"]
tn = {n: (counts[n] / vols[n]) / c_liver for n in ("tumour_1", "tumour_2")}
lsf = counts["lungs"] / sum(counts.values())
k = truth["constants"]["kGyKgPerGBq"]
masses = {n: c["massKg"] for n, c in truth["plan"]["compartments"].items()}
rel = {"liver": 1.0, **tn}
weighted = sum(rel[n] * masses[n] for n in masses)
gy_per_gbq = {n: k * (1 - lsf) * rel[n] / weighted for n in masses}
a = 150.0 / gy_per_gbq["tumour_1"]
print(json.dumps({"countsPerVoi": counts, "volumesMlOnSpectGrid": vols, "tn": tn, "lungShuntFraction": lsf,
                  "administeredGBq": a, "doseGy": {n: g * a for n, g in gy_per_gbq.items()}, "lungDoseGy": k * a * lsf / 1.0}))

#!/usr/bin/python3
"""Reference 3-D gamma pass rate (numpy + scipy + nibabel), independent of src/dose/gamma.ts.

    /usr/bin/python3 test/images/gamma_reference.py A.nii.gz B.nii.gz DOSE_PCT DTA_MM THRESHOLD_PCT [global|local] [MAX_GAMMA] [STEP_MM]

Same conventions as the sirtsim implementation (stated in docs/io.md), computed another way. The
search sub-grid has m_a = ceil(spacing_a / STEP_MM) points per voxel along each axis (default
STEP_MM = min(DTA, spacing_a) / 3 per axis). For every offset of that sub-grid within MAX_GAMMA x DTA, B is
interpolated at (evaluated voxel of A + offset) for all of A's evaluated voxels at once by
scipy.ndimage.map_coordinates(order=1) (scipy's linear spline, not the hand-written trilinear
weights of gamma.ts); points outside [0, n-1] along an axis are not candidates. The minimum over
offsets (capped at MAX_GAMMA^2) is gamma^2. A's voxels below THRESHOLD_PCT of A's maximum are not
evaluated. Pass: gamma <= 1. B on another grid is first resampled onto A's (trilinear, as
`sirtsim compare` does; outside B: 0). Prints one JSON document.
"""
import json
import math
import sys

import nibabel as nib
import numpy as np
from scipy.ndimage import map_coordinates

a_img, b_img = nib.load(sys.argv[1]), nib.load(sys.argv[2])
dose_pct, dta_mm, thr_pct = float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
mode = sys.argv[6] if len(sys.argv) > 6 else "global"
max_gamma = float(sys.argv[7]) if len(sys.argv) > 7 else 2.0
a = np.asarray(a_img.dataobj, dtype=np.float64)
b = np.asarray(b_img.dataobj, dtype=np.float64)
resampled = not np.allclose(a_img.affine, b_img.affine, atol=1e-4)
if resampled:
    # B onto A's grid, sirtsim compare's convention (docs/io.md), computed from the NIfTI affines:
    # A's voxel centres in B's continuous index (affine_B^-1 . affine_A); a centre inside
    # [-0.5, n - 0.5) on every axis of B takes scipy's linear spline with the edge extended
    # (mode="nearest"), any other is 0.
    M = np.linalg.inv(b_img.affine) @ a_img.affine
    ii = np.indices(a.shape).reshape(3, -1).astype(np.float64)
    coords = M[:3, :3] @ ii + M[:3, 3:4]
    bshape = np.array(b.shape, dtype=np.float64)[:, None]
    inside_b = np.all((coords >= -0.5) & (coords < bshape - 0.5), axis=0)
    b = np.where(inside_b, map_coordinates(b, coords, order=1, mode="nearest"), 0.0).reshape(a.shape)
spacing = np.sqrt((a_img.affine[:3, :3] ** 2).sum(axis=0))
step_mm = [float(sys.argv[8])] * 3 if len(sys.argv) > 8 else [min(dta_mm, s) / 3 for s in spacing]
m = [max(1, math.ceil(s / st - 1e-9)) for s, st in zip(spacing, step_mm)]
h = spacing / m
max_a = a.max()
evaluated = (a >= thr_pct / 100 * max_a) & (a > 0)
idx = np.argwhere(evaluated).T.astype(np.float64)  # (3, N) voxel indices of A's evaluated voxels
dose_a = a[evaluated]
dd = dose_pct / 100 * (dose_a if mode == "local" else max_a)
inv_dd2 = 1.0 / dd ** 2
shape = np.array(a.shape, dtype=np.float64)[:, None]

radius = max_gamma * dta_mm
r = [int(np.floor(radius / hh + 1e-9)) for hh in h]
best = np.full(dose_a.shape, max_gamma ** 2)
grids = np.meshgrid(*[np.arange(-rr, rr + 1) for rr in r], indexing="ij")
offsets = np.stack([g.ravel() for g in grids], axis=1) * h  # mm
d2 = (offsets ** 2).sum(axis=1)
for off_mm, dist2 in zip(offsets, d2):
    if dist2 > radius ** 2 + 1e-9:
        continue
    coords = idx + (off_mm / spacing)[:, None]
    inside = np.all((coords >= -1e-9) & (coords <= shape - 1 + 1e-9), axis=0)
    vals = map_coordinates(b, np.clip(coords, 0, shape - 1), order=1, mode="nearest")
    g2 = dist2 / dta_mm ** 2 + (vals - dose_a) ** 2 * inv_dd2
    np.minimum(best, np.where(inside, g2, np.inf), out=best)
gamma = np.sqrt(best)
print(json.dumps({"evaluatedVoxels": int(evaluated.sum()), "passedVoxels": int((gamma <= 1).sum()),
                  "passRate": float((gamma <= 1).mean()), "meanGamma": float(gamma.mean()), "referenceMaxGy": float(max_a), "resampledB": bool(resampled),
                  "stepMm": [float(x) for x in h]}))

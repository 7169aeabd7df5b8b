#!/usr/bin/python3
"""Reference 3-D gamma pass rate (numpy + nibabel), independent of src/dose/gamma.ts.

    /usr/bin/python3 test/images/gamma_reference.py A.nii.gz B.nii.gz DOSE_PCT DTA_MM THRESHOLD_PCT [global|local] [MAX_GAMMA]

Same conventions as the sirtsim implementation (stated in docs/io.md), computed another way:
whole-array shifts. For every offset (di, dj, dk) of B's voxel grid within MAX_GAMMA x DTA, the
squared gamma of every voxel of A against the shifted B is computed at once; the minimum over
offsets (capped at MAX_GAMMA^2) is gamma^2. B's voxels outside the grid are not candidates. A's
voxels below THRESHOLD_PCT of A's maximum are not evaluated. Pass: gamma <= 1. The two images must
be on the same grid (nibabel affines equal). Prints one JSON document.
"""
import json
import sys

import nibabel as nib
import numpy as np

a_img, b_img = nib.load(sys.argv[1]), nib.load(sys.argv[2])
dose_pct, dta_mm, thr_pct = float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
mode = sys.argv[6] if len(sys.argv) > 6 else "global"
max_gamma = float(sys.argv[7]) if len(sys.argv) > 7 else 2.0
if not np.allclose(a_img.affine, b_img.affine, atol=1e-4):
    sys.exit("A and B are not on the same grid")
a = np.asarray(a_img.dataobj, dtype=np.float64)
b = np.asarray(b_img.dataobj, dtype=np.float64)
spacing = np.sqrt((a_img.affine[:3, :3] ** 2).sum(axis=0))
max_a = a.max()
evaluated = (a >= thr_pct / 100 * max_a) & (a > 0)
dd = dose_pct / 100 * (a if mode == "local" else max_a)
inv_dd2 = np.where(evaluated, 1.0 / np.where(evaluated, dd, 1.0) ** 2, 0.0)

radius = max_gamma * dta_mm
r = [int(np.floor(radius / s)) for s in spacing]
best = np.full(a.shape, max_gamma ** 2)
nx, ny, nz = a.shape
for di in range(-r[0], r[0] + 1):
    for dj in range(-r[1], r[1] + 1):
        for dk in range(-r[2], r[2] + 1):
            d2 = ((di * spacing[0]) ** 2 + (dj * spacing[1]) ** 2 + (dk * spacing[2]) ** 2)
            if d2 > radius ** 2 + 1e-9:
                continue
            d2 /= dta_mm ** 2
            # Voxel (i, j, k) of A meets B at (i + di, j + dj, k + dk): slices of both arrays.
            sa = tuple(slice(max(0, -d), n - max(0, d)) for d, n in zip((di, dj, dk), (nx, ny, nz)))
            sb = tuple(slice(max(0, d), n + min(0, d)) for d, n in zip((di, dj, dk), (nx, ny, nz)))
            g2 = d2 + (b[sb] - a[sa]) ** 2 * inv_dd2[sa]
            np.minimum(best[sa], g2, out=best[sa])
gamma = np.sqrt(best[evaluated])
print(json.dumps({"evaluatedVoxels": int(evaluated.sum()), "passedVoxels": int((gamma <= 1).sum()),
                  "passRate": float((gamma <= 1).mean()), "meanGamma": float(gamma.mean()), "referenceMaxGy": float(max_a)}))

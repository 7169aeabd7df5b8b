#!/usr/bin/python3
"""A 16-bit copy of an RT Dose file, for dciodvfy (dicom3tools) only.

    /usr/bin/python3 test/images/rtdose_16bit_copy.py IN.dcm OUT.dcm

Debian bookworm's dciodvfy (dicom3tools 1.00~20220618) aborts on any 32-bit Pixel Data
(attrothr.cc:46 assertion `bitsallocated <= bytesinword*8`), pydicom's own test file
rtdose.dcm included, before it checks a single attribute. sirtsim writes 32-bit dose pixels
(PS3.3 C.8.8.3.4.1 allows 16 or 32), so the conformance test checks this copy: every attribute
as written, except Bits Allocated/Stored, High Bit, Dose Grid Scaling and the pixels, which are
re-encoded on 16 bits. The 32-bit pixels themselves are checked by check_rtdose.py (pydicom).
"""
import json
import sys

import numpy as np
import pydicom

src, dst = sys.argv[1:3]
ds = pydicom.dcmread(src)
dose = ds.pixel_array.astype(np.float64) * float(ds.DoseGridScaling)
peak = float(dose.max())
scaling = peak / 65000.0 if peak > 0 else 1.0
pixels = np.rint(dose / scaling).astype(np.uint16)
ds.BitsAllocated = 16
ds.BitsStored = 16
ds.HighBit = 15
ds.DoseGridScaling = f"{scaling:.10g}"
ds.PixelData = pixels.tobytes()
ds["PixelData"].VR = "OW"
ds.save_as(dst, write_like_original=False)
print(json.dumps({"out": dst, "maxDoseGy": peak, "bitsAllocatedOriginal": 32}))

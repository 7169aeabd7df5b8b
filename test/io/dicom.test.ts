import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import dcmjs from "dcmjs";
import { writeDicomFile } from "./helpers/writeDicom.js";
import fc from "fast-check";
import { formatDecimalString, pythonReprLength } from "../../src/io/decimalString.js";
import { writeRtDose } from "../../src/io/rtdose.js";
import { readDicomSeries } from "../../src/io/dicom.js";
import { InputError } from "../../src/errors.js";
import { voxelIndex, voxelToWorld, type Grid, type GridGeometry, type Mat3, type Vec3 } from "../../src/geometry/grid.js";

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;

async function tmp(): Promise<string> {
  return mkdtemp(join(tmpdir(), "sirtsim-dicom-"));
}

function rasWorld(g: GridGeometry, i: number, j: number, k: number): Vec3 {
  const w = voxelToWorld([0, 0, 0], g, i, j, k);
  return g.frame === "LPS" ? [-w[0], -w[1], w[2]] : w;
}

/** Raw DS strings of element (group, element) in an explicit-VR little-endian file. */
function rawDecimalStrings(bytes: Uint8Array, group: number, element: number): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let p = 132; p + 8 < bytes.length; p++) {
    if (view.getUint16(p, true) === group && view.getUint16(p + 2, true) === element && bytes[p + 4] === 0x44 && bytes[p + 5] === 0x53) {
      const len = view.getUint16(p + 6, true);
      return new TextDecoder().decode(bytes.subarray(p + 8, p + 8 + len)).trim().split("\\").map((s) => s.trim());
    }
  }
  throw new Error(`element (${group.toString(16)},${element.toString(16)}) DS not found`);
}

describe("formatDecimalString", () => {
  it("formatDecimalString keeps short numbers exact and the exponent of small ones", () => {
    expect(formatDecimalString(2.3e-8)).toBe("2.3e-8");
    expect(formatDecimalString(4.42)).toBe("4.42");
    expect(formatDecimalString(0)).toBe("0");
    expect(formatDecimalString(-0)).toBe("0");
    expect(formatDecimalString(1e21)).toBe("1e21");
  });

  it("formatDecimalString rounds long numbers correctly to at most 16 characters", () => {
    const cases = [2.3372123456789012e-8, 1 / 3, -1 / 3, 1.2345678901234568e17, -1.234567890123456e-300, Math.PI * 1e13, -Number.MAX_VALUE, 5e-324, 0.1 + 0.2];
    for (const x of cases) {
      const s = formatDecimalString(x);
      expect(s.length).toBeLessThanOrEqual(16);
      expect(s).toMatch(/^[0-9+\-Ee.]+$/);
      expect(Number.isFinite(Number(s))).toBe(true);
      // 16 characters leave 9 significant digits for "-1.79769313e308": ≤ 5e-9 relative.
      if (x !== 5e-324) expect(Math.abs(Number(s) - x) / Math.abs(x)).toBeLessThan(1e-8);
    }
    // 15 characters: Python's repr (which pydicom measures) is "2.3372123457e-08", 16.
    expect(formatDecimalString(2.3372123456789012e-8)).toBe("2.3372123457e-8");
    expect(formatDecimalString(1 / 3)).toBe("0.33333333333333");
  });

  it("formatDecimalString keeps 9 or more significant digits for any double (property)", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }), (x) => {
        const s = formatDecimalString(x);
        expect(s.length).toBeLessThanOrEqual(16);
        expect(s).toMatch(/^-?[0-9.]+(e-?[0-9]+)?$/);
        if (Math.abs(x) > 1e-300) expect(Math.abs(Number(s) - x)).toBeLessThanOrEqual(5e-9 * Math.abs(x));
        // Python's repr fits too, except from ~1e13 to 1e16, where its fixed notation never can.
        if (!(Math.abs(x) >= 9.9e12 && Math.abs(x) < 1e16)) expect(pythonReprLength(Number(s))).toBeLessThanOrEqual(16);
      }),
      { numRuns: 3000, seed: 20261126 },
    );
  });

  it.skipIf(spawnSync("/usr/bin/python3", ["-c", "1"]).status !== 0)("pythonReprLength agrees with Python's repr", () => {
    const xs = [0, 1, -1, 100, 1e-8, 2.33721234568e-8, 1 / 3, -1 / 3, 1e16, 1.5e20, 123456.789, 1e-4, 1.2e-5, 0.1 + 0.2, 5e-324, -1.7976931348623157e308, 1234567890123456, 12345.678901234567, 4.42, 1e15, 0.00012345678901234];
    const r = spawnSync("/usr/bin/python3", ["-c", "import sys, json\nfor x in json.loads(sys.argv[1]): print(len(repr(float(x))))", JSON.stringify(xs.map(String))], { encoding: "utf8" });
    expect(r.stdout.trim().split("\n").map(Number)).toEqual(xs.map(pythonReprLength));
  });

  it("formatDecimalString rejects NaN and infinities", () => {
    expect(() => formatDecimalString(NaN)).toThrow(RangeError);
    expect(() => formatDecimalString(Infinity)).toThrow(RangeError);
  });
});

function obliqueDose(frame: "RAS" | "LPS", leftHanded: boolean): Grid<Float32Array> {
  const t = (25 * Math.PI) / 180;
  const s = leftHanded ? -1 : 1;
  const direction: Mat3 = [Math.cos(t), -Math.sin(t), 0, Math.sin(t), Math.cos(t), 0, 0, 0, s];
  const dims: Vec3 = [7, 6, 5];
  const data = new Float32Array(7 * 6 * 5);
  // 0.01..100.38 Gy: the maximum makes DoseGridScaling ≈ 2.3377e-8, the value dcmjs mangles.
  for (let v = 0; v < data.length; v++) data[v] = 0.01 + ((v * 7919) % 1000) / 1000 * 100.37;
  data[17] = 100.38;
  return { dims, spacingMm: [2.5, 3.25, 4], originMm: [-50.5, 12.25, -7], direction, frame, data };
}

describe("writeRtDose", () => {
  for (const [frame, leftHanded] of [["RAS", false], ["LPS", true]] as const) {
    it(`writeRtDose (${frame}${leftHanded ? ", left-handed" : ""}) parsed by dcmjs gives the same dose to 1e-4 and the same voxel positions`, async () => {
      const dir = await tmp();
      const dose = obliqueDose(frame, leftHanded);
      const path = join(dir, "dose.dcm");
      await writeRtDose(path, dose);
      const bytes = new Uint8Array(await readFile(path));
      const parsed = DicomMetaDictionary.naturalizeDataset(DicomMessage.readFile(bytes.buffer as ArrayBuffer).dict);
      expect(parsed.Modality).toBe("RTDOSE");
      expect(parsed.DoseUnits).toBe("GY");
      expect(parsed.SOPClassUID).toBe("1.2.840.10008.5.1.4.1.1.481.2");

      // The exact trap: the scaling is ~2.34e-8 and must be written with its exponent.
      const [scalingText] = rawDecimalStrings(bytes, 0x3004, 0x000e);
      expect(scalingText.length).toBeLessThanOrEqual(16);
      expect(scalingText).toMatch(/e-8$/);
      const scaling = Number(scalingText);
      expect(Math.abs(scaling - Math.fround(100.38) / 4_294_000_000) / scaling).toBeLessThan(1e-10);
      // Every DS in the file fits in 16 characters.
      for (const [g, e] of [[0x3004, 0x000e], [0x0020, 0x0032], [0x0020, 0x0037], [0x0028, 0x0030], [0x0018, 0x0050], [0x3004, 0x000c]]) {
        for (const s of rawDecimalStrings(bytes, g, e)) expect(s.length).toBeLessThanOrEqual(16);
      }

      // Independent reconstruction of the geometry from the DICOM attributes (LPS).
      const pos = rawDecimalStrings(bytes, 0x0020, 0x0032).map(Number);
      const iop = rawDecimalStrings(bytes, 0x0020, 0x0037).map(Number);
      const [rowSpacing, colSpacing] = rawDecimalStrings(bytes, 0x0028, 0x0030).map(Number);
      const offsets = rawDecimalStrings(bytes, 0x3004, 0x000c).map(Number);
      const row = iop.slice(0, 3);
      const col = iop.slice(3, 6);
      const normal = [row[1] * col[2] - row[2] * col[1], row[2] * col[0] - row[0] * col[2], row[0] * col[1] - row[1] * col[0]];
      expect(parsed.Columns).toBe(7);
      expect(parsed.Rows).toBe(6);
      expect(offsets).toHaveLength(5);
      const pixels = new Uint32Array(parsed.PixelData[0]);
      let maxRel = 0;
      for (let f = 0; f < 5; f++) {
        for (let r = 0; r < 6; r++) {
          for (let c = 0; c < 7; c++) {
            const lps = [0, 1, 2].map((a) => pos[a] + row[a] * colSpacing * c + col[a] * rowSpacing * r + normal[a] * offsets[f]);
            const ras: Vec3 = [-lps[0], -lps[1], lps[2]];
            // Which voxel of the source grid sits there?
            const g = dose;
            let found = -1;
            for (let k = 0; k < 5 && found < 0; k++) {
              const w = rasWorld(g, c, r, k);
              if (Math.hypot(w[0] - ras[0], w[1] - ras[1], w[2] - ras[2]) < 1e-3) found = voxelIndex(g, c, r, k);
            }
            expect(found, `frame ${f} row ${r} col ${c}`).toBeGreaterThanOrEqual(0);
            const value = pixels[f * 42 + r * 7 + c] * scaling;
            maxRel = Math.max(maxRel, Math.abs(value - g.data[found]) / g.data[found]);
          }
        }
      }
      expect(maxRel).toBeLessThan(1e-4);
    });
  }

  it("writeRtDose then readDicomSeries gives the dose grid back (Gy, same world positions)", async () => {
    const dir = await tmp();
    const dose = obliqueDose("RAS", true);
    await writeRtDose(join(dir, "dose.dcm"), dose);
    const series = await readDicomSeries(join(dir, "dose.dcm"));
    expect(series.modality).toBe("RTDOSE");
    expect(series.units).toBe("GY");
    expect(series.grid.frame).toBe("LPS");
    expect(series.grid.dims).toEqual([7, 6, 5]);
    for (const [i, j, k] of [[0, 0, 0], [6, 5, 4], [3, 2, 1]]) {
      const a = rasWorld(series.grid, i, j, k);
      // The reader always stacks k along the normal, the writer reversed k for this left-handed grid.
      const b = rasWorld(dose, i, j, 4 - k);
      for (let c = 0; c < 3; c++) expect(a[c]).toBeCloseTo(b[c], 3);
      const got = series.grid.data[voxelIndex(series.grid, i, j, k)];
      const want = dose.data[voxelIndex(dose, i, j, 4 - k)];
      expect(Math.abs(got - want) / want).toBeLessThan(1e-4);
    }
  });

  it("writeRtDose uses the source image's frame of reference, study and patient", async () => {
    const dir = await tmp();
    const ctDir = join(dir, "ct");
    await writeCtSeries(ctDir, { frameOfReferenceUID: "1.2.3.4.5", studyInstanceUID: "1.2.3.4.6", seriesInstanceUID: "1.2.3.4.7" });
    const ct = await readDicomSeries(ctDir);
    const dose = { ...ct.grid, data: new Float32Array(ct.grid.data.length).fill(2) };
    await writeRtDose(join(dir, "dose.dcm"), dose, { reference: ct.reference });
    const bytes = new Uint8Array(await readFile(join(dir, "dose.dcm")));
    const parsed = DicomMetaDictionary.naturalizeDataset(DicomMessage.readFile(bytes.buffer as ArrayBuffer).dict);
    expect(parsed.FrameOfReferenceUID).toBe("1.2.3.4.5");
    expect(parsed.StudyInstanceUID).toBe("1.2.3.4.6");
    expect(parsed.PatientID).toBe("TEST-001");
    expect(parsed.SeriesInstanceUID).not.toBe("1.2.3.4.7");
  });

  it("writeRtDose writes nothing for negative or NaN doses", async () => {
    const dir = await tmp();
    const dose = obliqueDose("RAS", false);
    dose.data[5] = -1;
    await expect(writeRtDose(join(dir, "neg.dcm"), dose)).rejects.toThrow(/neg\.dcm: dose voxel 5 is -1 Gy/);
    dose.data[5] = NaN;
    await expect(writeRtDose(join(dir, "nan.dcm"), dose)).rejects.toBeInstanceOf(InputError);
    expect(await readdir(dir)).toEqual([]);
  });
});

/** A 4-slice oblique CT series (int16, RescaleIntercept −1024) written with dcmjs, files shuffled. */
async function writeCtSeries(dir: string, uids: { frameOfReferenceUID: string; studyInstanceUID: string; seriesInstanceUID: string }, transferSyntax = "1.2.840.10008.1.2.1") {
  const { mkdir } = await import("node:fs/promises");
  await mkdir(dir, { recursive: true });
  const t = (30 * Math.PI) / 180;
  const row = [Math.cos(t), Math.sin(t), 0];
  const col = [0, 0, -1]; // coronal-ish oblique: rows run head→feet
  const normal = [row[1] * col[2] - row[2] * col[1], row[2] * col[0] - row[0] * col[2], row[0] * col[1] - row[1] * col[0]];
  const rows = 3, cols = 4, spacing = [0.75, 1.25], dz = 2.5, origin = [10, -20, 30];
  for (const k of [2, 0, 3, 1]) {
    const pixels = new Int16Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) pixels[r * cols + c] = 1024 + c + 10 * r + 100 * k; // HU = c + 10r + 100k
    const pos = origin.map((o, a) => o + normal[a] * dz * k);
    const ds = {
      SOPClassUID: "1.2.840.10008.5.1.4.1.1.2", SOPInstanceUID: `${uids.seriesInstanceUID}.${k + 1}`, Modality: "CT",
      PatientName: "Test^Patient", PatientID: "TEST-001", StudyInstanceUID: uids.studyInstanceUID,
      SeriesInstanceUID: uids.seriesInstanceUID, FrameOfReferenceUID: uids.frameOfReferenceUID, InstanceNumber: String(k + 1),
      ImagePositionPatient: pos.map((x) => formatDecimalString(x)), ImageOrientationPatient: [...row, ...col].map((x) => formatDecimalString(x)),
      PixelSpacing: spacing.map(String), SliceThickness: String(dz), Rows: rows, Columns: cols, SamplesPerPixel: 1,
      PhotometricInterpretation: "MONOCHROME2", BitsAllocated: 16, BitsStored: 16, HighBit: 15, PixelRepresentation: 1,
      RescaleSlope: "1", RescaleIntercept: "-1024", PixelData: [pixels.buffer], _vrMap: { PixelData: "OW" },
    };
    await writeDicomFile(join(dir, `slice-${"zxyw"[k]}.dcm`), ds, transferSyntax);
  }
  return { row, col, normal, spacing, dz, origin };
}

describe("readDicomSeries", () => {
  it("readDicomSeries stacks a shuffled oblique CT series along its normal with HU values and LPS geometry", async () => {
    const dir = await tmp();
    const g = await writeCtSeries(dir, { frameOfReferenceUID: "1.2.9.1", studyInstanceUID: "1.2.9.2", seriesInstanceUID: "1.2.9.3" });
    await writeFile(join(dir, "README.txt"), "not DICOM");
    const ct = await readDicomSeries(dir);
    expect(ct.modality).toBe("CT");
    expect(ct.units).toBe("HU");
    expect(ct.reference.frameOfReferenceUID).toBe("1.2.9.1");
    expect(ct.reference.patientName).toBe("Test^Patient");
    expect(ct.grid.frame).toBe("LPS");
    expect(ct.grid.dims).toEqual([4, 3, 4]);
    expect(ct.grid.spacingMm[0]).toBeCloseTo(1.25, 6);
    expect(ct.grid.spacingMm[1]).toBeCloseTo(0.75, 6);
    expect(ct.grid.spacingMm[2]).toBeCloseTo(2.5, 6);
    for (const [i, j, k] of [[0, 0, 0], [3, 2, 3], [1, 2, 1]]) {
      expect(ct.grid.data[voxelIndex(ct.grid, i, j, k)]).toBe(i + 10 * j + 100 * k);
      const w = voxelToWorld([0, 0, 0], ct.grid, i, j, k);
      for (let a = 0; a < 3; a++) {
        expect(w[a]).toBeCloseTo(g.origin[a] + g.row[a] * 1.25 * i + g.col[a] * 0.75 * j + g.normal[a] * 2.5 * k, 4);
      }
    }
  });

  it("readDicomSeries reads implicit VR little endian files", async () => {
    const dir = await tmp();
    await writeCtSeries(dir, { frameOfReferenceUID: "1.2.8.1", studyInstanceUID: "1.2.8.2", seriesInstanceUID: "1.2.8.3" }, "1.2.840.10008.1.2");
    const ct = await readDicomSeries(dir);
    expect(ct.grid.data[voxelIndex(ct.grid, 3, 2, 3)]).toBe(323);
  });

  it("readDicomSeries asks which series to read when a folder holds two, and reads the chosen one", async () => {
    const dir = await tmp();
    await writeCtSeries(dir, { frameOfReferenceUID: "1.2.7.1", studyInstanceUID: "1.2.7.2", seriesInstanceUID: "1.2.7.3" });
    const other = join(dir, "b");
    await writeCtSeries(other, { frameOfReferenceUID: "1.2.7.1", studyInstanceUID: "1.2.7.2", seriesInstanceUID: "1.2.7.4" });
    for (const name of await readdir(other)) await writeFile(join(dir, `b-${name}`), await readFile(join(other, name)));
    await expect(readDicomSeries(dir)).rejects.toThrow(/2 series found, choose one with seriesInstanceUID: .*1\.2\.7\.3 \(CT, 4 file\(s\)/);
    const chosen = await readDicomSeries(dir, { seriesInstanceUID: "1.2.7.4" });
    expect(chosen.reference.seriesInstanceUID).toBe("1.2.7.4");
  });

  it("readDicomSeries rejects truncated files, non-DICOM files and compressed transfer syntaxes by name", async () => {
    const dir = await tmp();
    await writeCtSeries(dir, { frameOfReferenceUID: "1.2.6.1", studyInstanceUID: "1.2.6.2", seriesInstanceUID: "1.2.6.3" });
    const good = await readFile(join(dir, "slice-z.dcm"));
    await writeFile(join(dir, "cut.dcm"), good.subarray(0, good.length - 10));
    await expect(readDicomSeries(join(dir, "cut.dcm"))).rejects.toThrow(/cut\.dcm: truncated/);
    await writeFile(join(dir, "text.dcm"), "hello");
    await expect(readDicomSeries(join(dir, "text.dcm"))).rejects.toThrow(/text\.dcm: not a DICOM Part-10 file/);
    const jpeg = await tmp();
    await writeCtSeries(jpeg, { frameOfReferenceUID: "1.2.5.1", studyInstanceUID: "1.2.5.2", seriesInstanceUID: "1.2.5.3" }, "1.2.840.10008.1.2.4.50");
    await expect(readDicomSeries(jpeg)).rejects.toThrow(/compressed transfer syntax 1\.2\.840\.10008\.1\.2\.4\.50 is not supported/);
  });
});

// pydicom (Debian python3-pydicom) is an independent parser: it reads the RT Dose with strict
// value validation and reports the attributes and pixels. Skipped where it is missing.
const hasPydicom = spawnSync("/usr/bin/python3", ["-c", "import pydicom"]).status === 0;
if (!hasPydicom) console.log("note: /usr/bin/python3 with pydicom not found; skipping the pydicom cross-check");

describe("writeRtDose output read by pydicom", () => {
  it.skipIf(!hasPydicom)("pydicom (strict validation) reads the same dose at the same positions", async () => {
    const dir = await tmp();
    const dose = obliqueDose("RAS", true);
    const path = join(dir, "dose.dcm");
    await writeRtDose(path, dose);
    const script = [
      "import sys, json, pydicom",
      "from pydicom import config",
      "config.settings.reading_validation_mode = config.RAISE",
      "config.settings.writing_validation_mode = config.RAISE",
      "ds = pydicom.dcmread(sys.argv[1])",
      "for e in ds.iterall():",
      "    if e.VR == 'DS':",
      "        vals = e.value if e.VM > 1 else [e.value]",
      "        for v in vals: assert len(str(v.original_string if hasattr(v, 'original_string') else v)) <= 16, (e.keyword, v)",
      "arr = ds.pixel_array",
      "print(json.dumps({",
      "  'scaling': float(ds.DoseGridScaling), 'units': ds.DoseUnits, 'modality': ds.Modality,",
      "  'ipp': [float(x) for x in ds.ImagePositionPatient], 'iop': [float(x) for x in ds.ImageOrientationPatient],",
      "  'ps': [float(x) for x in ds.PixelSpacing], 'offsets': [float(x) for x in ds.GridFrameOffsetVector],",
      "  'shape': list(arr.shape), 'pixels': arr.astype(float).ravel().tolist()}))",
    ].join("\n");
    const r = spawnSync("/usr/bin/python3", ["-c", script, path], { encoding: "utf8", maxBuffer: 64 << 20 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.modality).toBe("RTDOSE");
    expect(out.units).toBe("GY");
    expect(out.shape).toEqual([5, 6, 7]);
    const [row, col] = [out.iop.slice(0, 3), out.iop.slice(3, 6)];
    const normal = [row[1] * col[2] - row[2] * col[1], row[2] * col[0] - row[0] * col[2], row[0] * col[1] - row[1] * col[0]];
    let maxRel = 0;
    for (let f = 0; f < 5; f++) for (let rr = 0; rr < 6; rr++) for (let c = 0; c < 7; c++) {
      const lps = [0, 1, 2].map((a) => out.ipp[a] + row[a] * out.ps[1] * c + col[a] * out.ps[0] * rr + normal[a] * out.offsets[f]);
      // Our grid's voxel at that world position (RAS = LPS with x, y negated).
      let found = -1;
      for (let k = 0; k < 5 && found < 0; k++) {
        const w = rasWorld(dose, c, rr, k);
        if (Math.hypot(w[0] + lps[0], w[1] + lps[1], w[2] - lps[2]) < 1e-3) found = voxelIndex(dose, c, rr, k);
      }
      expect(found).toBeGreaterThanOrEqual(0);
      const value = out.pixels[f * 42 + rr * 7 + c] * out.scaling;
      maxRel = Math.max(maxRel, Math.abs(value - dose.data[found]) / dose.data[found]);
    }
    expect(maxRel).toBeLessThan(1e-4);
  });
});

describe("readDicomSeries on reference series written by pydicom (fixtures/images/make_reference_dicom.py)", async () => {
  const fixtures = join(import.meta.dirname, "../../fixtures/images");
  const reference = JSON.parse(await readFile(join(fixtures, "reference-dicom.json"), "utf8"));
  for (const [folder, ref] of Object.entries<any>(reference.series)) {
    it(`readDicomSeries(${folder}) puts pydicom's values at the positions the DICOM attributes give`, async () => {
      const series = await readDicomSeries(join(fixtures, folder));
      expect(series.modality).toBe(ref.modality);
      expect(series.grid.dims).toEqual(ref.dims);
      for (let a = 0; a < 3; a++) expect(series.grid.spacingMm[a]).toBeCloseTo(ref.spacingMm[a], 5);
      for (const s of ref.samples) {
        const [i, j, k] = s.ijk;
        expect(series.grid.data[voxelIndex(series.grid, i, j, k)]).toBeCloseTo(s.value, 4);
        const w = voxelToWorld([0, 0, 0], series.grid, i, j, k);
        for (let a = 0; a < 3; a++) expect(w[a]).toBeCloseTo(s.worldLpsMm[a], 4);
      }
    });
  }
});

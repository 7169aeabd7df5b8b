import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { encodeNifti, readNifti, writeNifti } from "../../src/io/nifti.js";
import { InputError } from "../../src/errors.js";
import { voxelIndex, voxelToWorld, worldToVoxel, type Grid, type Mat3, type Vec3 } from "../../src/geometry/grid.js";

const fixtures = join(import.meta.dirname, "../../fixtures/images");

async function tmp(): Promise<string> {
  return mkdtemp(join(tmpdir(), "sirtsim-nifti-"));
}

function obliqueGrid(): Grid<Float32Array> {
  const t = (20 * Math.PI) / 180;
  // Rotation about y by 20° with the k axis flipped (left-handed): a non-identity, oblique direction.
  const direction: Mat3 = [Math.cos(t), 0, -Math.sin(t), 0, 1, 0, -Math.sin(t), 0, -Math.cos(t)];
  const dims: Vec3 = [6, 5, 4];
  const data = new Float32Array(6 * 5 * 4);
  for (let v = 0; v < data.length; v++) data[v] = Math.fround(Math.sin(v) * 1e3 + 1e-6 * v);
  return { dims, spacingMm: [2.5, 3, 4.5], originMm: [-100.5, 20.25, 3], direction, frame: "RAS", data };
}

describe("writeNifti / readNifti", () => {
  it("writeNifti then readNifti gives identical values, spacing and affine (.nii.gz)", async () => {
    const dir = await tmp();
    const grid = obliqueGrid();
    await writeNifti(join(dir, "dose.nii.gz"), grid);
    const back = await readNifti(join(dir, "dose.nii.gz"), { kind: "activity" });
    expect(back.dims).toEqual(grid.dims);
    expect(back.frame).toBe("RAS");
    expect(Array.from(back.data)).toEqual(Array.from(grid.data));
    expect(back.spacingMm).toEqual(grid.spacingMm);
    expect(back.originMm).toEqual(grid.originMm);
    // The direction goes through float32 (sform); identical to float32 precision.
    for (let c = 0; c < 9; c++) expect(back.direction[c]).toBeCloseTo(grid.direction[c], 6);
  });

  it("writeNifti stores the same transform in sform and qform, readable through either", async () => {
    const grid = obliqueGrid();
    const bytes = encodeNifti(grid, "x.nii");
    const view = new DataView(bytes.buffer);
    expect(view.getInt16(252, true)).toBe(1);
    expect(view.getInt16(254, true)).toBe(1);
    // Blank the sform code: the reader must fall back to the qform and find the same geometry.
    view.setInt16(254, 0, true);
    const dir = await tmp();
    await writeFile(join(dir, "q.nii"), bytes);
    const back = await readNifti(join(dir, "q.nii"), { kind: "activity" });
    for (let a = 0; a < 3; a++) {
      expect(back.spacingMm[a]).toBeCloseTo(grid.spacingMm[a], 5);
      expect(back.originMm[a]).toBeCloseTo(grid.originMm[a], 4);
    }
    for (let c = 0; c < 9; c++) expect(back.direction[c]).toBeCloseTo(grid.direction[c], 6);
  });

  it("writeNifti converts an LPS grid to RAS so the world positions of voxels are preserved", async () => {
    const dir = await tmp();
    const lps: Grid<Float32Array> = { ...obliqueGrid(), frame: "LPS" };
    await writeNifti(join(dir, "lps.nii"), lps);
    const back = await readNifti(join(dir, "lps.nii"), { kind: "activity" });
    const p = voxelToWorld([0, 0, 0], lps, 3, 2, 1);
    const q = voxelToWorld([0, 0, 0], back, 3, 2, 1);
    expect(q[0]).toBeCloseTo(-p[0], 4);
    expect(q[1]).toBeCloseTo(-p[1], 4);
    expect(q[2]).toBeCloseTo(p[2], 4);
  });

  it("writeNifti keeps an integer label grid in its own type and readNifti(labels) reads it back", async () => {
    const dir = await tmp();
    const data = new Uint16Array(4 * 3 * 2).map((_, v) => v % 5);
    const grid: Grid<Uint16Array> = { dims: [4, 3, 2], spacingMm: [1, 1, 1], originMm: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], frame: "RAS", data };
    await writeNifti(join(dir, "labels.nii.gz"), grid);
    const back = await readNifti(join(dir, "labels.nii.gz"), { kind: "labels" });
    expect(back.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });
});

describe("readNifti on reference images written by nibabel (fixtures/images/make_reference.py)", async () => {
  const reference = JSON.parse(await readFile(join(fixtures, "reference.json"), "utf8"));
  for (const [file, ref] of Object.entries<any>(reference.files)) {
    it(`readNifti(${file}) puts the known voxel values at nibabel's world coordinates`, async () => {
      const grid = await readNifti(join(fixtures, file), { kind: "activity" });
      expect(grid.dims).toEqual(ref.dims);
      for (let a = 0; a < 3; a++) expect(grid.spacingMm[a]).toBeCloseTo(ref.spacingMm[a], 5);
      for (const s of ref.samples) {
        const [i, j, k] = s.ijk;
        expect(grid.data[voxelIndex(grid, i, j, k)]).toBeCloseTo(s.value, 5);
        const w = voxelToWorld([0, 0, 0], grid, i, j, k);
        for (let a = 0; a < 3; a++) expect(w[a]).toBeCloseTo(s.worldRasMm[a], 4);
        const ijk = worldToVoxel([0, 0, 0], grid, s.worldRasMm[0], s.worldRasMm[1], s.worldRasMm[2]);
        for (let a = 0; a < 3; a++) expect(ijk[a]).toBeCloseTo(s.ijk[a], 4);
      }
    });
  }

  it("readNifti prefers the sform over a different qform (oblique-sform.nii.gz has an identity qform)", async () => {
    const grid = await readNifti(join(fixtures, "oblique-sform.nii.gz"), { kind: "activity" });
    // sform: x axis flipped and rotated 30° → direction column 0 = (−cos30, −sin30, 0).
    expect(grid.direction[0]).toBeCloseTo(-Math.cos(Math.PI / 6), 6);
    expect(grid.direction[3]).toBeCloseTo(-0.5, 6);
    expect(grid.originMm).toEqual([10, -20, 30]);
  });
});

describe("readNifti rejects invalid files with an InputError naming the file and the problem", async () => {
  const good = encodeNifti(obliqueGrid(), "good.nii");
  const dir = await tmp();

  async function expectInputError(name: string, bytes: Uint8Array, pattern: RegExp, kind: "activity" | "labels" = "activity") {
    const path = join(dir, name);
    await writeFile(path, bytes);
    const err = await readNifti(path, { kind }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain(name);
    expect((err as Error).message).toMatch(pattern);
  }

  it("a truncated header", () => expectInputError("short.nii", good.slice(0, 200), /truncated: 200 bytes/));
  it("truncated voxel data", () => expectInputError("cut.nii", good.slice(0, good.length - 7), /truncated: dims 6×5×4 of float32 need 480 data bytes/));
  it("a truncated gzip stream", () => expectInputError("cut.nii.gz", gzipSync(good).slice(0, 100), /truncated or corrupt gzip/));
  it("a wrong magic", () => {
    const bad = good.slice();
    bad[345] = 0x3f;
    return expectInputError("magic.nii", bad, /wrong magic/);
  });
  it("a file that is not NIfTI at all", () => expectInputError("text.nii", new TextEncoder().encode("hello ".repeat(100)), /wrong header size/));
  it("dims that do not match the data length", () => {
    const bad = good.slice();
    new DataView(bad.buffer).setInt16(42, 9, true); // dim[1] 6 → 9
    return expectInputError("dims.nii", bad, /dims 9×5×4 .* but the file has/);
  });
  it("NaN voxels", () => {
    const bad = good.slice();
    new DataView(bad.buffer).setFloat32(352 + 4 * 7, NaN, true);
    return expectInputError("nan.nii", bad, /1 voxel\(s\) are NaN, infinite or beyond the float32 range .*\(first at \(i, j, k\) = \(1, 1, 0\): NaN\)/);
  });
  it("non-integer values in a label map", () => expectInputError("frac.nii", good, /labels must be integers/, "labels"));
  it("a missing file", async () => {
    await expect(readNifti(join(dir, "absent.nii"), { kind: "activity" })).rejects.toThrow(/absent\.nii: cannot read NIfTI file/);
  });
});

describe("writeNifti writes nothing when the grid is invalid", () => {
  it("writeNifti rejects NaN voxels and dims that do not match the data, leaving no file", async () => {
    const dir = await tmp();
    const grid = obliqueGrid();
    grid.data[3] = NaN;
    await expect(writeNifti(join(dir, "nan.nii.gz"), grid)).rejects.toThrow(/nan\.nii\.gz: voxel \(i, j, k\) = \(3, 0, 0\) is NaN/);
    const short = { ...obliqueGrid(), data: new Float32Array(5) };
    await expect(writeNifti(join(dir, "short.nii"), short)).rejects.toBeInstanceOf(InputError);
    expect(await readdir(dir)).toEqual([]);
  });
});

// nibabel (Debian python3-nibabel) reads what writeNifti wrote: an independent reader. Skipped
// when /usr/bin/python3 has no nibabel.
const hasNibabel = spawnSync("/usr/bin/python3", ["-c", "import nibabel"]).status === 0;
if (!hasNibabel) console.log("note: /usr/bin/python3 with nibabel not found; skipping the nibabel cross-check");

describe("writeNifti output read by nibabel", () => {
  it.skipIf(!hasNibabel)("nibabel reads the affine and voxel values writeNifti wrote", async () => {
    const dir = await tmp();
    const grid = obliqueGrid();
    const path = join(dir, "x.nii.gz");
    await writeNifti(path, grid);
    const script = [
      "import sys, json, nibabel as nib",
      "img = nib.load(sys.argv[1])",
      "d = img.get_fdata()",
      "print(json.dumps({'affine': img.affine.tolist(), 'q': img.get_qform().tolist(), 'v': float(d[3, 2, 1]), 'shape': list(d.shape)}))",
    ].join("\n");
    const r = spawnSync("/usr/bin/python3", ["-c", script, path], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.shape).toEqual([6, 5, 4]);
    expect(out.v).toBeCloseTo(grid.data[voxelIndex(grid, 3, 2, 1)], 3);
    for (const m of [out.affine, out.q]) {
      for (let r2 = 0; r2 < 3; r2++) {
        for (let c = 0; c < 3; c++) expect(m[r2][c]).toBeCloseTo(grid.direction[3 * r2 + c] * grid.spacingMm[c], 5);
        expect(m[r2][3]).toBeCloseTo(grid.originMm[r2], 4);
      }
    }
  });
});

/**
 * parseNifti bounds what it inflates by the header (issue 19 §2): a .nii.gz whose stream inflates
 * far beyond its header's size (a decompression bomb), or whose header claims huge dims, is
 * refused before the voxel data is inflated; values beyond float32 are blamed on the file.
 */
import { describe, expect, it } from "vitest";
import { gzipSync } from "node:zlib";
import { encodeNifti, parseNifti } from "../../src/io/nifti.js";
import { InputError } from "../../src/errors.js";
import { axisAlignedGeometry } from "../../src/geometry/grid.js";

function smallImage(dims: [number, number, number] = [8, 8, 8]): Uint8Array {
  const g = axisAlignedGeometry(dims, [2, 2, 2]);
  return encodeNifti({ ...g, data: new Float32Array(dims[0] * dims[1] * dims[2]).fill(1) }, "t.nii");
}

/** gzip members concatenated (RFC 1952 §2.2): `copies` × 16 MiB of zeros after the image. */
function bomb(image: Uint8Array, copies: number): Uint8Array {
  const zeros = gzipSync(new Uint8Array(16 * 1024 ** 2), { level: 9 });
  const parts = [gzipSync(image), ...Array.from({ length: copies }, () => zeros)];
  return new Uint8Array(Buffer.concat(parts));
}

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error("no error");
}

describe("parseNifti on hostile .nii.gz files", () => {
  it("parseNifti refuses a ~2 MB gzip bomb (2 GiB of zeros after a 8³ image) as longer than its header says", () => {
    const gz = bomb(smallImage(), 128);
    expect(gz.length).toBeGreaterThan(1.5e6);
    expect(gz.length).toBeLessThan(4e6);
    const before = process.memoryUsage().rss;
    const err = errorOf(() => parseNifti(gz, "bomb.nii.gz", { kind: "activity" }));
    expect(err.message).toMatch(/bomb\.nii\.gz: the gzip stream inflates to more than the 2400 bytes its header declares/);
    // Bounded inflation: nothing near the 2 GiB of the stream was allocated.
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 ** 2);
  });

  it("parseNifti refuses a header claiming 30000³ voxels before inflating the data", () => {
    const image = smallImage();
    const view = new DataView(image.buffer, image.byteOffset);
    for (let a = 1; a <= 3; a++) view.setInt16(40 + 2 * a, 30000, true);
    const err = errorOf(() => parseNifti(gzipSync(image), "huge.nii.gz", { kind: "activity" }));
    expect(err.message).toMatch(/huge\.nii\.gz: dims 30000×30000×30000 of float32 need 1\.01e\+5 GiB, above the 2\.00 GiB/);
  });

  it("parseNifti applies maxBytes to uncompressed files too and reads an image within it", () => {
    const image = smallImage();
    expect(errorOf(() => parseNifti(image, "a.nii", { kind: "activity", maxBytes: 1000 })).message).toMatch(/above the/);
    expect(parseNifti(image, "a.nii", { kind: "activity", maxBytes: image.length }).dims).toEqual([8, 8, 8]);
    expect(parseNifti(gzipSync(image), "a.nii.gz", { kind: "activity", maxBytes: image.length }).data[0]).toBe(1);
  });

  it("parseNifti blames a voxel beyond the float32 range after scl_slope on the file, not on a later output", () => {
    const image = smallImage();
    new DataView(image.buffer, image.byteOffset).setFloat32(112, 1e38, true); // scl_slope: 1 × 1e38 fits…
    expect(parseNifti(image, "ok.nii", { kind: "activity" }).data[0]).toBeCloseTo(1e38, -33);
    new DataView(image.buffer, image.byteOffset).setFloat32(112, 3e38, true);
    new DataView(image.buffer, image.byteOffset).setFloat32(116, 1e38, true); // …3e38 + 1e38 does not
    expect(errorOf(() => parseNifti(image, "over.nii", { kind: "activity" })).message).toMatch(/over\.nii: 512 voxel\(s\) are NaN, infinite or beyond the float32 range/);
  });

  it("parseNifti still refuses a truncated gzip stream", () => {
    const gz = gzipSync(smallImage());
    expect(errorOf(() => parseNifti(gz.subarray(0, gz.length - 20), "cut.nii.gz", { kind: "activity" })).message).toMatch(/cut\.nii\.gz: (truncated|.*corrupt)/);
  });
});

import { describe, expect, it } from "vitest";
import { kernelSpectrum, kernelSpectrumByFft } from "../../src/dose/convolve.js";
import { convolveRows, createFftContext, fftLayout, forwardPlanes, inversePlanes } from "../../src/dose/fft3d.js";
import { voxelSValues } from "../../src/dose/svalues.js";
import { createStream } from "../../src/random/stream.js";
import type { Vec3 } from "../../src/geometry/grid.js";

describe("fft3d range passes", () => {
  it("split into ranges over two contexts and a SharedArrayBuffer spectrum, give bit-identical dose to one pass", async () => {
    const dims: Vec3 = [21, 18, 15];
    const n = dims[0] * dims[1] * dims[2];
    const rng = createStream(3, 3);
    const input = Float32Array.from({ length: n }, () => rng.nextFloat());
    const kernel = voxelSValues("Y-90", 2);
    const layout = fftLayout(dims, kernel.halfWidth);
    const spectrumK = kernelSpectrum(kernel, layout, 1 / (layout.padded[0] * layout.padded[1] * layout.padded[2]));
    const [a, b] = [await createFftContext(), await createFftContext()];

    const whole = new Float32Array(layout.spectrumFloats);
    const outWhole = new Float32Array(n);
    forwardPlanes(a, layout, input, whole, 0, dims[2]);
    convolveRows(a, layout, whole, spectrumK, 0, layout.padded[1]);
    inversePlanes(a, layout, whole, outWhole, 0, dims[2]);

    const shared = new Float32Array(new SharedArrayBuffer(layout.spectrumFloats * 4));
    const outSplit = new Float32Array(new SharedArrayBuffer(n * 4));
    forwardPlanes(b, layout, input, shared, 0, 7);
    forwardPlanes(a, layout, input, shared, 7, dims[2]);
    const half = layout.padded[1] / 2;
    convolveRows(a, layout, shared, spectrumK, 0, half);
    convolveRows(b, layout, shared, spectrumK, half, layout.padded[1]);
    inversePlanes(b, layout, shared, outSplit, 0, 4);
    inversePlanes(a, layout, shared, outSplit, 4, dims[2]);

    let maxDiff = 0;
    for (let i = 0; i < n; i++) maxDiff = Math.max(maxDiff, Math.abs(outSplit[i] - outWhole[i]));
    expect(maxDiff).toBe(0);
  });

  it("reject a range outside their axis with a RangeError", async () => {
    const ctx = await createFftContext();
    const layout = fftLayout([4, 4, 4], [1, 1, 1]);
    const spectrum = new Float32Array(layout.spectrumFloats);
    expect(() => convolveRows(ctx, layout, spectrum, new Float32Array(1), 0, layout.padded[1] + 1)).toThrow(RangeError);
    expect(() => forwardPlanes(ctx, layout, new Float32Array(64), spectrum, 2, 1)).toThrow(/range \[2, 1\)/);
  });
});

describe("kernelSpectrumByFft", () => {
  it("matches the direct cosine sums to 1e-6 of the DC value for a long kernel (0.5 mm voxels, 25 taps)", async () => {
    const kernel = voxelSValues("Y-90", [0.5, 0.6, 0.7]);
    const layout = fftLayout([20, 9, 33], kernel.halfWidth);
    const direct = kernelSpectrum(kernel, layout, 1);
    const byFft = kernelSpectrumByFft(await createFftContext(), kernel, layout, 1);
    expect(byFft.length).toBe(direct.length);
    let maxDiff = 0;
    for (let i = 0; i < direct.length; i++) maxDiff = Math.max(maxDiff, Math.abs(byFft[i] - direct[i]));
    expect(maxDiff).toBeLessThan(1e-6 * direct[0]);
  });
});

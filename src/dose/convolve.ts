/**
 * Absorbed dose by convolution: dose = Ã ⊛ S ('same' size), with Ã the cumulated activity per
 * voxel and S the voxel S-values (svalues.ts). Done with the 3-D real FFT driver of fft3d.ts.
 *
 * Units: activity grid in Bq per voxel at the reference time; S in mGy/(MBq·s); cumulated
 * activity Ã = A · τ · f(t) with τ = T½/ln2 and f(t) = 1 − e^{−λt} the decayed fraction
 * (f = 1 to complete decay); dose in Gy.
 */
import { InputError } from "../errors.js";
import { sharedOrPlain, type Grid, type GridData, type GridGeometry, type Vec3 } from "../geometry/grid.js";
import { convolveRows, cosineSumsByFft, createFftContext, fftLayout, forwardPlanes, inversePlanes, type FftContext, type FftLayout } from "./fft3d.js";
import type { VoxelSValues } from "./svalues.js";
import { cumulatedSecondsPerBq } from "./timeIntegration.js";

export interface DoseOptions {
  /** Integrate decays up to this many hours after the reference time; Infinity = complete decay. Default Infinity. */
  untilH?: number;
  /** An FFT context to reuse (one per thread); a new one is created when absent. */
  context?: FftContext;
  /**
   * Runs the three FFT passes (A, B, C of fft3d.ts) elsewhere, e.g. as slabs on worker threads over
   * shared memory (src/parallel/dose.ts); inline on this thread when absent. Must give the same
   * bits as the inline passes.
   */
  runPasses?: FftPassRunner;
}

/** Computes `out` = inverse(forward(input) × kernelSpectrum) for a layout (passes A → B → C). */
export type FftPassRunner = (
  layout: FftLayout,
  input: Float32Array | Float64Array,
  kernelSpectrum: Float32Array,
  out: Float32Array | Float64Array,
) => Promise<void>;

export interface DoseResult {
  /** The output grid (same object as `out`). */
  readonly dose: Grid<Float32Array | Float64Array>;
  readonly method: "fft" | "ldm" | "direct";
  /** Cumulated decays per Bq at the reference time, s (τ · decayed fraction). */
  readonly cumulatedSecondsPerBq: number;
  /** FFT sizes used (fft method only). */
  readonly paddedDims?: Vec3;
  readonly provenance: readonly string[];
}

/** Check that the kernel's voxel size matches the grid's (relative 1e-6). */
export function checkKernelMatchesGrid(kernel: VoxelSValues, geometry: GridGeometry): void {
  for (let a = 0; a < 3; a++) {
    const g = geometry.spacingMm[a];
    const s = kernel.spacingMm[a];
    if (Math.abs(g - s) > 1e-6 * Math.max(g, s)) {
      throw new InputError("kernel.spacingMm", `kernel.spacingMm must equal the grid spacing [${geometry.spacingMm.join(", ")}] mm, got [${kernel.spacingMm.join(", ")}]`);
    }
  }
}

/** Check that a grid has the activity grid's dims. */
export function checkSameDims(field: string, a: GridGeometry, b: GridGeometry): void {
  if (a.dims[0] !== b.dims[0] || a.dims[1] !== b.dims[1] || a.dims[2] !== b.dims[2]) {
    throw new InputError(field, `${field} dims must equal the activity dims [${b.dims.join(", ")}], got [${a.dims.join(", ")}]`);
  }
}

/**
 * The real, even kernel spectrum K̂(u, v', w') = Σ S(i,j,k)·cos(2πui/Nx)·cos(2πv'j/Ny)·cos(2πw'k/Nz)
 * over all offsets, for u ≤ Nx/2, v' ≤ Ny/2, w' ≤ Nz/2, times `scale`, in the layout
 * convolveRows expects. Computed by separable cosine sums over the octant (float64).
 */
export function kernelSpectrum(kernel: VoxelSValues, layout: FftLayout, scale: number): Float32Array {
  const [hx, hy, hz] = kernel.halfWidth;
  const [Nx, Ny, Nz] = layout.padded;
  const U = layout.halfX;
  const V = Ny / 2 + 1;
  const W = Nz / 2 + 1;
  const ox = hx + 1;
  const oy = hy + 1;
  const oz = hz + 1;
  const S = kernel.octant;
  const cx = cosTable(U, ox, Nx);
  const cy = cosTable(V, oy, Ny);
  const cz = cosTable(W, oz, Nz);
  // Stage 1: A[(k·oy + j)·U + u] = Σ_i S(i,j,k) cx(u,i).
  const A = new Float64Array(oz * oy * U);
  for (let k = 0; k < oz; k++) {
    for (let j = 0; j < oy; j++) {
      const sRow = ox * (j + oy * k);
      const aRow = (k * oy + j) * U;
      for (let u = 0; u < U; u++) {
        let sum = 0;
        const c = u * ox;
        for (let i = 0; i < ox; i++) sum += S[sRow + i] * cx[c + i];
        A[aRow + u] = sum;
      }
    }
  }
  // Stage 2: B[(v·U + u)·oz + k] = Σ_j A(u,j,k) cy(v,j).
  const B = new Float64Array(V * U * oz);
  const tmp = new Float64Array(U);
  for (let k = 0; k < oz; k++) {
    for (let v = 0; v < V; v++) {
      tmp.fill(0);
      for (let j = 0; j < oy; j++) {
        const c = cy[v * oy + j];
        const aRow = (k * oy + j) * U;
        for (let u = 0; u < U; u++) tmp[u] += c * A[aRow + u];
      }
      for (let u = 0; u < U; u++) B[(v * U + u) * oz + k] = tmp[u];
    }
  }
  // Stage 3: K̂[(v·U + u)·W + w] = scale · Σ_k B(u,v,k) cz(w,k).
  const out = new Float32Array(V * U * W);
  for (let vu = 0; vu < V * U; vu++) {
    const bRow = vu * oz;
    const oRow = vu * W;
    for (let w = 0; w < W; w++) {
      let sum = 0;
      const c = w * oz;
      for (let k = 0; k < oz; k++) sum += B[bRow + k] * cz[c + k];
      out[oRow + w] = sum * scale;
    }
  }
  return out;
}

/** Above this many taps per axis the kernel spectrum is computed by FFT (cost N log N per line). */
export const SPECTRUM_FFT_TAPS = 24;

/**
 * kernelSpectrum computed with the same separable cosine sums done by PFFFT (float32) instead of
 * direct sums: for long kernels (fine voxels), where the direct sums cost O(N³·h).
 */
export function kernelSpectrumByFft(ctx: FftContext, kernel: VoxelSValues, layout: FftLayout, scale: number): Float32Array {
  const [hx, hy, hz] = kernel.halfWidth;
  const [Nx, Ny, Nz] = layout.padded;
  const U = Nx / 2 + 1;
  const V = Ny / 2 + 1;
  const W = Nz / 2 + 1;
  const ox = hx + 1;
  const oy = hy + 1;
  const oz = hz + 1;
  const S = kernel.octant;
  const m = (i: number) => (i === 0 ? 1 : 2);
  // Stage 1 (x): lines (j, k) of m_i·S(i,j,k) → A[(k·oy + j)·U + u].
  const lines = new Float64Array(oy * oz * ox);
  for (let n = 0; n < S.length; n++) lines[n] = m(n % ox) * S[n];
  const A = new Float64Array(oz * oy * U);
  cosineSumsByFft(ctx, Nx, ox, oy * oz, lines, A);
  // Stage 2 (y): lines (k, u) of m_j·A(u,j,k) → B[(k·U + u)·V + v].
  const linesY = new Float64Array(oz * U * oy);
  for (let k = 0; k < oz; k++) for (let j = 0; j < oy; j++) for (let u = 0; u < U; u++) linesY[(k * U + u) * oy + j] = m(j) * A[(k * oy + j) * U + u];
  const B = new Float64Array(oz * U * V);
  cosineSumsByFft(ctx, Ny, oy, oz * U, linesY, B);
  // Stage 3 (z): lines (v, u) of m_k·B(u,v,k) → K̂[(v·U + u)·W + w].
  const linesZ = new Float64Array(V * U * oz);
  for (let k = 0; k < oz; k++) for (let u = 0; u < U; u++) for (let v = 0; v < V; v++) linesZ[(v * U + u) * oz + k] = m(k) * B[(k * U + u) * V + v];
  const C = new Float64Array(V * U * W);
  cosineSumsByFft(ctx, Nz, oz, V * U, linesZ, C);
  const out = new Float32Array(C.length);
  for (let n = 0; n < C.length; n++) out[n] = C[n] * scale;
  return out;
}

/** c(f, i) = m_i · cos(2π f i / N) with m_0 = 1, m_i = 2 (the ± offsets), at f·taps + i. */
function cosTable(freqs: number, taps: number, n: number): Float64Array {
  const t = new Float64Array(freqs * taps);
  for (let f = 0; f < freqs; f++) {
    for (let i = 0; i < taps; i++) {
      // Reduce f·i mod n first so the argument stays small and exact.
      t[f * taps + i] = (i === 0 ? 1 : 2) * Math.cos((2 * Math.PI * ((f * i) % n)) / n);
    }
  }
  return t;
}

/**
 * Dose (Gy) of an activity grid (Bq per voxel at the reference time) by FFT convolution with the
 * voxel S-values, into `out` (same dims). Returns the provenance of the calculation.
 */
export async function doseFromActivity<T extends Float32Array | Float64Array>(
  out: Grid<T>,
  activity: Grid<GridData>,
  kernel: VoxelSValues,
  options: DoseOptions = {},
): Promise<DoseResult> {
  checkKernelMatchesGrid(kernel, activity);
  checkSameDims("out", out, activity);
  const input = toFloatArray(activity.data, options.runPasses !== undefined);
  const secondsPerBq = cumulatedSecondsPerBq(kernel.nuclide, options.untilH ?? Infinity);
  const layout = fftLayout(activity.dims, kernel.halfWidth);
  const [Nx, Ny, Nz] = layout.padded;
  // Bq·s → MBq·s (1e-6), mGy → Gy (1e-3), inverse FFT normalisation 1/(Nx·Ny·Nz).
  const scale = (secondsPerBq * 1e-9) / (Nx * Ny * Nz);
  const ctx = options.context ?? (await createFftContext());
  const spectrumK = cachedKernelSpectrum(ctx, kernel, layout, scale);
  if (options.runPasses) {
    await options.runPasses(layout, input, spectrumK, out.data);
  } else {
    const spectrum = inlineSpectrum(ctx, layout.spectrumFloats);
    const nz = activity.dims[2];
    forwardPlanes(ctx, layout, input, spectrum, 0, nz);
    convolveRows(ctx, layout, spectrum, spectrumK, 0, Ny);
    inversePlanes(ctx, layout, spectrum, out.data, 0, nz);
  }
  return {
    dose: out,
    method: "fft",
    cumulatedSecondsPerBq: secondsPerBq,
    paddedDims: layout.padded,
    provenance: [
      ...kernel.provenance,
      `FFT convolution (PFFFT SIMD, float32), padded ${Nx}x${Ny}x${Nz}`,
      `cumulated activity: tau x decayed fraction = ${secondsPerBq.toPrecision(6)} s per Bq (untilH ${options.untilH ?? Infinity})`,
    ],
  };
}

/** Kernel spectra by kernel object (released with it), then by FFT sizes and scale. */
const spectrumCache = new WeakMap<VoxelSValues, Map<string, Float32Array>>();

/** kernelSpectrum, memoised: repeated doses on grids of the same size reuse it (12 MB for 288³). */
function cachedKernelSpectrum(ctx: FftContext, kernel: VoxelSValues, layout: FftLayout, scale: number): Float32Array {
  let byLayout = spectrumCache.get(kernel);
  if (!byLayout) spectrumCache.set(kernel, (byLayout = new Map()));
  const key = `${layout.padded.join("x")}:${scale}`;
  let spectrum = byLayout.get(key);
  if (!spectrum) {
    if (byLayout.size >= 4) byLayout.clear();
    const long = Math.max(...kernel.halfWidth) + 1 > SPECTRUM_FFT_TAPS;
    spectrum = long ? kernelSpectrumByFft(ctx, kernel, layout, scale) : kernelSpectrum(kernel, layout, scale);
    byLayout.set(key, spectrum);
  }
  return spectrum;
}

/**
 * The half-spectrum of inline convolutions, kept per FFT context: an 85 MB Float32Array for 256³
 * costs ~40 ms to allocate and fault in, paid again on every call without it (benchmarks,
 * microdosimetry tiles, repeated doses). Safe to share between calls on one context because the
 * inline passes run synchronously and pass A overwrites every float of it.
 */
const inlineSpectra = new WeakMap<FftContext, Float32Array>();

function inlineSpectrum(ctx: FftContext, floats: number): Float32Array {
  let spectrum = inlineSpectra.get(ctx);
  if (spectrum?.length !== floats) inlineSpectra.set(ctx, (spectrum = new Float32Array(floats)));
  return spectrum;
}

/**
 * Integer grids are converted once to float32 for the transform: on a SharedArrayBuffer when the
 * passes run elsewhere, so that a worker-thread runner need not copy it again.
 */
function toFloatArray(data: GridData, shared: boolean): Float32Array | Float64Array {
  if (data instanceof Float32Array || data instanceof Float64Array) return data;
  const out = sharedOrPlain(Float32Array, data.length, shared);
  out.set(data);
  return out;
}

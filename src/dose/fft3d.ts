/**
 * 3-D real-FFT convolution driver over PFFFT (`@echogarden/pffft-wasm`, SIMD build; DESIGN.md).
 *
 * PFFFT does 1-D transforms of contiguous lines inside its WebAssembly memory. This driver keeps
 * the half-spectrum in an ordinary Float32Array (it may sit on a SharedArrayBuffer) and moves
 * lines in and out of a small per-context buffer, so that several contexts (one per worker
 * thread, each with its own WebAssembly instance) can work on disjoint ranges of the same
 * spectrum. A convolution is three passes, each a function of a half-open range:
 *
 *   A. forwardPlanes(k0, k1):  for z-planes k: real FFT of the x-lines, then complex FFT along y;
 *   B. convolveRows(v0, v1):   for y-frequency rows v: FFT along z, × kernel spectrum, inverse FFT;
 *   C. inversePlanes(k0, k1):  for z-planes k: inverse FFT along y, then inverse real FFT along x.
 *
 * A and C touch only planes k < nz and B only reads/writes k < nz of each column: zero padding is
 * never stored (the spectrum holds nz · Ny · (Nx/2 + 1) complex values). Passes must run in the
 * order A (all planes) → B (all rows) → C (all planes); ranges within a pass are independent.
 *
 * Padded sizes: Nᵢ ≥ nᵢ + hᵢ (data + kernel half-width) avoids circular wrap-around for a 'same'
 * output; PFFFT needs N = 2^a·3^b·5^c with N a multiple of 32 (real, x) or 16 (complex, y and z).
 */
import PFFFT from "@echogarden/pffft-wasm/simd";
import type { Vec3 } from "../geometry/grid.js";

interface PffftModule {
  HEAPF32: Float32Array;
  _pffft_new_setup(n: number, transform: number): number;
  _pffft_destroy_setup(setup: number): void;
  _pffft_transform_ordered(setup: number, input: number, output: number, work: number, direction: number): void;
  _pffft_aligned_malloc(bytes: number): number;
  _pffft_aligned_free(ptr: number): void;
}

const PFFFT_REAL = 0;
const PFFFT_COMPLEX = 1;
const FORWARD = 0;
const BACKWARD = 1;

/** Number of y/z columns moved and transformed together (a 128-byte run of the spectrum). */
const BATCH = 16;

/** One PFFFT instance plus its line buffers. Not shared between threads. */
export interface FftContext {
  readonly module: PffftModule;
  readonly setups: Map<string, number>;
  /** Byte offset of the line buffers (BATCH lines) and of the PFFFT work area. */
  bufferPtr: number;
  workPtr: number;
  /** Capacity of each line buffer, floats. */
  lineCapacity: number;
  /** Byte offset and capacity (floats) of the plane scratch of passes A and C (planePassSetup). */
  planePtr: number;
  planeCapacity: number;
}

/** Create a context: instantiates the WebAssembly module (a few ms). */
export async function createFftContext(): Promise<FftContext> {
  const module = (await PFFFT()) as PffftModule;
  return { module, setups: new Map(), bufferPtr: 0, workPtr: 0, lineCapacity: 0, planePtr: 0, planeCapacity: 0 };
}

/** Release a context's WebAssembly allocations. */
export function destroyFftContext(ctx: FftContext): void {
  for (const setup of ctx.setups.values()) ctx.module._pffft_destroy_setup(setup);
  ctx.setups.clear();
  if (ctx.bufferPtr) ctx.module._pffft_aligned_free(ctx.bufferPtr);
  if (ctx.workPtr) ctx.module._pffft_aligned_free(ctx.workPtr);
  if (ctx.planePtr) ctx.module._pffft_aligned_free(ctx.planePtr);
  ctx.bufferPtr = ctx.workPtr = ctx.lineCapacity = ctx.planePtr = ctx.planeCapacity = 0;
}

function setupFor(ctx: FftContext, n: number, complex: boolean): number {
  const key = `${complex ? "c" : "r"}${n}`;
  let setup = ctx.setups.get(key);
  if (setup === undefined) {
    setup = ctx.module._pffft_new_setup(n, complex ? PFFFT_COMPLEX : PFFFT_REAL);
    if (!setup) throw new Error(`PFFFT cannot transform length ${n} (${complex ? "complex" : "real"})`);
    ctx.setups.set(key, setup);
  }
  return setup;
}

/** Make sure the context has BATCH line buffers of `floats` each (and a work area). */
function ensureBuffers(ctx: FftContext, floats: number): void {
  if (ctx.lineCapacity >= floats) return;
  if (ctx.bufferPtr) ctx.module._pffft_aligned_free(ctx.bufferPtr);
  if (ctx.workPtr) ctx.module._pffft_aligned_free(ctx.workPtr);
  ctx.bufferPtr = ctx.module._pffft_aligned_malloc(BATCH * floats * 4);
  ctx.workPtr = ctx.module._pffft_aligned_malloc(floats * 4);
  if (!ctx.bufferPtr || !ctx.workPtr) throw new Error("PFFFT: out of WebAssembly memory");
  ctx.lineCapacity = floats;
}

/** Make sure the context has a plane scratch of `floats` (16-byte aligned, as PFFFT's SIMD wants). */
function ensurePlane(ctx: FftContext, floats: number): void {
  if (ctx.planeCapacity >= floats) return;
  if (ctx.planePtr) ctx.module._pffft_aligned_free(ctx.planePtr);
  ctx.planePtr = ctx.module._pffft_aligned_malloc(floats * 4);
  if (!ctx.planePtr) throw new Error("PFFFT: out of WebAssembly memory");
  ctx.planeCapacity = floats;
}

/**
 * Cosine sums of real lines by FFT: for each of `count` lines of `taps` values (line l at
 * input[l·taps …]), out[l·(n/2+1) + f] = Σₜ x[t]·cos(2π f t / n) for f = 0..n/2 — the real part of
 * a length-n complex FFT (n a multiple of 16, taps ≤ n). O(n log n) per line instead of O(n·taps):
 * used for the spectra of long kernels (fine microdosimetry grids). Float32 arithmetic.
 */
export function cosineSumsByFft(ctx: FftContext, n: number, taps: number, count: number, input: Float64Array, out: Float64Array): void {
  if (taps > n) throw new RangeError(`cosineSumsByFft: taps ${taps} must be ≤ n ${n}`);
  ensureBuffers(ctx, 2 * n);
  const setup = setupFor(ctx, n, true);
  const heap = ctx.module.HEAPF32;
  const buf = ctx.bufferPtr;
  const bufF = buf >> 2;
  const half = n / 2 + 1;
  for (let l = 0; l < count; l++) {
    heap.fill(0, bufF, bufF + 2 * n);
    const src = l * taps;
    for (let t = 0; t < taps; t++) heap[bufF + 2 * t] = input[src + t];
    ctx.module._pffft_transform_ordered(setup, buf, buf, ctx.workPtr, FORWARD);
    const dst = l * half;
    for (let f = 0; f < half; f++) out[dst + f] = heap[bufF + 2 * f];
  }
}

/** Geometry of a padded convolution: data dims, FFT sizes and the spectrum's strides (floats). */
export interface FftLayout {
  /** Data (and output) dims. */
  readonly dims: Vec3;
  /** FFT sizes. */
  readonly padded: Vec3;
  /** Complex values per x-row of the half-spectrum, Nx/2 + 1. */
  readonly halfX: number;
  /** Floats per spectrum row (2·halfX) and per plane (Ny rows). */
  readonly rowFloats: number;
  readonly planeFloats: number;
  /** Floats of the whole spectrum: nz planes. */
  readonly spectrumFloats: number;
}

/** Throw unless 0 ≤ start ≤ end ≤ limit: a pass's range must lie inside its axis. */
function checkPassRange(pass: string, start: number, end: number, limit: number): void {
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= limit)) {
    throw new RangeError(`${pass}: range [${start}, ${end}) must lie within [0, ${limit}]`);
  }
}

/** Smallest n' ≥ n with n' = 2^a·3^b·5^c and n' a multiple of `multiple` (a power of two). */
export function fftSize(n: number, multiple: number): number {
  for (let m = Math.max(n, multiple); ; m++) {
    if (m % multiple !== 0) continue;
    let r = m;
    for (const p of [2, 3, 5]) while (r % p === 0) r /= p;
    if (r === 1) return m;
  }
}

/** Layout for data dims `dims` and kernel half-widths `halfWidth` (voxels). */
export function fftLayout(dims: Vec3, halfWidth: Vec3): FftLayout {
  const nx = fftSize(dims[0] + halfWidth[0], 32);
  const ny = fftSize(dims[1] + halfWidth[1], 16);
  const nz = fftSize(dims[2] + halfWidth[2], 16);
  const halfX = nx / 2 + 1;
  const rowFloats = 2 * halfX;
  const planeFloats = rowFloats * ny;
  return { dims: [...dims], padded: [nx, ny, nz], halfX, rowFloats, planeFloats, spectrumFloats: planeFloats * dims[2] };
}

/**
 * Move `count` columns of `rows` complex values between a column layout and a line layout: value
 * (row r, column b) goes from src[s0 + r·sRow + b·sCol] to dst[d0 + r·dRow + b·dCol]. Into the line
 * buffer (gather) columns are adjacent in the source (sCol = 1) and lines in the destination
 * (dRow = 1, dCol = line length); out of it (scatter) the other way round. Complex values move as
 * one float64 (two float32 bit patterns; exact for finite data). Four columns per step: 1.7×
 * faster than one (V8, 256³ pass B's moves).
 */
function moveColumns(dst: Float64Array, d0: number, dRow: number, dCol: number, src: Float64Array, s0: number, sRow: number, sCol: number, rows: number, count: number): void {
  const count4 = count & ~3;
  const dCol2 = 2 * dCol, dCol3 = 3 * dCol, dCol4 = 4 * dCol;
  const sCol2 = 2 * sCol, sCol3 = 3 * sCol, sCol4 = 4 * sCol;
  for (let r = 0; r < rows; r++) {
    let d = d0 + r * dRow;
    let s = s0 + r * sRow;
    let b = 0;
    for (; b < count4; b += 4, d += dCol4, s += sCol4) {
      dst[d] = src[s];
      dst[d + dCol] = src[s + sCol];
      dst[d + dCol2] = src[s + sCol2];
      dst[d + dCol3] = src[s + sCol3];
    }
    for (; b < count; b++, d += dCol, s += sCol) dst[d] = src[s];
  }
}

/**
 * The locals shared by the x–y plane passes (forwardPlanes, inversePlanes): sizes, PFFFT setups
 * for x (real) and y (complex), and views on the wasm heap and the spectrum. Once per call.
 *
 * Both passes keep a plane's x-transformed rows in a scratch inside the wasm heap (row stride
 * Nx + 4 floats: the unpacked Nx/2 + 1 complex values, 16-byte aligned), so that x transforms run
 * out of place straight into it (or out of it) and the spectrum is only touched by the y columns.
 * The x line buffer's zero padding (floats nx..Nx) then stays zero for the whole pass.
 */
function planePassSetup(ctx: FftContext, layout: FftLayout, spectrum: Float32Array) {
  const [nx, ny] = layout.dims;
  const [Nx, Ny] = layout.padded;
  const lineFloatsY = 2 * Ny;
  const scratchRowFloats = Nx + 4;
  // Setups and buffers first: a malloc may grow the wasm memory and detach older heap views.
  const setupX = setupFor(ctx, Nx, false);
  const setupY = setupFor(ctx, Ny, true);
  ensureBuffers(ctx, Math.max(Nx, lineFloatsY));
  ensurePlane(ctx, ny * scratchRowFloats + Nx);
  const mod = ctx.module;
  const heap = mod.HEAPF32;
  const buf = ctx.bufferPtr;
  // The x line buffer sits after the plane's rows, in the same allocation.
  const linePtr = ctx.planePtr + 4 * ny * scratchRowFloats;
  return {
    nx,
    ny,
    Nx,
    Ny,
    rowFloats: layout.rowFloats,
    planeFloats: layout.planeFloats,
    halfX: layout.halfX,
    mod,
    setupX,
    setupY,
    heap,
    buf,
    bufF: buf >> 2,
    // Complex values move as one float64 (two float32 bit patterns; exact for finite data).
    heapC: new Float64Array(heap.buffer),
    specC: new Float64Array(spectrum.buffer, spectrum.byteOffset, spectrum.length >> 1),
    bufC: buf >> 3,
    work: ctx.workPtr,
    lineFloatsY,
    scratchPtr: ctx.planePtr,
    scratchRowFloats,
    linePtr,
    lineF: linePtr >> 2,
  };
}

/**
 * Pass A for planes [k0, k1): x real FFTs of the input rows (zero-padded to Nx), then y complex
 * FFTs of every column u (zero-padded to Ny). `input` is x-fastest with the layout's dims.
 */
export function forwardPlanes(
  ctx: FftContext,
  layout: FftLayout,
  input: Float32Array | Float64Array,
  spectrum: Float32Array,
  k0: number,
  k1: number,
): void {
  checkPassRange("forwardPlanes", k0, k1, layout.dims[2]);
  const { nx, ny, Nx, Ny, rowFloats, planeFloats, halfX, mod, setupX, setupY, heap, buf, bufF, heapC, specC, bufC, work, lineFloatsY, scratchPtr, scratchRowFloats, linePtr, lineF } =
    planePassSetup(ctx, layout, spectrum);
  const scratchF = scratchPtr >> 2;
  heap.fill(0, lineF + nx, lineF + Nx);
  for (let k = k0; k < k1; k++) {
    const plane = k * planeFloats;
    // x: one real transform per data row into scratch row j. PFFFT packs the real DC and
    // Nyquist values in floats 0 and 1; they are unpacked to complex 0 and Nx/2 (imaginary 0).
    for (let j = 0; j < ny; j++) {
      const src = (k * ny + j) * nx;
      heap.set(input.subarray(src, src + nx), lineF);
      const row = scratchF + j * scratchRowFloats;
      mod._pffft_transform_ordered(setupX, linePtr, row << 2, work, FORWARD);
      heap[row + Nx] = heap[row + 1];
      heap[row + Nx + 1] = 0;
      heap[row + 1] = 0;
    }
    // y: columns in batches from the scratch; rows j ≥ ny are zero padding.
    for (let u0 = 0; u0 < halfX; u0 += BATCH) {
      const count = Math.min(BATCH, halfX - u0);
      for (let b = 0; b < count; b++) heap.fill(0, bufF + b * lineFloatsY + 2 * ny, bufF + (b + 1) * lineFloatsY);
      moveColumns(heapC, bufC, 1, Ny, heapC, (scratchF >> 1) + u0, scratchRowFloats >> 1, 1, ny, count);
      for (let b = 0; b < count; b++) {
        const p = buf + 4 * b * lineFloatsY;
        mod._pffft_transform_ordered(setupY, p, p, work, FORWARD);
      }
      moveColumns(specC, plane / 2 + u0, rowFloats / 2, 1, heapC, bufC, 1, Ny, Ny, count);
    }
  }
}

/**
 * Pass B for y-frequency rows [v0, v1): z FFT of each column (zero-padded to Nz), multiplication
 * by the real kernel spectrum, inverse z FFT; only k < nz is written back.
 * `kernelSpectrum` holds K̂(u, v', w') for v' ≤ Ny/2, w' ≤ Nz/2 at ((v'·halfX + u)·(Nz/2+1) + w')
 * (the kernel is even in every axis, so K̂ is real and even); the 1/(Nx·Ny·Nz) of the inverse
 * transforms and any dose scale are folded into it.
 */
export function convolveRows(
  ctx: FftContext,
  layout: FftLayout,
  spectrum: Float32Array,
  kernelSpectrum: Float32Array,
  v0: number,
  v1: number,
): void {
  const nz = layout.dims[2];
  const [, Ny, Nz] = layout.padded;
  const { rowFloats, planeFloats, halfX } = layout;
  checkPassRange("convolveRows", v0, v1, Ny);
  ensureBuffers(ctx, 2 * Nz);
  const mod = ctx.module;
  const setupZ = setupFor(ctx, Nz, true);
  const heap = mod.HEAPF32;
  const buf = ctx.bufferPtr;
  const bufF = buf >> 2;
  // Complex values move as one float64 (two float32 bit patterns; exact for finite data).
  const heapC = new Float64Array(heap.buffer);
  const specC = new Float64Array(spectrum.buffer, spectrum.byteOffset, spectrum.length >> 1);
  const bufC = buf >> 3;
  const work = ctx.workPtr;
  const lineFloats = 2 * Nz;
  const halfZ = Nz / 2 + 1;
  const nyquistZ = Nz / 2;
  for (let v = v0; v < v1; v++) {
    const vv = v <= Ny / 2 ? v : Ny - v;
    for (let u0 = 0; u0 < halfX; u0 += BATCH) {
      const count = Math.min(BATCH, halfX - u0);
      for (let b = 0; b < count; b++) heap.fill(0, bufF + b * lineFloats + 2 * nz, bufF + (b + 1) * lineFloats);
      moveColumns(heapC, bufC, 1, Nz, specC, (v * rowFloats) / 2 + u0, planeFloats / 2, 1, nz, count);
      for (let b = 0; b < count; b++) {
        const p = buf + 4 * b * lineFloats;
        // Ordered transforms (frequency w at floats 2w, 2w + 1): the real, even kernel spectrum
        // multiplies w and Nz − w alike, one load for four floats. The ordered transform is the
        // unordered one plus a permutation (pffft.c), so this gives the same bits as multiplying
        // in PFFFT's internal order through a slot table; pass B on 256³ took 148 ms instead of 182.
        mod._pffft_transform_ordered(setupZ, p, p, work, FORWARD);
        const line = bufF + b * lineFloats;
        const kRow = (vv * halfX + u0 + b) * halfZ;
        let gain = kernelSpectrum[kRow];
        heap[line] *= gain;
        heap[line + 1] *= gain;
        gain = kernelSpectrum[kRow + nyquistZ];
        heap[line + 2 * nyquistZ] *= gain;
        heap[line + 2 * nyquistZ + 1] *= gain;
        for (let w = 1, up = line + 2, down = line + lineFloats - 2; w < nyquistZ; w++, up += 2, down -= 2) {
          gain = kernelSpectrum[kRow + w];
          heap[up] *= gain;
          heap[up + 1] *= gain;
          heap[down] *= gain;
          heap[down + 1] *= gain;
        }
        mod._pffft_transform_ordered(setupZ, p, p, work, BACKWARD);
      }
      moveColumns(specC, (v * rowFloats) / 2 + u0, planeFloats / 2, 1, heapC, bufC, 1, Nz, nz, count);
    }
  }
}

/**
 * Pass C for planes [k0, k1): inverse y FFTs (all Ny rows in, rows j < ny out), then inverse real
 * x FFTs of rows j < ny, writing voxels i < nx of `out` (x-fastest, the layout's dims).
 */
export function inversePlanes(
  ctx: FftContext,
  layout: FftLayout,
  spectrum: Float32Array,
  out: Float32Array | Float64Array,
  k0: number,
  k1: number,
): void {
  checkPassRange("inversePlanes", k0, k1, layout.dims[2]);
  const { nx, ny, Nx, Ny, rowFloats, planeFloats, halfX, mod, setupX, setupY, heap, buf, heapC, specC, bufC, work, lineFloatsY, scratchPtr, scratchRowFloats, linePtr, lineF } =
    planePassSetup(ctx, layout, spectrum);
  const scratchF = scratchPtr >> 2;
  for (let k = k0; k < k1; k++) {
    const plane = k * planeFloats;
    for (let u0 = 0; u0 < halfX; u0 += BATCH) {
      const count = Math.min(BATCH, halfX - u0);
      moveColumns(heapC, bufC, 1, Ny, specC, plane / 2 + u0, rowFloats / 2, 1, Ny, count);
      for (let b = 0; b < count; b++) {
        const p = buf + 4 * b * lineFloatsY;
        mod._pffft_transform_ordered(setupY, p, p, work, BACKWARD);
      }
      moveColumns(heapC, (scratchF >> 1) + u0, scratchRowFloats >> 1, 1, heapC, bufC, 1, Ny, ny, count);
    }
    // x: the real DC and Nyquist values are packed back into floats 0 and 1 for PFFFT.
    for (let j = 0; j < ny; j++) {
      const row = scratchF + j * scratchRowFloats;
      heap[row + 1] = heap[row + Nx];
      mod._pffft_transform_ordered(setupX, row << 2, linePtr, work, BACKWARD);
      out.set(heap.subarray(lineF, lineF + nx), (k * ny + j) * nx);
    }
  }
}

/**
 * The FFT dose convolution on the worker pool (issue 6). src/dose/fft3d.ts splits a convolution
 * into three passes over half-open ranges — A: forward planes, B: convolved y-frequency rows,
 * C: inverse planes — whose ranges are independent within a pass. Here each pass is cut into a
 * fixed number of slabs (a property of the grid, not of the thread count) and the slabs run as
 * tasks over grids in SharedArrayBuffers: the activity, the half-spectrum, the kernel spectrum and
 * the output are shared, never cloned (DESIGN.md: a 256³ float32 grid cloned costs ~1.3 s).
 *
 * Every line transform is the same PFFFT call on the same numbers whichever context (thread)
 * runs it, so the dose is bit-identical to the inline doseFromActivity for any number of workers
 * (test/parallel/dose.test.ts). Each worker thread keeps one FFT context (its own WebAssembly
 * instance).
 */
import { convolveRows, createFftContext, forwardPlanes, inversePlanes, type FftContext, type FftLayout } from "../dose/fft3d.js";
import type { FftPassRunner } from "../dose/convolve.js";
import type { WorkerPool } from "./pool.js";
import type { Task } from "./tasks.js";
import { sharedCopyOf } from "./sharedMemory.js";

/** Slabs per pass: enough for 2–16 threads to balance, few enough that a slab is ≥ 1 ms of work. */
export const DOSE_SLABS_PER_PASS = 16;

export type FftPass = "forward" | "convolve" | "inverse";

export interface FftPassInput {
  readonly pass: FftPass;
  readonly layout: FftLayout;
  readonly input: Float32Array | Float64Array;
  readonly spectrum: Float32Array;
  readonly kernelSpectrum: Float32Array;
  readonly out: Float32Array | Float64Array;
  readonly start: number;
  readonly end: number;
}

let threadContext: Promise<FftContext> | null = null;

/** Handler of "dose.fftPass": one slab of one pass, with this thread's FFT context. */
export async function runFftPassTask(t: FftPassInput): Promise<null> {
  threadContext ??= createFftContext();
  const ctx = await threadContext;
  if (t.pass === "forward") forwardPlanes(ctx, t.layout, t.input, t.spectrum, t.start, t.end);
  else if (t.pass === "convolve") convolveRows(ctx, t.layout, t.spectrum, t.kernelSpectrum, t.start, t.end);
  else inversePlanes(ctx, t.layout, t.spectrum, t.out, t.start, t.end);
  return null;
}

/** Half-open slabs [start, end) covering [0, length) in `DOSE_SLABS_PER_PASS` nearly equal parts. */
export function slabs(length: number, parts = DOSE_SLABS_PER_PASS): Array<[number, number]> {
  const count = Math.max(1, Math.min(parts, length));
  return Array.from({ length: count }, (_, i) => [Math.floor((i * length) / count), Math.floor(((i + 1) * length) / count)] as [number, number]);
}

export interface ParallelDoseOptions {
  readonly signal?: AbortSignal;
  /** Called after each slab: (done, total) over the three passes. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * A pass runner for doseFromActivity's `runPasses` option: the three passes as slab tasks on
 * `pool`, over shared grids.
 *
 * Input and output grids on SharedArrayBuffers (what the pipeline's dose stage allocates when it
 * has worker threads) are handed to the threads as they are. Plain arrays are copied to and from
 * shared buffers of the runner, overlapped with the work: each slab of pass A is dispatched as
 * soon as its planes are copied in, and each slab of pass C is copied out as soon as it is done,
 * while the threads work on the others (a 256³ float32 grid is ~15 ms to copy each way).
 */
export function fftPassRunner(pool: WorkerPool, options: ParallelDoseOptions = {}): FftPassRunner {
  // Shared buffers are kept between calls of this runner (repeated doses on grids of one size,
  // as in benchmarks and microdosimetry tiles): a 256³ grid's SharedArrayBuffers cost ~30 ms each
  // to allocate and zero. Pass A overwrites the whole spectrum, so no clearing is needed.
  const buffers = new Map<string, Float32Array | Float64Array>();
  let busy = false;
  const buffer = <T extends Float32Array | Float64Array>(key: string, Ctor: new (buffer: SharedArrayBuffer) => T, length: number, bytesPer: number): T => {
    const name = `${key}:${Ctor.name}:${length}`;
    let b = busy ? undefined : (buffers.get(name) as T | undefined);
    if (b === undefined) {
      b = new Ctor(new SharedArrayBuffer(length * bytesPer));
      if (!busy) {
        for (const k of [...buffers.keys()]) if (k.startsWith(`${key}:`)) buffers.delete(k);
        buffers.set(name, b);
      }
    }
    return b;
  };
  const sharedLike = <T extends Float32Array | Float64Array>(key: string, x: T): T =>
    x.buffer instanceof SharedArrayBuffer ? x : ((x instanceof Float64Array ? buffer(key, Float64Array, x.length, 8) : buffer(key, Float32Array, x.length, 4)) as T);
  return async (layout, input, kernelSpectrum, out) => {
    const [nx, ny, nz] = layout.dims;
    const planeVoxels = nx * ny;
    const Ny = layout.padded[1];
    // Kernel spectra are cached per kernel and grid size and never written: copied once each.
    const kernel = sharedCopyOf(kernelSpectrum);
    const sharedInput = sharedLike("input", input);
    const sharedOut = sharedLike("out", out);
    const grids = { layout, input: sharedInput, spectrum: buffer("spectrum", Float32Array, layout.spectrumFloats, 4), kernelSpectrum: kernel, out: sharedOut };
    const wasBusy = busy;
    busy = true;
    try {
      const passTasks = (pass: FftPass, length: number, what: string): Task<FftPassInput>[] =>
        slabs(length).map(([start, end]) => ({ kind: "dose.fftPass", unitId: `dose/${pass}/${what}-${start}-${end}`, input: { ...grids, pass, start, end } }));
      const passes = [passTasks("forward", nz, "planes"), passTasks("convolve", Ny, "rows"), passTasks("inverse", nz, "planes")];
      const total = passes.reduce((n, p) => n + p.length, 0);
      let done = 0;
      const slabDone = () => options.onProgress?.(++done, total);
      const runOptions = options.signal ? { signal: options.signal } : {};
      // Each pass needs the previous one complete: awaiting all of its slabs is the barrier.
      const [forward, convolve, inverse] = passes;
      if (sharedInput === input) {
        await pool.runAll(forward, { ...runOptions, onProgress: slabDone });
      } else {
        await eachSettled(
          forward.map((task) => {
            const { start, end } = task.input;
            sharedInput.set(input.subarray(start * planeVoxels, end * planeVoxels), start * planeVoxels);
            return pool.runAll([task], runOptions).then(slabDone);
          }),
        );
      }
      await pool.runAll(convolve, { ...runOptions, onProgress: slabDone });
      if (sharedOut === out) {
        await pool.runAll(inverse, { ...runOptions, onProgress: slabDone });
      } else {
        await eachSettled(
          inverse.map((task) =>
            pool.runAll([task], runOptions).then(() => {
              const { start, end } = task.input;
              out.set(sharedOut.subarray(start * planeVoxels, end * planeVoxels) as never, start * planeVoxels);
              slabDone();
            }),
          ),
        );
      }
    } finally {
      busy = wasBusy;
    }
  };
}

/**
 * Wait for every promise, then reject with the first failure in task order: no slab of this call
 * is still writing to the runner's buffers when the error surfaces (they may be reused).
 */
async function eachSettled(promises: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

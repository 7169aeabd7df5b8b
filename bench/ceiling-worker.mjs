/**
 * Worker of the "machine ceiling" rows of bench/parallel-speedup.ts: it holds a private copy of a
 * one-thread job (a transport run on its own copy of the tree, or a dose convolution on its own
 * grids, or pure computation) and runs it inline when asked, answering with the wall time in ms. Two of these running
 * the same job at once measure how much two threads of exactly this code slow each other on the
 * machine (shared caches, memory bandwidth, the host's other guests) with nothing shared between
 * them: the throughput a 2-worker run could reach at best, measured in the same minutes.
 *
 * Plain JavaScript on the compiled engine (dist/, `npm run build` first): worker threads do not
 * inherit tsx's loader.
 */
import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { simulateTransport } from "../dist/src/transport/simulate.js";
import { doseFromActivity } from "../dist/src/dose/convolve.js";
import { createFftContext } from "../dist/src/dose/fft3d.js";

const job = workerData;
/**
 * Pure computation: eight independent integer chains (no memory traffic, no dependency between
 * iterations of a chain beyond one add), enough work for the core's integer ports to be the
 * limit. Two threads scale it 2× on two physical cores; on the two hyper-threads of one core they
 * share those ports and get ≈ 1.0–1.6× (latency-bound chains, which leave ports idle, would
 * still scale 2× there).
 */
function integerChains(n) {
  let a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8;
  for (let i = 0; i < n; i++) {
    a = (a + i) | 0;
    b = (b ^ i) | 0;
    c = (c + (i << 1)) | 0;
    d = (d ^ (i >> 1)) | 0;
    e = (e + (i ^ 3)) | 0;
    f = (f - i) | 0;
    g = (g ^ (i << 2)) | 0;
    h = (h + (i | 5)) | 0;
  }
  return a ^ b ^ c ^ d ^ e ^ f ^ g ^ h;
}

let run;
if (job.kind === "compute") {
  run = () => integerChains(job.iterations);
} else if (job.kind === "transport") {
  run = () => simulateTransport(job.tree, job.options, 1);
} else {
  const context = await createFftContext();
  const out = { ...job.activity, data: new Float32Array(job.activity.data.length) };
  run = () => doseFromActivity(out, job.activity, job.kernel, { context });
}
// Warm-up: the JIT compiles this thread's copy of the code.
for (let i = 0; i < 2; i++) await run();
parentPort.postMessage("ready");
parentPort.on("message", async () => {
  const t = performance.now();
  await run();
  parentPort.postMessage(performance.now() - t);
});

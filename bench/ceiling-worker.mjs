/**
 * Worker of the "machine ceiling" rows of bench/parallel-speedup.ts: it holds a private copy of a
 * one-thread job (a transport run on its own copy of the tree, or a dose convolution on its own
 * grids) and runs it inline when asked, answering with the wall time in ms. Two of these running
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
let run;
if (job.kind === "transport") {
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

/**
 * Speed-up on worker threads (issue 6): the transport Monte Carlo and the FFT dose on 2 workers
 * against 1 (inline), in the same run, alternating sides so that load from other jobs on the
 * shared machine hits both alike; the pool's per-task overhead (a trivial task, and an empty
 * transport task carrying its shared-memory views); and the 2-worker dose against
 * scipy.signal.fftconvolve (one thread) on the same grid.
 *
 *   npm run build && npx tsx bench/parallel-speedup.ts [--terminals 500000] [--spheres 44000000]
 *     [--size 192] [--voxel-mm 4.42] [--rounds 3] [--no-scipy]
 *
 * Both sides are warmed up first (each worker thread JIT-compiles the cascade for itself).
 * Wall time and CPU time (process.cpuUsage: all threads of the process) are printed side by
 * side with the load average, because the machine is shared: a wall-clock speed-up below 2 on
 * 2 cores can mean the other core was busy with someone else's job. Each timed run therefore
 * starts in an idle moment of the machine (/proc/stat), and every row reports the CPU that other
 * processes used while its runs were timed. In the same rounds it measures the machine's ceiling
 * for the one-batch transport and the dose: two private copies of the 1-worker job run on two
 * threads at once against one alone (ceilingMeter, bench/ceiling-worker.mjs), and after every
 * round a host check: pure computation on two threads against one, which tells whether the host
 * gave the VM's two vCPUs two physical cores during that round (see bench/parallel.md).
 */
import { spawnSync } from "node:child_process";
import { Worker } from "node:worker_threads";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createPool, type WorkerPool } from "../src/parallel/pool.js";
import { createSubtreeRunner, simulateTransportParallel, type SubtreeTaskInput } from "../src/parallel/transport.js";
import { fftPassRunner } from "../src/parallel/dose.js";
import type { Task } from "../src/parallel/tasks.js";
import { simulateTransport, transportSteps, type TransportOptions } from "../src/transport/simulate.js";
import { median } from "./median.js";
import { runSubtreeWork } from "../src/transport/subtrees.js";
import { doseFromActivity } from "../src/dose/convolve.js";
import { createFftContext } from "../src/dose/fft3d.js";
import { voxelSValues } from "../src/dose/svalues.js";
import { axisAlignedGeometry, type Vec3 } from "../src/geometry/grid.js";
import { benchmarkActivity, benchmarkTree, writeScipyInputs } from "./inputs.js";

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const terminals = Number(arg("--terminals", "500000"));
const spheres = Number(arg("--spheres", "44000000"));
const size = Number(arg("--size", "192"));
const voxelMm = Number(arg("--voxel-mm", "4.42"));
const rounds = Number(arg("--rounds", "3"));
const withScipy = !args.includes("--no-scipy");

interface Timing {
  wallS: number;
  cpuS: number;
}

async function timed(f: () => Promise<unknown> | unknown): Promise<Timing> {
  const c = process.cpuUsage();
  const t = performance.now();
  await f();
  const used = process.cpuUsage(c);
  return { wallS: (performance.now() - t) / 1000, cpuS: (used.user + used.system) / 1e6 };
}

/** CPU seconds the whole machine has spent busy (Linux /proc/stat), or NaN elsewhere. */
function machineBusyS(): number {
  try {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / 100; // user, nice, system, irq, softirq, steal; USER_HZ = 100
  } catch {
    return NaN;
  }
}

/** CPU that other processes used while a row's runs were timed, in cores. */
function othersMeter() {
  let busyS = 0;
  let wallS = 0;
  return {
    add(othersBusyS: number, timedWallS: number): void {
      busyS += othersBusyS;
      wallS += timedWallS;
    },
    cores: () => busyS / wallS,
  };
}

/**
 * Other jobs on the machine come and go within seconds: each timed run waits (up to 10 s) for a
 * 0.3 s window in which the machine was idle, and the CPU other processes used while it ran is
 * added to `others` (reported with the table).
 */
async function quietTimed(f: () => Promise<unknown> | unknown, others: ReturnType<typeof othersMeter>): Promise<Timing> {
  for (let i = 0; i < 30; i++) {
    const before = machineBusyS();
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (!(machineBusyS() - before > 0.01)) break;
  }
  const before = machineBusyS();
  const t = await timed(f);
  others.add(machineBusyS() - before - t.cpuS, t.wallS);
  return t;
}

const best = (xs: Timing[]) => xs.reduce((a, b) => (b.wallS < a.wallS ? b : a));
const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");

/**
 * The machine's ceiling for a one-thread job, measured in the same run: two worker threads each
 * hold a private copy of the job (bench/ceiling-worker.mjs) and run it alone, one after the other,
 * then both at once. (alone₀ + alone₁) / max(together₀, together₁) is the throughput two threads
 * of exactly this code reach on this machine with nothing shared between them: 2.0 on two idle
 * cores, less when they slow each other (shared caches and memory bandwidth, the host's other
 * guests). A 2-worker run of the same job cannot beat it, whatever its decomposition.
 */
async function ceilingMeter(job: object) {
  const workers = [0, 1].map(() => new Worker(new URL("./ceiling-worker.mjs", import.meta.url), { workerData: job }));
  await Promise.all(workers.map((w) => new Promise((resolve, reject) => (w.once("message", resolve), w.once("error", reject)))));
  const runOn = (w: Worker) =>
    new Promise<number>((resolve) => {
      w.once("message", resolve);
      w.postMessage("run");
    });
  const ratios: number[] = [];
  return {
    ratios,
    async round(others: ReturnType<typeof othersMeter>): Promise<void> {
      let alone = 0;
      let together = 0;
      await quietTimed(async () => {
        alone = (await runOn(workers[0])) + (await runOn(workers[1]));
      }, others);
      await quietTimed(async () => {
        together = Math.max(...(await Promise.all(workers.map(runOn))));
      }, others);
      ratios.push(alone / together);
    },
    close: () => Promise.all(workers.map((w) => w.terminate())),
  };
}
const ceilingRows: string[] = [];
function ceilingRow(name: string, ratios: number[], speedups: number[]): string {
  const bestCeiling = Math.max(...ratios);
  return `| ${name} | ${bestCeiling.toFixed(2)}× (median ${median(ratios).toFixed(2)}×) | ${Math.max(...speedups).toFixed(2)}× (median ${median(speedups).toFixed(2)}×) | ${(median(speedups) / median(ratios)).toFixed(2)} |`;
}

const rows: string[] = [];
const loadBefore = load();
const pool2 = createPool({ workers: 2 });
const pool1 = createPool({ workers: 1 });
// The host check, in the same rounds as every job: pure computation (no memory traffic) on two
// threads vs one (bench/ceiling-worker.mjs). ≈ 2 when the two vCPUs run on two physical cores,
// ≈ 1.0–1.6 while the host runs them on the two hyper-threads of one core or lends one to
// another guest; no code can then reach 2 either.
const compute = await ceilingMeter({ kind: "compute", iterations: 2e8 });
const computeOthers = othersMeter();
/** Per round of each job: its 2-worker speed-ups, its ceiling, and the host check right after. */
const perRound: Array<{ job: string; columns: Record<string, number[]> }> = [];

// --- per-task overhead -------------------------------------------------------------------------
async function perTaskUs(pool: WorkerPool, tasks: Task[]): Promise<number> {
  await pool.runAll(tasks.slice(0, 200));
  const t = performance.now();
  await pool.runAll(tasks);
  return ((performance.now() - t) * 1000) / tasks.length;
}
const echo: Task[] = Array.from({ length: 4000 }, (_, i) => ({ kind: "parallel.echo", unitId: `e${i}`, input: { value: i } }));
const overhead = {
  echoInline: await perTaskUs(pool1, echo),
  echo2: await perTaskUs(pool2, echo),
  transport2: 0,
};
// --- transport -----------------------------------------------------------------------------------
const tBuild = performance.now();
const tree = benchmarkTree(terminals);
const buildS = (performance.now() - tBuild) / 1000;
// An empty transport task: the views on shared memory (the tree's and the run's per-segment
// arrays) a real pass carries, no subtree to run; measures the cost of passing them per task.
const firstStep = transportSteps(tree, { spheres: 1 }, 1, createSubtreeRunner(pool2).memory).next();
if (firstStep.done) throw new Error("transportSteps yielded nothing");
const views = Object.values(firstStep.value.work.arrays).filter((x) => ArrayBuffer.isView(x)).length;
const emptyTransport: Task<SubtreeTaskInput>[] = Array.from({ length: 4000 }, (_, i) => ({
  kind: "transport.subtrees",
  unitId: `t${i}`,
  input: { work: { ...firstStep.value.work, roots: new Int32Array(0) } },
}));
overhead.transport2 = await perTaskUs(pool2, emptyTransport);
const diameterUm = { mean: 32.5, sd: 2.5, min: 20, max: 60 };
const transportCases: Array<[string, TransportOptions]> = [
  ["transport, no feedback (1 batch)", { spheres, diameterUm, lungShuntFraction: 0.05 }],
  ["transport, embolic feedback (tol 10 %)", { spheres, diameterUm, lungShuntFraction: 0.05, embolic: { enabled: true, capacitySpheres: 50, batchTolerance: 0.1 } }],
];
/**
 * One transport run driven step by step, timing the passes over the cut subtrees (what the
 * workers run) apart from the driver's serial part on the main thread (the top of the tree above
 * the cut, batch sizes, the timeline, result assembly).
 */
async function transportRun(options: TransportOptions, pool: WorkerPool | null, others = othersMeter()): Promise<{ total: Timing; units: Timing }> {
  const units: Timing = { wallS: 0, cpuS: 0 };
  const total = await quietTimed(async () => {
    const runner = pool ? createSubtreeRunner(pool) : null;
    const steps = transportSteps(tree, options, 1, runner?.memory);
    let step = steps.next();
    while (!step.done) {
      const s = step.value;
      let result = null as unknown as ReturnType<typeof runSubtreeWork>;
      const t = await timed(async () => {
        result = runner ? await runner.run(s) : runSubtreeWork(s.work);
      });
      units.wallS += t.wallS;
      units.cpuS += t.cpuS;
      step = steps.next(result);
    }
  }, others);
  return { total, units };
}

for (const [name, options] of transportCases) {
  const ref = simulateTransport(tree, options, 1); // warm-up, and the reference result
  const two = await simulateTransportParallel(tree, options, 1, pool2);
  // Each worker thread compiles the cascade on its own: a few batches before timing (a cold
  // 2-worker run of one batch was 2–3× slower than a warm one).
  for (let w = 0; w < 3; w++) await transportRun(options, pool2);
  const same = Buffer.from(two.segmentLodged.buffer).equals(Buffer.from(ref.segmentLodged.buffer));
  const one: Array<{ total: Timing; units: Timing }> = [];
  const par: Array<{ total: Timing; units: Timing }> = [];
  const others = othersMeter();
  // The ceiling is measured for the one-batch run (a few seconds per round); the feedback run
  // repeats the same passes 40 times.
  const ceiling = options.embolic === undefined ? await ceilingMeter({ kind: "transport", tree, options }) : null;
  for (let r = 0; r < rounds; r++) {
    one.push(await transportRun(options, null, others));
    par.push(await transportRun(options, pool2, others));
    await ceiling?.round(others);
    await compute.round(computeOthers);
  }
  perRound.push({
    job: name,
    columns: {
      "whole runs": one.map((x, i) => x.total.wallS / par[i].total.wallS),
      ...(ceiling === null ? {} : { ceiling: ceiling.ratios }),
      "host check": compute.ratios.slice(-rounds),
    },
  });

  if (ceiling !== null) {
    await ceiling.close();
    ceilingRows.push(ceilingRow(`${name}: whole run`, ceiling.ratios, one.map((x, i) => x.total.wallS / par[i].total.wallS)));
  }
  rows.push(tableRow(`${name}: whole run`, `${ref.batches} batches; other processes ${others.cores().toFixed(2)} cores`, one.map((x) => x.total), par.map((x) => x.total), same));
  const unitShare = median(one.map((x) => x.units.wallS / x.total.wallS));
  rows.push(tableRow(`${name}: subtree passes only`, `${(100 * unitShare).toFixed(0)} % of the 1-worker run`, one.map((x) => x.units), par.map((x) => x.units), same));
}

// --- dose ----------------------------------------------------------------------------------------
// The 1-worker side convolves plain arrays inline, as the dose stage does with --workers 1. The
// 2-worker side gets its activity and output on SharedArrayBuffers, as the dose stage allocates
// them when it has worker threads (src/pipeline/doseStage.ts), so the runner hands them to the
// threads without copying; a third row gives the runner plain arrays, which it copies to and from
// shared memory. Both sides reuse their spectrum between calls (FFT context, runner).
const dims: Vec3 = [size, size, size];
const g = axisAlignedGeometry(dims, [voxelMm, voxelMm, voxelMm]);
const activity = benchmarkActivity(size);
const sharedFloats = (length: number) => new Float32Array(new SharedArrayBuffer(4 * length));
const activityShared = sharedFloats(size ** 3);
activityShared.set(activity);
const kernel = voxelSValues("Y-90", voxelMm);
const ctx = await createFftContext();
const runner = fftPassRunner(pool2);
const outInline = { ...g, data: new Float32Array(size ** 3) };
const outPar = { ...g, data: sharedFloats(size ** 3) };
const outCopied = { ...g, data: new Float32Array(size ** 3) };
const dose1 = () => doseFromActivity(outInline, { ...g, data: activity }, kernel, { context: ctx });
const dose2 = () => doseFromActivity(outPar, { ...g, data: activityShared }, kernel, { context: ctx, runPasses: runner });
const dose2Copied = () => doseFromActivity(outCopied, { ...g, data: activity }, kernel, { context: ctx, runPasses: runner });
// A fresh kernel object per call recomputes the kernel spectrum (on the main thread), as scipy
// transforms its kernel on every call: the like-for-like comparison with fftconvolve.
const dose2Fresh = () => doseFromActivity(outPar, { ...g, data: activityShared }, { ...kernel }, { context: ctx, runPasses: runner });
// Warm-up: JIT in the main thread and in each worker thread, spectra allocated and faulted in.
for (let w = 0; w < 2; w++) {
  await dose1();
  await dose2();
  await dose2Copied();
}
const same = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(outInline.data.buffer));
const doseSame = same(outPar.data);
const copiedSame = same(outCopied.data);
const doseOthers = othersMeter();
const doseCeiling = await ceilingMeter({ kind: "dose", activity: { ...g, data: activity }, kernel });
const d1: Timing[] = [];
const d2: Timing[] = [];
const d2Copied: Timing[] = [];
const d2Fresh: Timing[] = [];
for (let r = 0; r < rounds; r++) {
  d1.push(await quietTimed(dose1, doseOthers));
  d2.push(await quietTimed(dose2, doseOthers));
  d2Copied.push(await quietTimed(dose2Copied, doseOthers));
  if (withScipy) d2Fresh.push(await quietTimed(dose2Fresh, doseOthers));
  await doseCeiling.round(doseOthers);
  await compute.round(computeOthers);
}
await compute.close();
perRound.push({
  job: `dose FFT ${size}³, grids in shared memory`,
  columns: {
    "whole runs": d1.map((x, i) => x.wallS / d2[i].wallS),
    ceiling: doseCeiling.ratios,
    "host check": compute.ratios.slice(-rounds),
  },
});

await doseCeiling.close();
ceilingRows.push(ceilingRow(`dose FFT ${size}³, grids in shared memory`, doseCeiling.ratios, d1.map((x, i) => x.wallS / d2[i].wallS)));
const others = `other processes ${doseOthers.cores().toFixed(2)} cores`;
rows.push(tableRow(`dose FFT ${size}³, ${voxelMm} mm (kernel spectrum cached), grids in shared memory`, `${kernel.halfWidth[0]}-voxel half-width; ${others}`, d1, d2, doseSame));
rows.push(tableRow(`dose FFT ${size}³, plain arrays (the 2-worker runner copies them)`, `${kernel.halfWidth[0]}-voxel half-width; ${others}`, d1, d2Copied, copiedSame));

// --- scipy ---------------------------------------------------------------------------------------
let scipyLine = "scipy: skipped (--no-scipy)";
if (withScipy) {
  const PY = String.raw`
import sys, time, numpy as np, scipy
from scipy.signal import fftconvolve
n, h, reps, path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
a = np.fromfile(path + "/activity.f32", dtype=np.float32).reshape(n, n, n)
k = np.fromfile(path + "/kernel.f32", dtype=np.float32).reshape(2*h+1, 2*h+1, 2*h+1)
fftconvolve(a, k, mode="same")
times, cpu = [], []
for _ in range(reps):
    t, c = time.perf_counter(), time.process_time(); out = fftconvolve(a, k, mode="same")
    times.append(time.perf_counter() - t); cpu.append(time.process_time() - c)
print(scipy.__version__, " ".join(str(x) for x in times + cpu))
`;
  const dir = mkdtempSync(join(tmpdir(), "sirtsim-bench-par-"));
  try {
    const h = writeScipyInputs(dir, activity, kernel);
    const py = spawnSync("python3", ["-c", PY, String(size), String(h), String(rounds), dir], { encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" } });
    if (py.status !== 0) {
      scipyLine = `scipy: failed (${py.stderr.trim().split("\n").pop()})`;
    } else {
      const [version, ...rest] = py.stdout.trim().split(/\s+/);
      const scipy = rest.slice(0, rounds).map((x, i) => ({ wallS: Number(x), cpuS: Number(rest[rounds + i]) }));
      const b2 = best(d2Fresh);
      const bs = best(scipy);
      scipyLine =
        `| dose FFT ${size}³, 2 workers (kernel spectrum recomputed per call) vs scipy ${version} fftconvolve (1 thread) | ` +
        `${b2.wallS.toFixed(3)} s / ${b2.cpuS.toFixed(3)} s CPU | ${bs.wallS.toFixed(3)} s / ${bs.cpuS.toFixed(3)} s CPU | ` +
        `**${(b2.wallS / bs.wallS).toFixed(2)}×** (median ${(median(d2Fresh.map((x) => x.wallS)) / median(scipy.map((x) => x.wallS))).toFixed(2)}×) |`;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await pool2.destroy();
await pool1.destroy();

function tableRow(name: string, detail: string, one: Timing[], two: Timing[], identical: boolean): string {
  const b1 = best(one);
  const b2 = best(two);
  const m1 = median(one.map((x) => x.wallS));
  const m2 = median(two.map((x) => x.wallS));
  return (
    `| ${name} | ${detail} | ${b1.wallS.toFixed(3)} / ${b1.cpuS.toFixed(3)} | ${b2.wallS.toFixed(3)} / ${b2.cpuS.toFixed(3)} | ` +
    `**${(b1.wallS / b2.wallS).toFixed(2)}×** (median ${(m1 / m2).toFixed(2)}×) | ${identical ? "yes" : "NO"} |`
  );
}

console.log(`parallel speed-up, node ${process.version}, ${availableParallelism()} cores; ${terminals} terminals (built in ${buildS.toFixed(1)} s), ${spheres} spheres; best of ${rounds} alternating rounds`);
console.log(`load average (1, 5, 15 min) before: ${loadBefore}; after: ${load()}`);
console.log("");
console.log("| work | size | 1 worker: wall s / CPU s | 2 workers: wall s / CPU s | speed-up, wall (best) | bit-identical |");
console.log("|---|---|---:|---:|---:|---|");
for (const r of rows) console.log(r);
console.log("");
console.log("| machine ceiling, same rounds: two private copies of the 1-worker job on 2 threads vs 1 (throughput) | ceiling: best (median) | sirtsim 2 workers vs 1, round by round: best (median) | median speed-up / median ceiling |");
console.log("|---|---:|---:|---:|");
for (const r of ceilingRows) console.log(r);
console.log("");
console.log(
  `| host check, same rounds: pure computation (8 independent integer chains, no memory traffic), 2 threads vs 1 (throughput) | ` +
    `${Math.max(...compute.ratios).toFixed(2)}× (median ${median(compute.ratios).toFixed(2)}×, worst ${Math.min(...compute.ratios).toFixed(2)}×; other processes ${computeOthers.cores().toFixed(2)} cores) | | |`,
);
console.log("");
console.log("Round by round (2 workers vs 1; the host check measured right after each round):");
console.log("");
for (const { job, columns } of perRound) {
  const names = Object.keys(columns);
  console.log(`| ${job}: round | ${names.join(" | ")} |`);
  console.log(`|---|${names.map(() => "---:").join("|")}|`);
  for (let r = 0; r < rounds; r++) console.log(`| ${r + 1} | ${names.map((k) => `${columns[k][r].toFixed(2)}×`).join(" | ")} |`);
  console.log("");
}
console.log("| comparison | sirtsim: wall / CPU | scipy: wall / CPU | ratio, wall (best) |");
console.log("|---|---:|---:|---:|");
console.log(scipyLine);
console.log("");
console.log("| pool overhead | µs per task |");
console.log("|---|---:|");
console.log(`| trivial task, inline (--workers 1) | ${overhead.echoInline.toFixed(1)} |`);
console.log(`| trivial task, 2 threads | ${overhead.echo2.toFixed(1)} |`);
console.log(`| empty transport task with its ${views} shared views, 2 threads | ${overhead.transport2.toFixed(1)} |`);

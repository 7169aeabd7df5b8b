/**
 * Dose convolution benchmark: a 256³ activity grid convolved with the Y-90 voxel S-value kernel
 * ('same' size) by sirtsim (PFFFT SIMD, one thread) and by scipy.signal.fftconvolve on the same
 * grid in the same run (python3 + scipy must be on the machine; nothing is installed).
 *
 *   npx tsx bench/dose.ts [--size 256] [--voxel-mm 4.42,2] [--rounds 3] [--repeats 2]
 *
 * Each side runs in its own process so that peak memory (max RSS) is its own. Prints a table with
 * the time ratio sirtsim / scipy (best of the repeats; these machines are shared and noisy) and
 * the largest difference between the two dose grids.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { doseFromActivity } from "../src/dose/convolve.js";
import { createFftContext } from "../src/dose/fft3d.js";
import { voxelSValues } from "../src/dose/svalues.js";
import { axisAlignedGeometry, type Vec3 } from "../src/geometry/grid.js";
import { benchmarkActivity, writeScipyInputs } from "./inputs.js";

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};

const PY = String.raw`
import sys, time, resource, numpy as np, scipy
from scipy.signal import fftconvolve
n, h, reps, path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
a = np.fromfile(path + "/activity.f32", dtype=np.float32).reshape(n, n, n)
k = np.fromfile(path + "/kernel.f32", dtype=np.float32).reshape(2*h+1, 2*h+1, 2*h+1)
times, cpu = [], []
for _ in range(reps):
    t, c = time.perf_counter(), time.process_time(); out = fftconvolve(a, k, mode="same")
    times.append(time.perf_counter() - t); cpu.append(time.process_time() - c)
out.astype(np.float32).tofile(path + "/scipy.f32")
print(scipy.__version__, np.__version__, " ".join(str(x) for x in times + cpu), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
`;
import { median } from "./median.js";

interface Row {
  voxelMm: number;
  paddedDims: string;
  sirtsimS: number[];
  scipyS: number[];
  sirtsimCpuS: number[];
  scipyCpuS: number[];
  sirtsimPeakMb: number;
  scipyPeakMb: number;
  maxRelDiff: number;
  scipyVersion: string;
}

/** Child mode: time sirtsim's convolution, write the dose, print times and max RSS. */
async function child(n: number, voxelMm: number, reps: number, dir: string): Promise<void> {
  const dims: Vec3 = [n, n, n];
  const g = axisAlignedGeometry(dims, [voxelMm, voxelMm, voxelMm]);
  const activity = new Float32Array(readFileSync(join(dir, "activity.f32")).buffer.slice(0));
  const out = { ...g, data: new Float32Array(n ** 3) };
  const ctx = await createFftContext();
  const times: number[] = [];
  const cpu: number[] = [];
  let padded = "";
  // Like scipy, which is handed the kernel array, the S-values are computed once, outside the
  // timing (30–60 ms); the kernel's spectrum is part of every call (a fresh kernel object each time
  // defeats doseFromActivity's spectrum memo, as scipy also transforms its kernel on every call).
  const kernel = voxelSValues("Y-90", voxelMm);
  for (let r = 0; r < reps; r++) {
    const fresh = { ...kernel };
    const t = performance.now();
    const c = process.cpuUsage();
    const res = await doseFromActivity(out, { ...g, data: activity }, fresh, { context: ctx });
    const used = process.cpuUsage(c);
    times.push((performance.now() - t) / 1000);
    cpu.push((used.user + used.system) / 1e6);
    padded = (res.paddedDims ?? []).join("x");
  }
  writeFileSync(join(dir, "sirtsim.f32"), new Uint8Array(out.data.buffer));
  process.stdout.write(JSON.stringify({ times, cpu, padded, maxRssKb: process.resourceUsage().maxRSS }) + "\n");
}

async function run(): Promise<void> {
  const n = Number(arg("--size", "256"));
  const voxels = arg("--voxel-mm", "4.42,2").split(",").map(Number);
  const reps = Number(arg("--repeats", "2"));
  const rounds = Number(arg("--rounds", "3"));
  const self = fileURLToPath(import.meta.url);
  const rows: Row[] = [];
  for (const voxelMm of voxels) {
    const dir = mkdtempSync(join(tmpdir(), "sirtsim-bench-dose-"));
    try {
      // The activity and the full kernel for scipy (bench/inputs.ts); the child reads the same activity.
      const h = writeScipyInputs(dir, benchmarkActivity(n), voxelSValues("Y-90", voxelMm));

      // Alternate the two sides (rounds of `reps` calls each) so that load from other jobs on
      // the shared machine hits both alike.
      const scipyS: number[] = [];
      const sirtsimS: number[] = [];
      const scipyCpuS: number[] = [];
      const sirtsimCpuS: number[] = [];
      let scipyPeakMb = 0;
      let sirtsimPeakMb = 0;
      let scipyVersion = "";
      let padded = "";
      for (let round = 0; round < rounds; round++) {
        const py = spawnSync("python3", ["-c", PY, String(n), String(h), String(reps), dir], { encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" } });
        if (py.status !== 0) throw new Error(`python3/scipy failed: ${py.stderr}`);
        const [version, , ...rest] = py.stdout.trim().split(/\s+/);
        scipyVersion = version;
        scipyS.push(...rest.slice(0, reps).map(Number));
        scipyCpuS.push(...rest.slice(reps, 2 * reps).map(Number));
        scipyPeakMb = Math.max(scipyPeakMb, Number(rest[2 * reps]) / 1024);
        const js = spawnSync(process.execPath, [...process.execArgv, self, "--child", String(n), String(voxelMm), String(reps), dir], { encoding: "utf8" });
        if (js.status !== 0) throw new Error(`sirtsim child failed: ${js.stderr}`);
        const res = JSON.parse(js.stdout.trim().split("\n").pop() as string) as { times: number[]; cpu: number[]; padded: string; maxRssKb: number };
        sirtsimS.push(...res.times);
        sirtsimCpuS.push(...res.cpu);
        sirtsimPeakMb = Math.max(sirtsimPeakMb, res.maxRssKb / 1024);
        padded = res.padded;
      }

      const a = new Float32Array(readFileSync(join(dir, "sirtsim.f32")).buffer.slice(0));
      const b = new Float32Array(readFileSync(join(dir, "scipy.f32")).buffer.slice(0));
      let max = 0;
      let diff = 0;
      for (let i = 0; i < a.length; i++) {
        max = Math.max(max, Math.abs(b[i]));
        diff = Math.max(diff, Math.abs(a[i] - b[i]));
      }
      rows.push({ voxelMm, paddedDims: padded, sirtsimS, scipyS, sirtsimCpuS, scipyCpuS, sirtsimPeakMb, scipyPeakMb, maxRelDiff: diff / max, scipyVersion });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const best = (x: number[]) => Math.min(...x);
  const lines = [
    `dose convolution ${n}^3, Y-90 kernel, 'same' size, one thread; scipy ${rows[0]?.scipyVersion} fftconvolve (float32); ${rounds} alternating rounds x ${reps} calls per side, node ${process.version}`,
    "| voxel mm | kernel | sirtsim FFT size | sirtsim wall best / median s | scipy wall best / median s | wall ratio (best) | sirtsim CPU best s | scipy CPU best s | CPU ratio (best) | peak RSS sirtsim / scipy MB | max |diff| / max |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    const w = 2 * voxelSValues("Y-90", r.voxelMm).halfWidth[0] + 1;
    lines.push(
      `| ${r.voxelMm} | ${w}³ | ${r.paddedDims} | ${best(r.sirtsimS).toFixed(3)} / ${median(r.sirtsimS).toFixed(3)} | ${best(r.scipyS).toFixed(3)} / ${median(r.scipyS).toFixed(3)} | ${(best(r.sirtsimS) / best(r.scipyS)).toFixed(2)} | ${best(r.sirtsimCpuS).toFixed(3)} | ${best(r.scipyCpuS).toFixed(3)} | ${(best(r.sirtsimCpuS) / best(r.scipyCpuS)).toFixed(2)} | ${r.sirtsimPeakMb.toFixed(0)} / ${r.scipyPeakMb.toFixed(0)} | ${r.maxRelDiff.toExponential(1)} |`,
    );
  }
  process.stdout.write(lines.join("\n") + "\n");
}

if (args[0] === "--child") await child(Number(args[1]), Number(args[2]), Number(args[3]), args[4]);
else await run();

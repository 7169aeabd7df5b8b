/**
 * Inputs the benchmarks share, so that bench/transport.ts, bench/dose.ts and
 * bench/parallel-speedup.ts measure the same problems (their tables are compared side by side in
 * bench/*.md).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createStream } from "../src/random/stream.js";
import { sValueAt, type VoxelSValues } from "../src/dose/svalues.js";
import { cumulatedSecondsPerBq } from "../src/dose/timeIntegration.js";
import type { ArterialTree } from "../src/vascular/tree.js";
import { buildSyntheticTree } from "../test/transport/helpers/syntheticTree.js";

/**
 * The transport benchmarks' synthetic tree: `terminals` terminals of radius 15 µm, Murray γ = 3,
 * two hypervascular tumours (5 % of the terminals 1.3× wider, 2 % 1.2× wider), seed 1.
 */
export function benchmarkTree(terminals: number): ArterialTree {
  return buildSyntheticTree({
    terminals,
    terminalRadiusMm: 0.015,
    murrayExponent: 3,
    tumours: [
      { name: "T1", firstTerminal: Math.floor(terminals * 0.1), terminals: Math.floor(terminals * 0.05), radiusScale: 1.3 },
      { name: "T2", firstTerminal: Math.floor(terminals * 0.6), terminals: Math.floor(terminals * 0.02), radiusScale: 1.2 },
    ],
    seed: 1,
  });
}

/** The dose benchmarks' activity: n³ voxels, 30 % active with uniform activity in [0, 1e5) Bq, as from lodged-sphere clusters. */
export function benchmarkActivity(n: number): Float32Array {
  const rng = createStream(2026, 0);
  const activity = new Float32Array(n ** 3);
  for (let i = 0; i < activity.length; i++) activity[i] = rng.nextFloat() < 0.3 ? rng.nextFloat() * 1e5 : 0;
  return activity;
}

/**
 * Write what the scipy side of a dose benchmark reads into `dir`: activity.f32 and kernel.f32, the
 * full Y-90 kernel in Gy per Bq at the reference time (the scale of sirtsim's output). Returns the
 * kernel's half-width.
 */
export function writeScipyInputs(dir: string, activity: Float32Array, kernel: VoxelSValues): number {
  writeFileSync(join(dir, "activity.f32"), new Uint8Array(activity.buffer, activity.byteOffset, activity.byteLength));
  const h = kernel.halfWidth[0];
  const w = 2 * h + 1;
  const scale = cumulatedSecondsPerBq("Y-90") * 1e-9;
  const full = new Float32Array(w ** 3);
  for (let k = 0; k < w; k++) for (let j = 0; j < w; j++) for (let i = 0; i < w; i++) full[i + w * (j + w * k)] = sValueAt(kernel, i - h, j - h, k - h) * scale;
  writeFileSync(join(dir, "kernel.f32"), new Uint8Array(full.buffer));
  return h;
}

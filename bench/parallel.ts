/**
 * Worker-pool overhead (issue 6): time per trivial task on the piscina pool against a baseline
 * measured in the same run — one `new Worker` per task, what worker-threads-pool does.
 * Run: npm run build && npx tsx bench/parallel.ts
 */
import { Worker } from "node:worker_threads";
import { performance } from "node:perf_hooks";
import { createPool, workerEntryPath } from "../src/parallel/pool.js";
import type { Task } from "../src/parallel/tasks.js";

const TASKS = 2000;
const SPAWNS = 20;

async function poolPerTaskUs(workers: number): Promise<number> {
  const pool = createPool({ workers });
  const tasks: Task[] = Array.from({ length: TASKS }, (_, i) => ({ kind: "parallel.echo", unitId: `u${i}`, input: { value: i } }));
  try {
    await pool.runAll(tasks.slice(0, 100)); // warm-up: threads started, code compiled
    const t0 = performance.now();
    await pool.runAll(tasks);
    return ((performance.now() - t0) * 1000) / TASKS;
  } finally {
    await pool.destroy();
  }
}

async function spawnPerTaskUs(): Promise<number> {
  const entry = workerEntryPath();
  const t0 = performance.now();
  for (let i = 0; i < SPAWNS; i++) {
    await new Promise<void>((resolve, reject) => {
      const w = new Worker(
        `import(${JSON.stringify(entry)}).then(async (m) => { const { parentPort } = await import("node:worker_threads"); parentPort.postMessage(await m.default({ kind: "parallel.echo", unitId: "s", input: { value: 1 } })); });`,
        { eval: true },
      );
      w.once("message", () => {
        void w.terminate().then(() => resolve());
      });
      w.once("error", reject);
    });
  }
  return ((performance.now() - t0) * 1000) / SPAWNS;
}

const inlineUs = await poolPerTaskUs(1);
const pooledUs = await poolPerTaskUs(2);
const spawnUs = await spawnPerTaskUs();
console.log("| mode | µs per task | ratio to new-Worker-per-task |");
console.log("|---|---:|---:|");
console.log(`| inline (--workers 1) | ${inlineUs.toFixed(1)} | ${(inlineUs / spawnUs).toExponential(2)} |`);
console.log(`| piscina, 2 threads | ${pooledUs.toFixed(1)} | ${(pooledUs / spawnUs).toExponential(2)} |`);
console.log(`| new Worker per task (baseline) | ${spawnUs.toFixed(0)} | 1 |`);

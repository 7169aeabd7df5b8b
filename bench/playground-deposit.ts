/**
 * The playground's sphere placement split across threads (playground/src/deposit.ts), in Node:
 * the same requests the page's helper Web Workers answer, answered by worker_threads, for the
 * NET preset's resin case on the playground's 2e4-terminal tree and 4 mm grid. Rounds alternate
 * 0, 1, … `maxHelpers` helpers in the same process (so machine load hits each alike) and print the
 * median wall time of each and its ratio to 0 helpers; every split's grid is checked equal to the
 * single-thread one (integer counts), and the process CPU time (all threads) shows what the split
 * itself costs. On a machine shared with other sessions the kernel may give this process its
 * share whatever its thread count (autogroup scheduling): run it on an idle machine.
 *
 *   npx tsx bench/playground-deposit.ts [rounds=5] [maxHelpers=1] [terminals=20000]
 */
import { build } from "esbuild";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { numericCase } from "../playground/build.js";
import { depositOnHelpers, type DepositPort } from "../playground/src/deposit.js";
import { heterogeneityModels } from "../playground/src/engine.js";
import { median } from "./median.js";
import { caseFromSettings, settingsFromCase } from "../playground/src/settings.js";
import { loadSimulationCase } from "../src/pipeline/caseInput.js";
import { simulateCore } from "../src/pipeline/core.js";

const rounds = Number(process.argv[2] ?? 5);
const maxHelpers = Number(process.argv[3] ?? 1);
const terminals = Number(process.argv[4] ?? 20_000);

/** The helper's script: playground/src/deposit.ts bundled (as the page bundles it) behind a worker_threads port. */
async function helperScript(dir: string): Promise<string> {
  const file = join(dir, "helper.mjs");
  await build({
    stdin: {
      contents: `import { parentPort } from "node:worker_threads";
import { runDepositRequest } from "./playground/src/deposit.ts";
parentPort.on("message", (r) => {
  const reply = runDepositRequest(r);
  parentPort.postMessage(reply, reply.counts ? [reply.counts.buffer] : []);
});`,
      resolveDir: fileURLToPath(new URL("..", import.meta.url)),
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    outfile: file,
    logLevel: "silent",
  });
  return file;
}

/** A worker_threads helper with the MessagePort-like face depositOnHelpers talks to. */
function helper(script: string): { port: DepositPort; stop: () => Promise<number> } {
  const w = new Worker(script);
  const listeners: Array<(ev: MessageEvent) => void> = [];
  w.on("message", (data) => listeners.forEach((l) => l({ data } as MessageEvent)));
  return { port: { postMessage: (m) => w.postMessage(m), addEventListener: (_t, l) => void listeners.push(l) }, stop: () => w.terminate() };
}

async function main(): Promise<void> {
  const base = numericCase(JSON.parse(await readFile(new URL("../fixtures/cases/net-default.json", import.meta.url), "utf8")), "net-default.json");
  const models = heterogeneityModels();
  const start = settingsFromCase(base, models[0].id);
  const settings = start;
  const simCase = loadSimulationCase(caseFromSettings(base, settings, models[0].transport, terminals), "net-default (playground)");
  const core = simulateCore(simCase);
  const dir = await mkdtemp(join(tmpdir(), "sirtsim-bench-deposit-"));
  const script = await helperScript(dir);
  const helpers = Array.from({ length: maxHelpers }, () => helper(script));
  try {
    const reference = await depositOnHelpers(simCase, core, []);
    // Warm the helpers (module load, JIT) before timing.
    for (let n = 1; n <= maxHelpers; n++) await depositOnHelpers(simCase, core, helpers.slice(0, n).map((h) => h.port));
    const wall: number[][] = Array.from({ length: maxHelpers + 1 }, () => []);
    // Process CPU (this thread and the helpers): the cost of the split itself (copies, adds).
    const cpu: number[][] = Array.from({ length: maxHelpers + 1 }, () => []);
    for (let r = 0; r < rounds; r++) {
      for (let n = 0; n <= maxHelpers; n++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const out = await depositOnHelpers(simCase, core, helpers.slice(0, n).map((h) => h.port));
        wall[n].push((performance.now() - t0) / 1000);
        const c = process.cpuUsage(c0);
        cpu[n].push((c.user + c.system) / 1e6);
        if (!Buffer.from(out.counts.data.buffer).equals(Buffer.from(reference.counts.data.buffer)) || out.outsideGrid !== reference.outsideGrid) throw new Error(`${n} helpers: the count grid differs from the single-thread one`);
      }
    }
    console.log(`${(core.transport.spheresInjected / 1e6).toFixed(1)} M spheres, ${reference.units} blocks, ${terminals} terminals; ${rounds} rounds; load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}\n`);
    console.log("| threads placing | wall, s (median, min–max) | speed-up vs 1 thread | process CPU, s (median) | grid equal to 1 thread |");
    console.log("|---|---|---|---|---|");
    for (let n = 0; n <= maxHelpers; n++) {
      console.log(`| ${n + 1} | ${median(wall[n]).toFixed(2)} (${Math.min(...wall[n]).toFixed(2)}–${Math.max(...wall[n]).toFixed(2)}) | ${(median(wall[0]) / median(wall[n])).toFixed(2)} | ${median(cpu[n]).toFixed(2)} | yes |`);
    }
  } finally {
    await Promise.all(helpers.map((h) => h.stop()));
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

/**
 * The transport stage of bench/scale.ts alone (issue 14): the default case
 * (fixtures/cases/net-default.json) with embolic feedback at `terminals` terminals, on a tree grown
 * once and cached in the OS temporary directory (tree.bin format, src/pipeline/stageFiles.ts), so
 * the batch rule can be profiled and compared without re-growing 1.5e6 terminals each time.
 *
 *   npm run build && npx tsx bench/scale-transport.ts 1500000 2          # terminals, workers
 *   npx tsx bench/scale-transport.ts 100000 2 --tolerance 0.05           # embolic.batchTolerance
 *   npx tsx bench/scale-transport.ts 100000 2 --rule vessel              # embolic.batchRule
 *   npx tsx bench/scale-transport.ts 100000 2 --seed 3 --set transport.embolic.plugLengthMm=0.3
 *
 * Prints: plan + transport wall and CPU seconds (process CPU: main thread plus the pool's
 * workers), batches, reflux share and every compartment's share of the injected spheres.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { resolveCase } from "../src/pipeline/resolveCase.js";
import { simulateCoreParallel } from "../src/pipeline/simulate.js";
import { withPool } from "../src/parallel/withPool.js";
import { applySetOptions, setOptionsOf } from "./setOptions.js";
import { cachedCaseTree } from "./treeCache.js";

const CASE = fileURLToPath(new URL("../fixtures/cases/net-default.json", import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const positional = args.filter((x, i) => !x.startsWith("--") && !(i > 0 && args[i - 1].startsWith("--")));
const terminals = Number(positional[0] ?? 1_500_000);
const workers = Number(positional[1] ?? 2);
const tolerance = flag("--tolerance");
const rule = flag("--rule");
const seed = flag("--seed");
/** `--set a.b.c=value` (repeatable): a JSON value into the case, e.g. --set transport.embolic.plugLengthMm=0.3. */
const sets = setOptionsOf(args);

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function main(): Promise<void> {
  const json = JSON.parse(readFileSync(CASE, "utf8")) as Record<string, unknown> & { tree: Record<string, unknown>; transport?: Record<string, unknown> };
  json.tree = { ...json.tree, terminals };
  const transport = json.transport ?? {};
  const embolic = (transport.embolic ?? {}) as Record<string, unknown>;
  json.transport = {
    ...transport,
    embolic: { ...embolic, ...(tolerance !== undefined ? { batchTolerance: Number(tolerance) } : {}), ...(rule !== undefined ? { batchRule: rule } : {}) },
  };
  if (seed !== undefined) (json as Record<string, unknown>).seed = Number(seed);
  applySetOptions(json as Record<string, unknown>, sets);
  const simCase = resolveCase({ json, path: CASE });
  const tree = cachedCaseTree(simCase, (line) => console.log(line));
  const load0 = loadavg();
  let batches = 0;
  let spheres = 0;
  const wall0 = performance.now();
  const cpu0 = cpuNow();
  const core = await withPool(workers, (pool) =>
    simulateCoreParallel(simCase, { stages: { tree }, pool, onTransportProgress: (_i, total, b) => ((batches = b), (spheres = total)) }),
  );
  const wall = (performance.now() - wall0) / 1000;
  const cpu = cpuNow() - cpu0;
  const s = core.transport.spheres as Record<string, number>;
  const total = Object.values(s).reduce((a, x) => a + x, 0);
  const shares = Object.entries(s).map(([k, v]) => `${k} ${(v / total).toFixed(5)}`).join(", ");
  console.log(
    `${terminals} terminals, ${workers} worker(s), rule ${rule ?? "default"}, tolerance ${tolerance ?? "default"}: plan + transport ${wall.toFixed(1)} wall s, ${cpu.toFixed(1)} CPU s; ${spheres} spheres in ${batches} batches; T/N ${core.transport.tumourToNormalRatio?.toFixed(4)}; load ${load0.map((x) => x.toFixed(1)).join(" ")} → ${loadavg().map((x) => x.toFixed(1)).join(" ")}`,
  );
  console.log(`shares: ${shares}`);
}

await main();

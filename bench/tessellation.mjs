/**
 * The tessellation of the terminal territories on one thread against the pool (issue 14's 1.5e6-
 * terminal benchmark): the default case (fixtures/cases/net-default.json) at N terminals, grown
 * by growTreeDetailed on this thread and by growTreeDetailedOnPool on W workers, in the order one
 * thread, pool, pool, one thread (neither has the warm-up to itself), each stage's wall seconds printed (GrowthStats.stageSeconds: the lattice counts under
 * "tessellation" in both), and the two trees compared byte for byte.
 *
 *   npm run build && node bench/tessellation.mjs [terminals=1500000] [workers=2]
 *
 * Plain JavaScript on the compiled engine (dist/), as `sirtsim simulate` runs: under tsx the
 * pool's workers ran the sites stage 2–3× slower (bench/README.md "Scale", 2026-12-08).
 */
import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { URL } from "node:url";
import { resolveCase } from "../dist/src/pipeline/resolveCase.js";
import { growTreeDetailed } from "../dist/src/vascular/grow.js";
import { serializeTree } from "../dist/src/vascular/export.js";
import { growTreeDetailedOnPool } from "../dist/src/parallel/tree.js";
import { createPool } from "../dist/src/parallel/pool.js";

const terminals = Number(process.argv[2] ?? 1_500_000);
const workers = Number(process.argv[3] ?? 2);
const path = new URL("../fixtures/cases/net-default.json", import.meta.url);
const json = JSON.parse(readFileSync(path, "utf8"));
const simCase = resolveCase({ json: { ...json, tree: { ...json.tree, terminals } }, path: path.pathname });
const args = [simCase.domain, simCase.tree, simCase.tree.seed, simCase.integral];

const pool = createPool({ workers });
// Start the workers before the clock (thread start and module loading are not the tessellation's).
await pool.runAll(Array.from({ length: workers }, (_, k) => ({ kind: "parallel.echo", unitId: `warm-${k}`, input: { value: k } })));
const rows = [];
const trees = [];
const oneThread = ["one thread", async () => growTreeDetailed(...args)];
const pooled = [`pool of ${workers}`, () => growTreeDetailedOnPool(pool, ...args)];
// Both orders, so that neither side has the JIT's and the heap's warm-up to itself.
for (const [label, grow] of [oneThread, pooled, pooled, oneThread]) {
  const t0 = performance.now();
  const { tree, stats } = await grow();
  rows.push({ label, total: (performance.now() - t0) / 1000, stages: stats.stageSeconds });
  trees.push(Buffer.from(serializeTree(tree)));
}
await pool.destroy();
console.log(`net-default.json, ${terminals.toLocaleString("en")} terminals; load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
const stages = Object.keys(rows[0].stages);
console.log(`| growth | ${stages.join(" | ")} | total |\n|---|${stages.map(() => "---:").join("|")}|---:|`);
for (const r of rows) console.log(`| ${r.label} | ${stages.map((s) => r.stages[s].wall.toFixed(1)).join(" | ")} | ${r.total.toFixed(1)} |`);
console.log(`trees byte for byte equal: ${trees.every((t) => t.equals(trees[0]))}`);

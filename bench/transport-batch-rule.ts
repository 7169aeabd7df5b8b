/**
 * Accuracy of the embolic batch rules (issue 14 scale benchmark; src/transport/embolicLoad.ts): the
 * default case (fixtures/cases/net-default.json) at 1e5 terminals, transport seeds 1..n, for rule
 * "vessel" at tol 0.01 (the reference: 5× smaller batches than the old default), "vessel" at 0.05
 * (the default before) and "subtree" at 0.01 (the default now); at the case's plugLengthMm (1.4 mm,
 * no reflux) and at 0.15 mm (stasis: ~11 % reflux). Prints mean ± sd of the batches, T/N and every
 * compartment's share, and each mean's distance to the reference in standard errors.
 *
 *   npm run build && npx tsx bench/transport-batch-rule.ts [terminals] [seeds]
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveCase } from "../src/pipeline/resolveCase.js";
import { growTreeDetailed } from "../src/vascular/grow.js";
import { simulateCoreParallel } from "../src/pipeline/simulate.js";
import { decodeTreeFile, encodeTreeFile } from "../src/pipeline/stageFiles.js";
import { withPool } from "../src/parallel/withPool.js";
import type { ArterialTree } from "../src/vascular/tree.js";

const CASE = fileURLToPath(new URL("../fixtures/cases/net-default.json", import.meta.url));
const terminals = Number(process.argv[2] ?? 100_000);
const seeds = Number(process.argv[3] ?? 5);
const base = JSON.parse(readFileSync(CASE, "utf8")) as Record<string, unknown> & { tree: Record<string, unknown>; transport: Record<string, unknown> };
base.tree = { ...base.tree, terminals };

function caseWith(plugLengthMm: number, batchRule: string, batchTolerance: number, seed: number) {
  const embolic = { ...(base.transport.embolic as object), plugLengthMm, batchRule, batchTolerance };
  return resolveCase({ json: { ...base, seed, transport: { ...base.transport, embolic } }, path: CASE });
}

function treeOf(): ArterialTree {
  const simCase = caseWith(1.4, "subtree", 0.01, 1);
  const cache = join(tmpdir(), `sirtsim-scale-tree-${terminals}-${simCase.tree.seed}.bin`);
  if (existsSync(cache)) return decodeTreeFile(readFileSync(cache), cache).tree;
  const tree = growTreeDetailed(simCase.domain, simCase.tree, simCase.tree.seed, simCase.integral).tree;
  writeFileSync(cache, encodeTreeFile(tree, {}));
  return tree;
}

type Run = Record<string, number>;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1));

async function main(): Promise<void> {
  const tree = treeOf();
  const configs: Array<[string, string, number, number]> = [
    ['"vessel" 0.01 (reference)', "vessel", 0.01, Math.min(3, seeds)],
    ['"vessel" 0.05 (default before)', "vessel", 0.05, seeds],
    ['"subtree" 0.01 (default now)', "subtree", 0.01, seeds],
  ];
  await withPool(2, async (pool) => {
    for (const plug of [1.4, 0.15]) {
      const runs: Run[][] = [];
      for (const [, rule, tol, n] of configs) {
        const rs: Run[] = [];
        for (let seed = 1; seed <= n; seed++) {
          const core = await simulateCoreParallel(caseWith(plug, rule, tol, seed), { stages: { tree }, pool });
          const s = core.transport.spheres as Record<string, number>;
          const total = Object.values(s).reduce((a, x) => a + x, 0);
          const run: Run = { batches: core.transport.batches, "T/N": core.transport.tumourToNormalRatio ?? NaN };
          for (const [k, v] of Object.entries(s)) run[`${k} share`] = v / total;
          rs.push(run);
        }
        runs.push(rs);
      }
      console.log(`\n${terminals} terminals, plugLengthMm ${plug}; seeds ${configs.map((c) => c[3]).join(" / ")}\n`);
      console.log(`| quantity | ${configs.map((c) => c[0]).join(" | ")} |\n|---|${configs.map(() => "---").join("|")}|`);
      for (const q of Object.keys(runs[0][0])) {
        const ref = runs[0].map((r) => r[q]);
        const cells = runs.map((rs, i) => {
          const xs = rs.map((r) => r[q]);
          const digits = q === "batches" ? 0 : q === "T/N" ? 4 : 6;
          const text = `${mean(xs).toFixed(digits)} ± ${sd(xs).toFixed(digits)}`;
          if (i === 0 || q === "batches") return text;
          const se = Math.sqrt(sd(ref) ** 2 / ref.length + sd(xs) ** 2 / xs.length);
          return se > 0 ? `${text} (${((mean(xs) - mean(ref)) / se).toFixed(1)} se)` : text;
        });
        console.log(`| ${q} | ${cells.join(" | ")} |`);
      }
    }
  });
}

await main();

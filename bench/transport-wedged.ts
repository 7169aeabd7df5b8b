/**
 * Where the spheres stop on the default case's cached trees (tree seed 7, feedback off): the share
 * wedged in resolved vessels, wedged by the sub-terminal cascade's unresolved size exclusion, and
 * spread over the 1 mg leaves, and the sizes of the wedged clusters (issue 14, bench/transport.md
 * "Where the wedged spheres sit"). Trees cached by bench/treeCache.ts.
 *
 *   npx tsx bench/transport-wedged.ts
 */
import { readFileSync } from "node:fs";
import { cachedCaseTree } from "./treeCache.js";
import { loadSimulationCase } from "../src/pipeline/caseInput.js";
import { simulateCore } from "../src/pipeline/simulate.js";
import { subTerminalOf } from "../src/pipeline/core.js";
import { SubTerminalCascade } from "../src/transport/models/subTerminal.js";
const json = JSON.parse(readFileSync(new URL("../fixtures/cases/net-default.json", import.meta.url), "utf8"));
for (const n of [100000, 300000, 1500000]) {
  const c = { ...json, tree: { ...json.tree, terminals: n, seed: 7 }, transport: { ...json.transport, embolic: { enabled: false } } };
  const simCase = loadSimulationCase(c);
  const tree = cachedCaseTree(simCase);
  const core = simulateCore(simCase, { stages: { tree } });
  const { subTerminal, territoryCells } = subTerminalOf(core, simCase.domain);
  if (subTerminal === null) throw new Error("the default case uses the fractal model");
  const cascade = new SubTerminalCascade(subTerminal);
  let resolved = 0, wedged = 0, leaves = 0;
  const sizes: number[] = [];
  for (let j = 0; j < tree.segmentCount; j++) {
    const k = core.transport.segmentLodged[j];
    if (k === 0) continue;
    if (tree.child0[j] >= 0) { resolved += k; sizes.push(k); continue; }
    cascade.spreadTerminal(tree, territoryCells, j, k, simCase.seed, (s) => { if (cascade.leafShare[0] === 0) { wedged += s; sizes.push(s); } else leaves += s; });
  }
  const tot = resolved + wedged + leaves;
  sizes.sort((a, b) => a - b);
  const q = (p: number) => sizes[Math.floor(p * (sizes.length - 1))];
  console.log(n, `terminals: resolved-vessel ${(resolved / tot).toFixed(3)}, cascade-wedged ${(wedged / tot).toFixed(3)}, spread ${(leaves / tot).toFixed(3)}; wedge clusters ${sizes.length}, size median ${q(0.5)}, p90 ${q(0.9)}, p99 ${q(0.99)}, max ${sizes[sizes.length - 1]}`);
}

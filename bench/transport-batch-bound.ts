/**
 * What sets the adaptive batch size of the embolic feedback (issue 14 scale benchmark): at the
 * default case's baseline flows, the per-vessel measure of batch rule "vessel" (max e_j/C_j, which
 * segment holds it) and the per-group drift of rule "subtree" (groups: the subtrees
 * BATCH_GROUP_DEPTH generations below the entry, src/transport/embolicLoad.ts),
 * and how many non-terminal segments lodge spheres by size exclusion.
 *
 *   npx tsx bench/scale-transport.ts 1500000 2     # grows and caches the tree first
 *   npx tsx bench/transport-batch-bound.ts 1500000
 */
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveCase } from "../src/pipeline/resolveCase.js";
import { decodeTreeFile } from "../src/pipeline/stageFiles.js";
import { resolvePlan } from "../src/pipeline/resolvePlan.js";
import { resolveTransportSections } from "../src/pipeline/core.js";
import { transportOptionsFromSections } from "../src/transport/config.js";
import { resolveOptions } from "../src/transport/simulate.js";
import { createTransportContext, cutOf } from "../src/transport/context.js";
import { BATCH_GROUP_DEPTH } from "../src/transport/embolicLoad.js";
import { createFlowState, solveSplits } from "../src/transport/flowSolve.js";

const terminals = Number(process.argv[2] ?? 100000);
const CASE = fileURLToPath(new URL("../fixtures/cases/net-default.json", import.meta.url));
const json = JSON.parse(readFileSync(CASE, "utf8")) as Record<string, unknown> & { tree: Record<string, unknown> };
json.tree = { ...json.tree, terminals };
const simCase = resolveCase({ json, path: CASE });
const cache = join(tmpdir(), `sirtsim-scale-tree-${terminals}-${simCase.tree.seed}.bin`);
if (!existsSync(cache)) throw new Error(`no cached tree ${cache}: run bench/scale-transport.ts ${terminals} first`);
const tree = decodeTreeFile(readFileSync(cache), cache).tree;
const { plan } = resolvePlan(simCase, tree, "bench");
const { options } = transportOptionsFromSections(tree, resolveTransportSections(simCase, plan), simCase.domain);
const r = resolveOptions(tree, options);
const ctx = createTransportContext(tree, r.entry, r.diameterUm, r.shunt, r.cutDepth);
const state = createFlowState(tree, r.capacity);
const reach = new Float64Array(tree.segmentCount);
solveSplits(new Float64Array(tree.segmentCount), state, ctx, r.splitOdds, new Int32Array(state.maxDepth + 1), { reach, lungShuntFraction: r.lsf, max: 0 });

/** Expected lodging per injected sphere in segment j (as splitRange). */
const lodging = (j: number): number => {
  const inside = ctx.passFraction === null ? reach[j] : reach[j] * ctx.passFraction[j];
  return tree.child0[j] < 0 ? reach[j] - inside * ctx.shuntFraction[tree.compartment[j]] : reach[j] - inside;
};
let max = 0;
let arg = -1;
let maxTerminal = 0;
let lodgingVessels = 0;
let lodgingReach = 0;
for (let j = ctx.entry; j < ctx.entryEnd; j++) {
  const x = lodging(j) / state.capacity[j];
  if (x > max) {
    max = x;
    arg = j;
  }
  if (tree.child0[j] < 0) maxTerminal = Math.max(maxTerminal, x);
  else if (x > 0) {
    lodgingVessels += 1;
    lodgingReach += reach[j];
  }
}
let maxDrift = 0;
const groups = cutOf(tree, r.entry, BATCH_GROUP_DEPTH).roots;
for (const root of groups) {
  if (!(reach[root] > 0)) continue;
  let d = 0;
  for (let j = root; j < tree.subtreeEnd[root]; j++) {
    const x = lodging(j) / state.capacity[j];
    if (x > 0) d += reach[j] * Math.min(1, state.resistance[j] * state.eq.conductance[j]) * x;
  }
  maxDrift = Math.max(maxDrift, d / reach[root]);
}
console.log(`${terminals} terminals, ${r.spheres} spheres`);
console.log(`rule "vessel": max e/C ${max.toExponential(3)} at segment ${arg} (${tree.child0[arg] < 0 ? "terminal" : "non-terminal"}, generation ${tree.generation[arg]}, C ${state.capacity[arg].toFixed(1)} spheres); largest terminal e/C ${maxTerminal.toExponential(3)}; first batch at tol 0.05: ${Math.floor(0.05 / max)} spheres`);
console.log(`non-terminal segments that lodge spheres: ${lodgingVessels}, summed reach ${lodgingReach.toFixed(3)} per injected sphere`);
console.log(`rule "subtree": max drift per sphere over ${groups.length} groups (${BATCH_GROUP_DEPTH} generations below the entry) ${maxDrift.toExponential(3)}; first batch at tol 0.01: ${Math.floor(0.01 / maxDrift)} spheres`);

/**
 * The cases the transport benches study, with their trees from the cache (treeCache.ts): the small
 * case of test/pipeline with the fractal model, the default case (fixtures/cases/net-default.json),
 * and the resolved run of the small case that the continuation benches cut into.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadSimulationCase, type SimulationCase } from "../src/pipeline/caseInput.js";
import { subTerminalOf, type SimulationCore } from "../src/pipeline/core.js";
import { simulateCore } from "../src/pipeline/simulate.js";
import type { SubTerminalModel } from "../src/transport/models/subTerminal.js";
import type { TerritoryCells } from "../src/transport/models/territoryCells.js";
import type { ArterialTree } from "../src/vascular/tree.js";
import { smallCase } from "../test/pipeline/smallCase.js";
import { optionOf } from "./setOptions.js";
import { subtreeMassMg } from "./subtreeMass.js";
import { cachedCaseTree } from "./treeCache.js";

/** `--terminals` (default 1.5e6) and `--tree-seed` (default 100) of a bench that reads one tree. */
export function treeOptions(args: readonly string[]): { terminals: number; treeSeed: number } {
  return { terminals: Number(optionOf(args, "terminals", "1500000")), treeSeed: Number(optionOf(args, "tree-seed", "100")) };
}

/** The small case (fractal model) at `terminals`, tree seed `treeSeed`, and its cached tree. */
export function smallCaseTree(terminals: number, treeSeed: number): { simCase: SimulationCase; tree: ArterialTree } {
  const simCase = loadSimulationCase(smallCase({ tree: { terminals, seed: treeSeed }, transport: { heterogeneity: { model: "fractal" } } }));
  return { simCase, tree: cachedCaseTree(simCase) };
}

/** The default case's file. */
export const NET_CASE = fileURLToPath(new URL("../fixtures/cases/net-default.json", import.meta.url));

/** The default case's JSON at `terminals`, tree seed `treeSeed` (a fresh copy: callers may edit it). */
export function netCaseJson(terminals: number, treeSeed: number): Record<string, unknown> {
  const json = JSON.parse(readFileSync(NET_CASE, "utf8")) as Record<string, unknown>;
  json.tree = { ...(json.tree as object), terminals, seed: treeSeed };
  return json;
}

/** The default case as `sirtsim simulate` runs it, at `terminals`, tree seed `treeSeed`, and its cached tree. */
export function netCaseTree(terminals: number, treeSeed: number): { simCase: SimulationCase; tree: ArterialTree } {
  const simCase = loadSimulationCase(netCaseJson(terminals, treeSeed));
  return { simCase, tree: cachedCaseTree(simCase) };
}

/** Run r of the small case at `terminals` (tree seed 100 + r, seed 200 + r, feedback off, fractal model) and what the continuation benches read of it. */
export interface ResolvedRun {
  readonly simCase: SimulationCase;
  readonly core: SimulationCore;
  readonly tree: ArterialTree;
  readonly subTerminal: SubTerminalModel;
  readonly cells: TerritoryCells;
  /** The unresolved lumen scale of the run's terminals (unresolvedLumen.ts). */
  readonly lumenScale: number;
  readonly lodged: Uint32Array;
  readonly massMg: Float64Array;
  /** The root of a subtree cut at M mg: it feeds ≤ M, its parent more. */
  readonly cutAt: (j: number, M: number) => boolean;
}

export function resolvedRun(terminals: number, r: number): ResolvedRun {
  const simCase = loadSimulationCase(smallCase({ seed: 200 + r, tree: { terminals, seed: 100 + r }, transport: { embolic: { enabled: false }, heterogeneity: { model: "fractal" } } }));
  const core = simulateCore(simCase, { stages: { tree: cachedCaseTree(simCase) } });
  const tree = core.tree;
  const { subTerminal, territoryCells: cells } = subTerminalOf(core, simCase.domain);
  if (subTerminal === null || cells === null || subTerminal.exclusion === null) throw new Error("the fractal model with cells and size exclusion expected");
  const massMg = subtreeMassMg(tree, subTerminal.densityGPerMl);
  const cutAt = (j: number, M: number) => massMg[j] <= M && (tree.parent[j] < 0 || massMg[tree.parent[j]] > M);
  return { simCase, core, tree, subTerminal, cells, lumenScale: subTerminal.exclusion.lumenScale, lodged: core.transport.segmentLodged, massMg, cutAt };
}

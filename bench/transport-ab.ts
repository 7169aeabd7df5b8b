/**
 * Same-process A/B of the transport stage of two source trees (two checkouts of sirtsim, e.g. a
 * `git archive <commit> | tar -x -C dir` with node_modules linked): the default case
 * (fixtures/cases/net-default.json) with embolic feedback at `terminals` terminals, plan +
 * transport on one thread (a pool of 1: inline, no workers, so neither tree needs a build), on
 * the tree cached by bench/scale-transport.ts (run that once first). Rounds alternate the order.
 * Prints CPU seconds, batches and T/N per run and the medians.
 *
 *   npx tsx bench/transport-ab.ts <rootA> <rootB> [terminals] [rounds] [--set path=json …]
 *   npx tsx bench/transport-ab.ts /tmp/base . 100000 5 --set transport.embolic.batchSpheres=500000
 */
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { applySetOptions, setOptionsOf } from "./setOptions.js";
import { median } from "./median.js";

const args = process.argv.slice(2);
/** `--set a.b.c=value` (repeatable): a JSON value into the case, as bench/scale-transport.ts. */
const sets = setOptionsOf(args);
const positional = args.filter((x, i) => x !== "--set" && args[i - 1] !== "--set");
const [rootA, rootB] = positional;
if (rootA === undefined || rootB === undefined) throw new Error("usage: npx tsx bench/transport-ab.ts <rootA> <rootB> [terminals] [rounds] [--set path=json …]");
const terminals = Number(positional[2] ?? 100_000);
const rounds = Number(positional[3] ?? 5);
const CASE = fileURLToPath(new URL("../fixtures/cases/net-default.json", import.meta.url));
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

interface Side {
  readonly name: string;
  // The two trees' modules have the same shapes but are distinct modules: typed loosely here.
  readonly resolveCase: (input: { json: unknown; path: string }) => { tree: { seed: number } };
  readonly simulateCoreParallel: (simCase: unknown, options: unknown) => Promise<{ transport: { batches: number; tumourToNormalRatio: number | null } }>;
  readonly decodeTreeFile: (bytes: Buffer, path: string) => { tree: unknown };
  readonly withPool: <T>(workers: number, run: (pool: unknown) => Promise<T>) => Promise<T>;
}

async function load(name: string, root: string): Promise<Side> {
  return {
    name,
    resolveCase: ((await import(`${root}/src/pipeline/resolveCase.ts`)) as { resolveCase: Side["resolveCase"] }).resolveCase,
    simulateCoreParallel: ((await import(`${root}/src/pipeline/simulate.ts`)) as { simulateCoreParallel: Side["simulateCoreParallel"] }).simulateCoreParallel,
    decodeTreeFile: ((await import(`${root}/src/pipeline/stageFiles.ts`)) as { decodeTreeFile: Side["decodeTreeFile"] }).decodeTreeFile,
    withPool: ((await import(`${root}/src/parallel/withPool.ts`)) as { withPool: Side["withPool"] }).withPool,
  };
}

const sides = [await load("A", rootA), await load("B", rootB)];
const json = JSON.parse(readFileSync(CASE, "utf8")) as Record<string, unknown> & { tree: Record<string, unknown> };
json.tree = { ...json.tree, terminals };
applySetOptions(json as Record<string, unknown>, sets);
const times: Record<string, number[]> = { A: [], B: [] };
for (let round = 0; round < rounds; round++) {
  for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
    const simCase = side.resolveCase({ json, path: CASE });
    const cache = join(tmpdir(), `sirtsim-scale-tree-${terminals}-${simCase.tree.seed}.bin`);
    const tree = side.decodeTreeFile(readFileSync(cache), cache).tree;
    const c0 = cpu();
    const core = await side.withPool(1, (pool) => side.simulateCoreParallel(simCase, { stages: { tree }, pool }));
    const dt = cpu() - c0;
    times[side.name].push(dt);
    console.log(`${side.name} round ${round}: ${dt.toFixed(2)} CPU s, ${core.transport.batches} batches, T/N ${core.transport.tumourToNormalRatio?.toFixed(4)}`);
  }
}
for (const side of sides) console.log(`${side.name} (${side.name === "A" ? rootA : rootB}): median ${median(times[side.name]).toFixed(2)} CPU s over ${rounds} (${times[side.name].map((x) => x.toFixed(2)).join(", ")})`);

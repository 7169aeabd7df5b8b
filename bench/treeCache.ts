/**
 * Trees of the benches' cases grown once and cached in the OS temporary directory
 * (sirtsim-scale-tree-<terminals>-<tree seed>-<first 12 hex of the inputs' SHA-256>.bin, the tree.bin
 * format of src/pipeline/stageFiles.ts; the hash keeps two cases' trees of one count and seed — the
 * small case's and the default case's — from overwriting each other),
 * so that studies at 1.5e6 terminals do not regrow them. A cached file names the geometry and tree
 * sections it was grown from (treeInputs, as `sirtsim tree` writes them) and is used only for the
 * same inputs: a file from other inputs (another tree section, or an older cache without inputs)
 * is grown again and overwritten. Used by benchCases.ts, scale-transport.ts, transport-capacity.ts,
 * transport-resolution.ts, transport-fractal-spread.ts and transport-wedged.ts.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SimulationCase } from "../src/pipeline/caseInput.js";
import { canonicalJson, decodeTreeFile, encodeTreeFile, sha256, treeInputs } from "../src/pipeline/stageFiles.js";
import { growTreeDetailed } from "../src/vascular/grow.js";
import type { ArterialTree } from "../src/vascular/tree.js";

function treeCachePath(terminals: number, treeSeed: number, inputsSha256: string): string {
  return join(tmpdir(), `sirtsim-scale-tree-${terminals}-${treeSeed}-${inputsSha256.slice(0, 12)}.bin`);
}

/** The tree of `simCase` (its geometry and tree sections), from the cache when it was grown from the same inputs. */
export function cachedCaseTree(simCase: SimulationCase, log: (line: string) => void = (line) => console.error(line)): ArterialTree {
  const inputs = treeInputs(simCase.geometry, simCase.tree, undefined);
  const inputsSha256 = sha256(canonicalJson(inputs));
  const path = treeCachePath(simCase.tree.terminals, simCase.tree.seed, inputsSha256);
  if (existsSync(path)) {
    const { tree, header } = decodeTreeFile(readFileSync(path), path);
    if (header.inputsSha256 === inputsSha256) return tree;
    log(`${path}: grown from other inputs; growing it again`);
  }
  const t0 = process.cpuUsage();
  const tree = growTreeDetailed(simCase.domain, simCase.tree, simCase.tree.seed, simCase.integral).tree;
  const cpu = process.cpuUsage(t0);
  writeFileSync(path, encodeTreeFile(tree, inputs));
  log(`tree ${simCase.tree.terminals}/${simCase.tree.seed} grown in ${((cpu.user + cpu.system) / 1e6).toFixed(1)} CPU s, cached at ${path}`);
  return tree;
}

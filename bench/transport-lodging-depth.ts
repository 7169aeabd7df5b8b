/**
 * Where the spheres stop at high tree resolution, and what the "larger daughter" attribution of a
 * non-terminal lodging does to the realised T/N (issue 14, open finding of 2026-12-06: T/N 3.87 at
 * 1e5 terminals vs 3.53 at 1.5e6, feedback off).
 *
 *   npx tsx bench/transport-lodging-depth.ts [terminals=100000,1500000]
 *
 * Default case (net-default.json), feedback off, 2 workers; trees cached as bench/scale-transport.ts
 * caches them. Per resolution: the share of spheres lodged in non-terminal vessels (size
 * exclusion), the terminals' lumen diameter (median, normal and tumour) against the resin
 * diameter, and the T/N under two attributions of a non-terminal lodging: the engine's
 * (src/transport/context.ts lodgeCompartmentRange: the larger-territory daughter's compartment when
 * this bench's table in bench/transport.md was measured; since 2026-12-07 the tissue at the
 * vessel's inlet, so "T/N reported" now follows that rule) and a flow-weighted split (each
 * compartment below the vessel gets its share of the vessel's terminal flow) — a diagnostic.
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
import { tumourToNormalRatio } from "../src/transport/result.js";

const CASE = fileURLToPath(new URL("../fixtures/cases/net-default.json", import.meta.url));
const counts = (process.argv[2] ?? "100000,1500000").split(",").map(Number);

for (const terminals of counts) {
  const json = JSON.parse(readFileSync(CASE, "utf8")) as Record<string, any>;
  json.tree = { ...json.tree, terminals };
  json.transport = { ...(json.transport ?? {}), embolic: { ...(json.transport?.embolic ?? {}), enabled: false } };
  const simCase = resolveCase({ json, path: CASE });
  const cache = join(tmpdir(), `sirtsim-scale-tree-${terminals}-${simCase.tree.seed}.bin`);
  const tree = existsSync(cache) ? decodeTreeFile(readFileSync(cache), cache).tree : growTreeDetailed(simCase.domain, simCase.tree, simCase.tree.seed, simCase.integral).tree;
  if (!existsSync(cache)) writeFileSync(cache, encodeTreeFile(tree, {}));
  const core = await withPool(2, (pool) => simulateCoreParallel(simCase, { stages: { tree }, pool }));
  const lodged = core.transport.segmentLodged;
  const n = tree.segmentCount;
  const nc = tree.compartmentNames.length;
  // Terminal flow per compartment below every segment (bottom-up), and the larger-daughter rule.
  const flowBelow = new Float64Array(n * nc);
  const volBelow = new Float64Array(n);
  const rule = new Int32Array(n);
  for (let j = n - 1; j >= 0; j--) {
    const c0 = tree.child0[j];
    if (c0 < 0) {
      flowBelow[j * nc + tree.compartment[j]] = tree.flowMlPerMin[j];
      volBelow[j] = tree.territoryMl[j];
      rule[j] = tree.compartment[j];
    } else {
      const c1 = tree.child1[j];
      for (let k = 0; k < nc; k++) flowBelow[j * nc + k] = flowBelow[c0 * nc + k] + flowBelow[c1 * nc + k];
      volBelow[j] = volBelow[c0] + volBelow[c1];
      rule[j] = rule[volBelow[c0] >= volBelow[c1] ? c0 : c1];
    }
  }
  const byRule = new Float64Array(nc);
  const byFlow = new Float64Array(nc);
  const volume = new Float64Array(nc);
  let atTerminals = 0;
  let atNonTerminals = 0;
  for (let j = 0; j < n; j++) {
    if (tree.child0[j] < 0) volume[tree.compartment[j]] += tree.territoryMl[j];
    const s = lodged[j];
    if (s === 0) continue;
    if (tree.child0[j] < 0) atTerminals += s;
    else atNonTerminals += s;
    byRule[rule[j]] += s;
    let f = 0;
    for (let k = 0; k < nc; k++) f += flowBelow[j * nc + k];
    for (let k = 0; k < nc; k++) byFlow[k] += (s * flowBelow[j * nc + k]) / f;
  }
  const diam = (c: (k: number) => boolean) => {
    const d: number[] = [];
    for (let j = 0; j < n; j++) if (tree.child0[j] < 0 && c(tree.compartment[j])) d.push(2000 * tree.radiusMm[j]);
    d.sort((a, b) => a - b);
    return d.length ? d[Math.floor(d.length / 2)] : NaN;
  };
  const f = (x: number | null) => (x === null ? "–" : x.toFixed(3));
  console.log(
    `${terminals} terminals: spheres lodged at terminals ${atTerminals}, in non-terminal vessels ${atNonTerminals} (${((100 * atNonTerminals) / (atTerminals + atNonTerminals)).toFixed(1)} %); ` +
      `median terminal lumen diameter normal ${diam((k) => k === 0).toFixed(1)} µm, tumours ${diam((k) => k > 0).toFixed(1)} µm; ` +
      `T/N reported ${f(core.transport.tumourToNormalRatio)}, larger-daughter rule ${f(tumourToNormalRatio(byRule, volume))}, flow-weighted split ${f(tumourToNormalRatio(byFlow, volume))}`,
  );
}

/**
 * The fractal model's spread of the tumours' share, per tree resolution, without spheres: the
 * EXPECTED compartment shares (flow-following with the fixed split odds of models/fractal.ts) for
 * many heterogeneity seeds on each default-case tree (cached by bench/treeCache.ts). Sphere counts add
 * only Poisson noise to these (millions of spheres), so this isolates the tree-level cascade.
 *
 *   npx tsx bench/transport-fractal-spread.ts [terminals=100000,1500000] [treeSeeds=7,8,9,10] [heterogeneitySeeds=20]
 *
 * Per tree: realised/geometry T/N over the heterogeneity seeds (mean ± sd), each tumour's share
 * relative to its geometry share (sd), and the law's RD at the tumour's mass, RD(1 g)·m^(1 − D)
 * (what a compact piece of tissue of that mass would show). Rows "above X g" keep only the draws at
 * bifurcations whose parent carries more than X g, to show at which masses the spread is made.
 */
import { readFileSync } from "node:fs";
import { loadSimulationCase } from "../src/pipeline/caseInput.js";
import { cachedCaseTree } from "./treeCache.js";
import { resolveHeterogeneity, splitOdds, relativeDispersion } from "../src/transport/models/heterogeneity.js";
import type { ArterialTree } from "../src/vascular/tree.js";

const args = process.argv.slice(2);
const counts = (args[0] ?? "100000,1500000").split(",").map(Number);
const treeSeeds = (args[1] ?? "7,8,9,10").split(",").map(Number);
const hSeeds = Number(args[2] ?? 20);
const net = JSON.parse(readFileSync(new URL("../fixtures/cases/net-default.json", import.meta.url), "utf8")) as { tree: Record<string, unknown> } & Record<string, unknown>;

/** Expected share of every compartment: the root's flow split down the tree with odds w. */
function shares(tree: ArterialTree, odds: Float64Array, share: Float64Array, nComp: number): Float64Array {
  const { child0, child1, flowMlPerMin: q, compartment } = tree;
  const out = new Float64Array(nComp);
  share.fill(0);
  share[0] = 1;
  for (let j = 0; j < tree.segmentCount; j++) {
    const c0 = child0[j];
    if (c0 < 0) {
      out[compartment[j]] += share[j];
      continue;
    }
    const c1 = child1[j];
    const a = odds[j] * q[c0];
    const p0 = a / (a + q[c1]);
    share[c0] = share[j] * p0;
    share[c1] = share[j] * (1 - p0);
  }
  return out;
}

function meanSd(xs: number[]): [number, number] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1);
  return [m, Math.sqrt(v)];
}

const model = resolveHeterogeneity({ model: "fractal" }, 0.5);
const thresholds = [0, 1, 10, 100];
console.log(`| terminals | tree | draws kept | T/N realised/geometry, mean ± sd over ${hSeeds} heterogeneity seeds | tumour shares' sd (relative), each | law RD at each tumour's mass |`);
console.log(`|---:|---:|---|---|---|---|`);
for (const n of counts) {
  for (const ts of treeSeeds) {
    const tree = cachedCaseTree(loadSimulationCase({ ...net, tree: { ...net.tree, terminals: n, seed: ts } }));
    const nComp = tree.compartmentNames.length;
    const vol = new Float64Array(nComp);
    for (let j = 0; j < tree.segmentCount; j++) if (tree.child0[j] < 0) vol[tree.compartment[j]] += tree.territoryMl[j];
    const work = new Float64Array(tree.segmentCount);
    const geo = shares(tree, new Float64Array(tree.segmentCount).fill(1), work, nComp);
    const tn = (s: Float64Array) => { let t = 0, v = 0; for (let k = 1; k < nComp; k++) { t += s[k]; v += vol[k]; } return (t / v) / (s[0] / vol[0]); };
    const tnGeo = tn(geo);
    // Parent mass per segment, g.
    const massG = new Float64Array(tree.segmentCount);
    for (let j = tree.segmentCount - 1; j >= 0; j--) {
      const c0 = tree.child0[j];
      massG[j] = c0 < 0 ? tree.territoryMl[j] * model.densityGPerMl : massG[c0] + massG[tree.child1[j]];
    }
    const law = Array.from({ length: nComp - 1 }, (_, k) => relativeDispersion(model, vol[k + 1] * model.densityGPerMl));
    for (const thr of thresholds) {
      const ratios: number[] = [];
      const per: number[][] = Array.from({ length: nComp - 1 }, () => []);
      for (let h = 0; h < hSeeds; h++) {
        const odds = splitOdds(tree, { ...model, seed: h });
        if (thr > 0) for (let j = 0; j < tree.segmentCount; j++) if (massG[j] <= thr) odds[j] = 1;
        const s = shares(tree, odds, work, nComp);
        ratios.push(tn(s) / tnGeo);
        for (let k = 1; k < nComp; k++) per[k - 1].push(s[k] / geo[k]);
      }
      const [m, sd] = meanSd(ratios);
      const perSd = per.map((xs) => meanSd(xs)[1].toFixed(3)).join(" / ");
      console.log(`| ${n} | ${ts} | ${thr === 0 ? "all" : `above ${thr} g`} | ${m.toFixed(3)} ± ${sd.toFixed(3)} | ${perSd} | ${thr === 0 ? law.map((x) => x.toFixed(3)).join(" / ") : ""} |`);
    }
  }
}

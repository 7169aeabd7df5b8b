/**
 * How many of a subtree's spheres the resolved tree wedges and how many the sub-terminal
 * continuation would (issue 14, the 1 mm dip): on the small case's 1.5e6-terminal tree (run 0,
 * feedback off), every subtree cut at M (root a bifurcation of ≤ M mg whose parent feeds more, as
 * bench/transport-continuation.ts cuts them); of the spheres lodged below its root, the share the
 * resolved tree wedges (in its non-terminal vessels; at its terminals' inlets and in their cell
 * cascades, by the cells a terminal owns) against the share the continuation from the root's lumen
 * wedges. bench/transport.md "How much the continuation wedges".
 *
 *   npx tsx bench/transport-continuation-wedged.ts [--mass 4]
 */
import { SubTerminalCascade } from "../src/transport/models/subTerminal.js";
import { createStream } from "../src/random/stream.js";
import { resolvedRun } from "./benchCases.js";
import { optionOf } from "./setOptions.js";

const args = process.argv.slice(2);
const M = Number(optionOf(args, "mass", "4"));
// Run 0, its tree from the cache (bench/benchCases.ts).
const { simCase, tree, cells, subTerminal, lumenScale, lodged, cutAt: cutAtMass } = resolvedRun(1500000, 0);
const n = tree.segmentCount;
const cutAt = (j: number) => cutAtMass(j, M);
const cascade = new SubTerminalCascade(subTerminal);
const cutCascade = new SubTerminalCascade(subTerminal);
cutCascade.useBlock(0);
const counts = createStream(777, 2n);
let wedgedNow = 0;
const onLeaf = (of: SubTerminalCascade) => (k: number) => { if (of.leafShare[0] === 0) wedgedNow += k; };
const res = { below: 0, vessel: 0, termCascade: 0, cont: 0, subtrees: 0 };
// Resolved: by terminal cell count.
const byCells = [0, 0, 0].map(() => ({ spheres: 0, wedged: 0 }));
const leafR = onLeaf(cascade);
const leafC = onLeaf(cutCascade);
// Resolved terminal-inlet wedges: measure by running spreadTerminal (inlet + cascade together).
for (let j = 0; j < n; j++) {
  if (!(tree.child0[j] >= 0 && cutAt(j))) continue;
  const end = tree.subtreeEnd[j];
  let below = 0;
  for (let q = j + 1; q < end; q++) below += lodged[q];
  if (below === 0) { j = end - 1; continue; }
  res.subtrees++;
  res.below += below;
  for (let q = j + 1; q < end; q++) {
    if (lodged[q] === 0) continue;
    if (tree.child0[q] >= 0) { res.vessel += lodged[q]; continue; }
    wedgedNow = 0;
    cascade.spreadTerminal(tree, cells, q, lodged[q], simCase.seed, leafR);
    const c = Math.min(2, cells.offsets[q + 1] - cells.offsets[q]);
    byCells[c].spheres += lodged[q];
    byCells[c].wedged += wedgedNow;
    res.termCascade += wedgedNow;
  }
  const lumen = 2000 * tree.radiusMm[j] * lumenScale;
  for (let a = 0; a < 3; a++) cutCascade.inletPoint[a] = tree.proximalMm[3 * j + a];
  wedgedNow = 0;
  if (cells.offsets[end] > cells.offsets[j]) cutCascade.descendCells(cells, cells.offsets[j], cells.offsets[end], below, counts, leafC, false, lumen, lumen);
  res.cont += wedgedNow;
  j = end - 1;
}
console.log(`M = ${M} mg: ${res.subtrees} subtrees with spheres below their root; ${res.below} spheres below`);
console.log(`resolved wedges ${((res.vessel + res.termCascade) / res.below).toFixed(4)} of them: in non-terminal vessels ${(res.vessel / res.below).toFixed(4)}, at/within terminals ${(res.termCascade / res.below).toFixed(4)}`);
console.log(`continuation wedges ${(res.cont / res.below).toFixed(4)}`);
console.log(`resolved terminals by cells 0/1/≥2: spheres ${byCells.map((b) => (b.spheres / res.below).toFixed(4)).join(" / ")}, wedged share of theirs ${byCells.map((b) => (b.wedged / Math.max(1, b.spheres)).toFixed(4)).join(" / ")}`);

/**
 * The sub-terminal continuation against the resolved subtree it stands for, on one tree (issue 14,
 * the distribution below the dose voxel). The portal-tract tree of the small case (1.5e6 terminals,
 * ~1 mg each) is run once; then every subtree of mass ≤ M whose parent feeds more than M is cut
 * off: the spheres the transport lodged below its inlet are spread by the sub-terminal cascade over
 * its terminals' unit-mass cells (or, owning none, a cube of its volume at its terminals'
 * territory-weighted centroid), as a terminal of mass M would spread them, from its own lumen
 * (× the unresolved lumen scale, unresolvedLumen.ts, ≈ 1 at this resolution); those wedged at its
 * inlet stay at its proximal point. M = 0 is the resolved tree. Same flows, same sphere counts per subtree,
 * same territories: what differs is only how the spheres are spread below M, so the 1 mm spread
 * (bench/wedgeCubes.ts) must not depend on M if the continuation is right. Per M, also where the
 * wedged spheres sit within the subtrees of --geo mg (default 16): wedge points per subtree, spheres
 * per point (at M = 0 and M = --geo), the sphere-weighted distance between points and to the subtree's centroid (per
 * subtree size, the cube root of its volume), and the share of the point pairs' weight closer than
 * 1 mm. Feedback off, tree seed 100 + r, seed 200 + r. bench/transport.md "The continuation
 * against the subtree it stands for".
 *
 *   npx tsx bench/transport-continuation.ts [--terminals 1500000] [--masses 0,2,4,8,16,32,64] [--run 0] [--geo 16] [--json PATH]
 *
 * `--json bench/resolution/continuation.json` keeps the rows (with the command and commit) that
 * docs/transport.md "Checked against the resolved subtree" quotes (bench/resolutionDocs.ts
 * continuationPhrases; test/docs/resolution-study.test.ts).
 */
import { SubTerminalCascade } from "../src/transport/models/subTerminal.js";
import { createStream } from "../src/random/stream.js";
import { writeFileSync } from "node:fs";
import { resolvedRun } from "./benchCases.js";
import { runCommit } from "./provenance.js";
import { optionOf } from "./setOptions.js";
import { WEDGE_CUBE_HEADER, WedgeCubes, wedgeCubeCells, type WedgeCubeRow } from "./wedgeCubes.js";

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => optionOf(args, name, fallback);
const terminals = Number(arg("terminals", "1500000"));
const masses = arg("masses", "0,2,4,8,16,32,64").split(",").map(Number);
const r = Number(arg("run", "0"));
const geoMg = Number(arg("geo", "16"));
const jsonPath = arg("json", "");
// Taken before the run (bench/provenance.ts).
const commit = runCommit();
/** Per M: the 1 mm cube decomposition and, at M = 0 and M = --geo, the wedge points' geometry. */
const results: Array<{ M: number; cut: number; cubes: WedgeCubeRow; geometry: null | { subtrees: number; pointsPerSubtree: number; spheresPerPoint: number; pairDistance: number; centroidDistance: number; nearWeight: number; nearWeightMm: { readonly "0.1": number; readonly "0.25": number; readonly "0.5": number } } }> = [];
// The resolved run, its tree from the cache (bench/benchCases.ts).
const { simCase, tree, cells, subTerminal, lumenScale, lodged, cutAt } = resolvedRun(terminals, r);
const n = tree.segmentCount;
/** The territory-weighted centroid of the terminals of subtree j: [volume mL, x, y, z mm]. */
function territoryCentroid(j: number): [number, number, number, number] {
  let v = 0, x = 0, y = 0, z = 0;
  for (let q = j; q < tree.subtreeEnd[j]; q++) if (tree.child0[q] < 0) {
    const t = tree.territoryMl[q];
    v += t; x += t * tree.distalMm[3 * q]; y += t * tree.distalMm[3 * q + 1]; z += t * tree.distalMm[3 * q + 2];
  }
  return [v, x / v, y / v, z / v];
}

{
  // How the resolved tree's terminals own the unit-mass cells (a one-cell terminal is one leaf and
  // spreads what it holds; one of several cells wedges at its inlet what is too wide for it), and
  // where its lodged spheres are.
  const own = [0, 0, 0], spheres = [0, 0, 0];
  for (let j = 0; j < n; j++) {
    if (tree.child0[j] >= 0) continue;
    const c = Math.min(2, cells.offsets[j + 1] - cells.offsets[j]);
    own[c]++;
    spheres[c] += lodged[j];
  }
  const t = own[0] + own[1] + own[2], s = spheres[0] + spheres[1] + spheres[2];
  console.log(`terminals owning 0 / 1 / ≥ 2 cells: ${own.map((x) => (x / t).toFixed(3)).join(" / ")} of ${t}; their lodged spheres ${spheres.map((x) => (x / s).toFixed(3)).join(" / ")}\n`);
}
console.log(`| M (mg) | subtrees cut ${WEDGE_CUBE_HEADER}`);
console.log(`|---|---|---|---|---|---|---|---|---|---|---|---|`);
const geometry: string[] = [];
const crossSplit: string[] = [];
for (const M of masses) {
  const cubes = new WedgeCubes(tree.distalMm, simCase.domain);
  const uniform = createStream(12345 + r, 1n);
  const counts = createStream(777 + r, 2n);
  // One cascade for the terminals (spreadTerminal keeps its blocks' streams) and one for the cut subtrees.
  const cascade = new SubTerminalCascade(subTerminal);
  const cutCascade = new SubTerminalCascade(subTerminal);
  cutCascade.useBlock(0);
  // Wedge points of the current --geo subtree (x, y, z, spheres), and the running sums.
  let geoEnd = -1;
  let pts: number[] = [];
  const g = { subtrees: 0, points: 0, spheres: 0, pair: 0, pairWeight: 0, centroid: 0, near: 0, near01: 0, near025: 0, near05: 0 };
  // The --geo subtree the current segment lies in (its root's index; −1: above them), for the
  // within/across split of the wedged spheres' cross term.
  let group = -1;
  const wedge = (x: number, y: number, z: number, k: number) => {
    cubes.wedge(x, y, z, k, group);
    if (geoEnd >= 0) pts.push(x, y, z, k);
  };
  const leafOf = (of: SubTerminalCascade) => (k: number) => {
    const box = of.leafBox;
    if (of.leafShare[0] === 0) wedge((box[0] + box[3]) / 2, (box[1] + box[4]) / 2, (box[2] + box[5]) / 2, k);
    else cubes.spread(box, k, uniform);
  };
  const onLeaf = leafOf(cascade);
  const onCutLeaf = leafOf(cutCascade);
  let geoRoot = -1;
  const closeGeo = () => {
    const byPoint = new Map<string, number[]>();
    for (let q = 0; q < pts.length; q += 4) {
      const key = `${pts[q]},${pts[q + 1]},${pts[q + 2]}`;
      const e = byPoint.get(key);
      if (e) e[3] += pts[q + 3];
      else byPoint.set(key, pts.slice(q, q + 4));
    }
    geoEnd = -1;
    if (byPoint.size === 0) return;
    const [v, cx, cy, cz] = territoryCentroid(geoRoot);
    const size = Math.cbrt(v * 1000);
    const list = [...byPoint.values()];
    g.subtrees++;
    g.points += list.length;
    for (const [x, y, z, k] of list) {
      g.spheres += k;
      g.centroid += (k * Math.hypot(x - cx, y - cy, z - cz)) / size;
    }
    for (let a = 0; a < list.length; a++) for (let b = a + 1; b < list.length; b++) {
      const w = list[a][3] * list[b][3];
      const d = Math.hypot(list[a][0] - list[b][0], list[a][1] - list[b][1], list[a][2] - list[b][2]);
      g.pairWeight += w;
      g.pair += (w * d) / size;
      if (d < 1) g.near += w;
      if (d < 0.5) g.near05 += w;
      if (d < 0.25) g.near025 += w;
      if (d < 0.1) g.near01 += w;
    }
  };
  let cut = 0;
  let groupEnd = -1;
  for (let j = 0; j < n; j++) {
    if (j >= groupEnd) group = -1;
    if (group < 0 && cutAt(j, geoMg)) {
      group = j;
      groupEnd = tree.subtreeEnd[j];
    }
    if (j === geoEnd) closeGeo();
    if (geoEnd < 0 && tree.child0[j] >= 0 && cutAt(j, geoMg) && (M === 0 || M === geoMg)) {
      geoRoot = j;
      geoEnd = tree.subtreeEnd[j];
      pts = [];
    }
    const k = lodged[j];
    if (M > 0 && tree.child0[j] >= 0 && cutAt(j, M)) {
      cut++;
      if (k > 0) wedge(tree.proximalMm[3 * j], tree.proximalMm[3 * j + 1], tree.proximalMm[3 * j + 2], k);
      const end = tree.subtreeEnd[j];
      let below = 0;
      for (let q = j + 1; q < end; q++) below += lodged[q];
      if (below > 0) {
        // Its inlet's lumen for both: what it stopped is at its proximal point already.
        const lumen = 2000 * tree.radiusMm[j] * lumenScale;
        for (let a = 0; a < 3; a++) cutCascade.inletPoint[a] = tree.proximalMm[3 * j + a];
        if (cells.offsets[end] > cells.offsets[j]) cutCascade.descendCells(cells, cells.offsets[j], cells.offsets[end], below, counts, onCutLeaf, false, lumen, lumen);
        else {
          const [v, x, y, z] = territoryCentroid(j);
          cutCascade.descend(x, y, z, v, below, counts, onCutLeaf, false, lumen, lumen);
        }
      }
      if (geoEnd === end) closeGeo();
      j = end - 1;
      continue;
    }
    if (k === 0) continue;
    if (tree.child0[j] >= 0) wedge(tree.proximalMm[3 * j], tree.proximalMm[3 * j + 1], tree.proximalMm[3 * j + 2], k);
    else cascade.spreadTerminal(tree, cells, j, k, simCase.seed, onLeaf);
  }
  if (geoEnd >= 0) closeGeo();
  const row = cubes.row();
  console.log(`| ${M} | ${cut} | ${wedgeCubeCells(row)}`);
  crossSplit.push(`| ${M} | ${row.wCross.toFixed(3)} | ${row.wCrossWithin.toFixed(3)} | ${(row.wCross - row.wCrossWithin).toFixed(3)} |`);
  results.push({ M, cut, cubes: row, geometry: g.subtrees > 0 ? { subtrees: g.subtrees, pointsPerSubtree: g.points / g.subtrees, spheresPerPoint: g.spheres / g.points, pairDistance: g.pair / g.pairWeight, centroidDistance: g.centroid / g.spheres, nearWeight: g.near / g.pairWeight, nearWeightMm: { "0.1": g.near01 / g.pairWeight, "0.25": g.near025 / g.pairWeight, "0.5": g.near05 / g.pairWeight } } : null });
  if (g.subtrees > 0) geometry.push(`| ${M} | ${g.subtrees} | ${(g.points / g.subtrees).toFixed(2)} | ${(g.spheres / g.points).toFixed(1)} | ${(g.pair / g.pairWeight).toFixed(3)} | ${(g.centroid / g.spheres).toFixed(3)} | ${(g.near / g.pairWeight).toFixed(3)} | ${[g.near05, g.near025, g.near01].map((x) => (x / g.pairWeight).toFixed(3)).join(" | ")} |`);
}
console.log(`\nWedge points within the subtrees cut at ${geoMg} mg (M = 0: resolved; M = ${geoMg}: continued):\n`);
console.log(`| M (mg) | subtrees with wedges | points per subtree | spheres per point | pair distance / size | distance to centroid / size | pair weight within 1 mm | within 0.5 mm | within 0.25 mm | within 0.1 mm |`);
console.log(`|---|---|---|---|---|---|---|---|---|---|`);
for (const line of geometry) console.log(line);
console.log(`\nW cross (per mean²) split: pairs of wedge points in one cube within one subtree of ≤ ${geoMg} mg (its root's parent feeds more) and across (with the mean² W cross subtracts):\n`);
console.log("| M (mg) | W cross | within subtrees | across |");
console.log("|---|---|---|---|");
for (const line of crossSplit) console.log(line);
if (jsonPath !== "") {
  const out = { generatedBy: `npx tsx bench/transport-continuation.ts ${args.join(" ")}`, commit, date: new Date().toISOString().slice(0, 10), terminals, run: r, geoMg, rows: results };
  writeFileSync(jsonPath, `${JSON.stringify(out, null, 1)}\n`);
  console.error(`wrote ${jsonPath}`);
}

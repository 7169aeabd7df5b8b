/**
 * The territory of a selective injection (lobar, segmental): the tissue fed by the terminals of
 * the injected subtree. Used to plan a derived-compartment case on the perfused volume only, and
 * to compare voxel doses with the partition model over the same volume.
 */
import type { Grid, Vec3 } from "../geometry/index.js";
import { voxelToWorld } from "../geometry/index.js";
import type { ArterialTree } from "../vascular/index.js";

/** Whether the injection covers the whole tree (the root or the proper hepatic artery). */
export function isWholeTree(tree: ArterialTree, entry: number): boolean {
  return entry === 0;
}

/**
 * Planning compartments of the injected subtree: for each compartment with terminals there, the
 * volume of their territories and — for tumours — the concentration ratio the tree delivers,
 * (flow / volume in the tumour) ÷ (flow / volume in normal liver), both within the subtree.
 */
export function territoryCompartments(tree: ArterialTree, entry: number): Record<string, unknown>[] {
  const n = tree.compartmentNames.length;
  const volume = new Float64Array(n);
  const flow = new Float64Array(n);
  for (let j = entry; j < tree.subtreeEnd[entry]; j++) {
    if (tree.child0[j] >= 0) continue;
    volume[tree.compartment[j]] += tree.territoryMl[j];
    flow[tree.compartment[j]] += tree.flowMlPerMin[j];
  }
  const normalPerfusion = volume[0] > 0 ? flow[0] / volume[0] : 0;
  const out: Record<string, unknown>[] = [];
  for (let c = 1; c < n; c++) {
    if (!(volume[c] > 0)) continue;
    const ratio = normalPerfusion > 0 ? flow[c] / volume[c] / normalPerfusion : 1;
    out.push({ name: tree.compartmentNames[c], kind: "tumour", volumeMl: volume[c], tumourToNormalRatio: ratio });
  }
  if (volume[0] > 0) out.push({ name: tree.compartmentNames[0], kind: "normal", volumeMl: volume[0] });
  return out;
}

/**
 * 1 where a liver voxel (label ≠ 0) is nearest to a terminal of the injected subtree, 0 elsewhere:
 * the perfused territory on the dose grid. Nearest-terminal search on a uniform hash grid of the
 * terminals' distal points, rings of cells searched outward until the nearest is certain.
 */
export function perfusedMask(labels: Grid<Uint8Array>, tree: ArterialTree, entry: number): Grid<Uint8Array> {
  const data = new Uint8Array(labels.data.length);
  const terminals: number[] = [];
  let lo: Vec3 = [Infinity, Infinity, Infinity];
  let hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (let j = 0; j < tree.segmentCount; j++) {
    if (tree.child0[j] >= 0) continue;
    terminals.push(j);
    for (let a = 0; a < 3; a++) {
      lo[a] = Math.min(lo[a], tree.distalMm[3 * j + a]);
      hi[a] = Math.max(hi[a], tree.distalMm[3 * j + a]);
    }
  }
  lo = lo.map((v) => v - 1) as Vec3;
  hi = hi.map((v) => v + 1) as Vec3;
  const volume = (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
  const cell = Math.cbrt((volume / terminals.length) * 2); // ~2 terminals per cell
  const dims = [0, 1, 2].map((a) => Math.max(1, Math.ceil((hi[a] - lo[a]) / cell))) as Vec3;
  const cellOf = (v: number, a: number) => Math.min(dims[a] - 1, Math.max(0, Math.floor((v - lo[a]) / cell)));
  // Counting sort of the terminals into cells.
  const start = new Int32Array(dims[0] * dims[1] * dims[2] + 1);
  const key = new Int32Array(terminals.length);
  terminals.forEach((j, t) => {
    key[t] = cellOf(tree.distalMm[3 * j], 0) + dims[0] * (cellOf(tree.distalMm[3 * j + 1], 1) + dims[1] * cellOf(tree.distalMm[3 * j + 2], 2));
    start[key[t] + 1]++;
  });
  for (let c = 0; c < start.length - 1; c++) start[c + 1] += start[c];
  const fill = start.slice(0, -1);
  const sorted = new Int32Array(terminals.length);
  terminals.forEach((j, t) => (sorted[fill[key[t]]++] = j));

  const end = tree.subtreeEnd[entry];
  const p: Vec3 = [0, 0, 0];
  const [nx, ny, nz] = labels.dims;
  for (let k = 0, v = 0; k < nz; k++)
    for (let jj = 0; jj < ny; jj++)
      for (let i = 0; i < nx; i++, v++) {
        if (labels.data[v] === 0) continue;
        voxelToWorld(p, labels, i, jj, k);
        const ci = cellOf(p[0], 0);
        const cj = cellOf(p[1], 1);
        const ck = cellOf(p[2], 2);
        let best = -1;
        let bestSq = Infinity;
        for (let ring = 0; ; ring++) {
          for (let dk = -ring; dk <= ring; dk++)
            for (let dj = -ring; dj <= ring; dj++)
              for (let di = -ring; di <= ring; di++) {
                if (Math.max(Math.abs(di), Math.abs(dj), Math.abs(dk)) !== ring) continue;
                const a = ci + di, b = cj + dj, c = ck + dk;
                if (a < 0 || b < 0 || c < 0 || a >= dims[0] || b >= dims[1] || c >= dims[2]) continue;
                const cellIndex = a + dims[0] * (b + dims[1] * c);
                for (let s = start[cellIndex]; s < start[cellIndex + 1]; s++) {
                  const j = sorted[s];
                  const dx = tree.distalMm[3 * j] - p[0];
                  const dy = tree.distalMm[3 * j + 1] - p[1];
                  const dz = tree.distalMm[3 * j + 2] - p[2];
                  const d2 = dx * dx + dy * dy + dz * dz;
                  if (d2 < bestSq) {
                    bestSq = d2;
                    best = j;
                  }
                }
              }
          // Every point outside rings 0..ring is farther than ring·cell from p.
          if (best >= 0 && Math.sqrt(bestSq) <= ring * cell) break;
          if (ring > Math.max(dims[0], dims[1], dims[2])) break;
        }
        data[v] = best >= entry && best < end ? 1 : 0;
      }
  return { ...labels, data };
}

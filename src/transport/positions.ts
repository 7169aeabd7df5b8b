/**
 * Lodging positions of the spheres, streamed in chunks so that 44 million spheres never need
 * 1 GB at once (44e6 × 3 float64 = 1.06 GB): the callback receives at most `chunkSpheres`
 * positions at a time, in a buffer it must copy if it keeps it.
 *
 * A sphere lodged in a terminal is placed uniformly in a ball of the terminal's territory volume
 * (radius (3V/4π)^(1/3)) around the terminal's distal point — the tissue it perfuses. A sphere
 * wedged at the inlet of a non-terminal vessel (size exclusion) is placed uniformly in a ball of
 * the vessel's radius around its proximal point.
 *
 * With `accept` (the pipeline passes "the point lies in the terminal's own compartment: inside
 * the liver, in the same tumour or in normal liver, not in a necrotic core"), a terminal's sphere
 * is redrawn until the point is accepted — the ball is clipped to the tissue the terminal actually
 * perfuses, so tumour spheres do not spill into normal liver or out of the liver. After
 * MAX_ACCEPT_TRIES rejections (a ball almost entirely outside its tissue) the sphere sits at the
 * terminal's distal point, which lies in its tissue by construction of the tree.
 *
 * With a sub-terminal model (heterogeneity "fractal", models/subTerminal.ts) a terminal's
 * territory is instead its unit-mass cells (models/territoryCells.ts; shares ∝ mass × perfusion ×
 * the law's noise) or, when it owns none, a cube of its volume centred at the distal point,
 * bisected down to the unit mass with the fractal law's split fractions; the terminal's spheres
 * are split binomially over the leaves and placed uniformly in their leaf. Clipping: a leaf's sphere is redrawn in the leaf up to
 * MAX_ACCEPT_TRIES times, then in the whole cube (a leaf lying wholly outside the tissue — the cube
 * pokes out of the liver or into a tumour — gives its spheres to the rest of the territory rather
 * than a point), then it sits at the distal point as above. The cascade's wedged clusters (spheres
 * stopped at the terminal's inlet or at a branch point of its continuation, a box of a lumen's
 * width) are decided by their point whatever the terminal's cube: one whose point lies outside
 * the terminal's tissue (an inlet in a neighbouring compartment, a branch point of a concave
 * piece) puts its spheres at the distal point, so placement keeps to the compartment the transport
 * counted them for; one whose point lies inside is not clipped (its box is as wide as the lumen
 * at that point — the terminal's, or the wider half's at a branch point — so it reaches at most
 * √3/2 of that lumen past a boundary, a fraction of a millimetre, far below a dose voxel).
 *
 * Random numbers: one stream per block of 4096 segments (key = block), consumed in segment order,
 * so positions do not depend on the chunk size. The sub-terminal split fractions have their own
 * streams (tree and heterogeneity seeds, per block: subTerminal.ts); the binomial sphere counts of
 * the leaves from a counts stream of the run's seed (so clusters.ts gets the leaf counts without
 * placing spheres).
 */
import type { ArterialTree } from "../vascular/tree.js";
import type { Domain } from "../geometry/domain.js";
import { ballLabel, compartmentOfLabel, labelAt } from "../geometry/domain.js";
import { createStream, type RandomStream } from "../random/stream.js";
import { setCube, SUB_TERMINAL_BLOCK_SEGMENTS, SubTerminalCascade, type SubTerminalModel } from "./models/subTerminal.js";
import type { TerritoryCells } from "./models/territoryCells.js";

const POSITIONS_STREAM_TAG = 0x50n << 56n;
/** Segments per random stream block: also the shard work unit of the pipeline. */
export const SEGMENTS_PER_STREAM = SUB_TERMINAL_BLOCK_SEGMENTS;
const MAX_ACCEPT_TRIES = 64;
/**
 * Chunk size for callers that bin the positions as they come (the dose stage): 2^16 spheres,
 * 1.5 MB of positions, which stay in a core's cache between being written and being binned
 * (2^20 spheres, 24 MB, went through memory and back).
 */
export const POSITION_CHUNK_SPHERES = 1 << 16;

/**
 * Whether a lodging point (x, y, z mm) of a sphere in terminal `segment` is acceptable. Optionally
 * `wholeBall(segment, centre, radius)`: true only when every point of that ball is acceptable, so
 * the per-point calls can be skipped for the terminal (same positions: acceptance draws nothing).
 */
export type LodgingAcceptance = ((segment: number, xMm: number, yMm: number, zMm: number) => boolean) & {
  readonly wholeBall?: (segment: number, xMm: number, yMm: number, zMm: number, radiusMm: number) => boolean;
};

/**
 * Accept a point when it lies in the tissue the terminal perfuses: inside the liver, in the
 * terminal's compartment (`compartment[segment]`: 0 normal liver, 1 + t tumour t), and not in a
 * necrotic core (no flow reaches it).
 */
export function compartmentAcceptance(domain: Domain, compartment: Int32Array): LodgingAcceptance {
  const firstNecroticLabel = 2 + domain.tumours.length;
  const accepts = (segment: number, label: number) => label > 0 && label < firstNecroticLabel && compartmentOfLabel(domain, label) === compartment[segment];
  // Most terminals' balls lie well inside their tissue: one shape test per terminal instead of one
  // label query per sphere (22.7 M spheres in the default case: 2.5 s of label queries, measured).
  return Object.assign((segment: number, x: number, y: number, z: number) => accepts(segment, labelAt(domain, x, y, z)), {
    wholeBall: (segment: number, x: number, y: number, z: number, radiusMm: number) => accepts(segment, ballLabel(domain, x, y, z, radiusMm)),
  });
}
const MM3_PER_ML = 1000;

/**
 * Per segment, the compartment (0 normal liver, 1 + t tumour t) of the tissue at a non-terminal
 * segment's proximal point — where the spheres wedged at its inlet are placed (below) and where the
 * dose counts them —, −1 outside the liver and for terminals (they count for their own). The
 * transport counts a vessel's lodgings for it (context.ts lodgeCompartmentRange), so the realised
 * T/N follows the spheres' positions.
 */
export function wedgeCompartments(tree: ArterialTree, domain: Domain): Int32Array {
  const out = new Int32Array(tree.segmentCount).fill(-1);
  const p = tree.proximalMm;
  for (let j = 0; j < tree.segmentCount; j++) {
    if (tree.child0[j] < 0) continue;
    const label = labelAt(domain, p[3 * j], p[3 * j + 1], p[3 * j + 2]);
    if (label > 0) out[j] = compartmentOfLabel(domain, label);
  }
  return out;
}

export interface LodgedSphereChunk {
  /** xyz interleaved, mm; length 3 × count. */
  readonly positionsMm: Float64Array;
  /** Segment each sphere lodged in; length count. */
  readonly segment: Int32Array;
  readonly count: number;
}

/**
 * Call `onChunk` with the positions of every lodged sphere (per-segment counts `segmentLodged`),
 * at most `chunkSpheres` at a time, in segment order; only segments [first, end) when given.
 * `first` must start a block of SEGMENTS_PER_STREAM segments (each block draws from its own
 * stream from its first segment on), so a range gives the same positions as the whole scan.
 * With a sub-terminal cascade, `onCluster(spheres)` is called for every leaf holding spheres and
 * every non-terminal segment holding spheres: the unit clusters (clusters.ts
 * unitClusterHistogram counts the same, without placing). `wholeLeaf(box, spheres)`, for a caller
 * that needs where the spheres are only to a region (the deposit: a dose voxel), is asked for
 * every leaf whose spheres need no clipping; when it returns true it has taken them (e.g. the
 * leaf lies in one voxel) and they are not placed — their random numbers are skipped, so every
 * other sphere gets the position it gets without it.
 */
export function forEachLodgedSphereChunk(
  tree: ArterialTree,
  segmentLodged: ArrayLike<number>,
  seed: number,
  onChunk: (chunk: LodgedSphereChunk) => void,
  chunkSpheres = 1 << 20,
  accept: LodgingAcceptance | null = null,
  first = 0,
  end = tree.segmentCount,
  subTerminal: SubTerminalModel | null = null,
  cells: TerritoryCells | null = null,
  onCluster: ((spheres: number) => void) | null = null,
  wholeLeaf: ((box: Float64Array, spheres: number) => boolean) | null = null,
): void {
  if (first % SEGMENTS_PER_STREAM !== 0) throw new RangeError(`first segment ${first} must be a multiple of ${SEGMENTS_PER_STREAM}`);
  const positions = new Float64Array(3 * chunkSpheres);
  const segments = new Int32Array(chunkSpheres);
  let filled = 0;
  let stream: RandomStream | null = null;
  let streamBlock = -1;
  const flush = () => {
    if (filled === 0) return;
    onChunk({ positionsMm: positions.subarray(0, 3 * filled), segment: segments.subarray(0, filled), count: filled });
    filled = 0;
  };
  const cascade = subTerminal === null ? null : new SubTerminalCascade(subTerminal);
  // The terminal being spread by the cascade (read by placeLeaf).
  let leafSegment = 0;
  let leafClip = false;
  let cellMode = false;
  let leafStream: RandomStream | null = null;
  const cube = new Float64Array(6);
  const leafBox = cascade === null ? cube : cascade.leafBox;
  const distal = tree.distalMm;
  /** Place `spheres` uniformly in the cascade's current leaf (clipped: leaf, then cube, then distal point). */
  const placeLeaf = (spheres: number) => {
    const rs = leafStream as RandomStream;
    const j = leafSegment;
    let clip = leafClip;
    // A wedged cluster (share 0) sits at an inlet or branch point, which may lie outside the
    // terminal's tissue even when its cube does not: its point decides, in or out (its box is a
    // lumen wide, so it reaches at most √3/2 of that lumen past a boundary).
    const wedged = (cascade as SubTerminalCascade).leafShare[0] === 0;
    const h = (leafBox[3] - leafBox[0]) / 2;
    const outside = wedged && accept !== null && !accept(j, leafBox[0] + h, leafBox[1] + h, leafBox[2] + h);
    if (wedged) clip = false;
    else if (clip && cellMode && accept?.wholeBall) clip = !accept.wholeBall(j, leafBox[0] + h, leafBox[1] + h, leafBox[2] + h, h * Math.sqrt(3));
    onCluster?.(spheres);
    if (outside) {
      // A wedged cluster whose point lies outside the tissue: its spheres sit at the distal point,
      // without draws.
      for (let k = 0; k < spheres; k++) {
        positions[3 * filled] = distal[3 * j];
        positions[3 * filled + 1] = distal[3 * j + 1];
        positions[3 * filled + 2] = distal[3 * j + 2];
        segments[filled] = j;
        if (++filled === chunkSpheres) flush();
      }
      return;
    }
    // A cell's centre lies in the terminal's tissue: a cell is its own fallback; a cube's leaf falls
    // back to the cube, then the distal point (wedged clusters are never clipped, above).
    const fallback = cellMode ? leafBox : cube;
    if (!clip && wholeLeaf !== null && wholeLeaf(leafBox, spheres)) {
      // Unclipped, each sphere below draws exactly three floats (two outputs each).
      rs.skip(6 * spheres);
      return;
    }
    for (let k = 0; k < spheres; k++) {
      let px = distal[3 * j];
      let py = distal[3 * j + 1];
      let pz = distal[3 * j + 2];
      const tries = clip ? 2 * MAX_ACCEPT_TRIES : 1;
      for (let attempt = 0; attempt < tries; attempt++) {
        const box = attempt < MAX_ACCEPT_TRIES ? leafBox : fallback;
        const qx = box[0] + (box[3] - box[0]) * rs.nextFloat();
        const qy = box[1] + (box[4] - box[1]) * rs.nextFloat();
        const qz = box[2] + (box[5] - box[2]) * rs.nextFloat();
        if (!clip || (accept as LodgingAcceptance)(j, qx, qy, qz)) {
          px = qx;
          py = qy;
          pz = qz;
          break;
        }
      }
      positions[3 * filled] = px;
      positions[3 * filled + 1] = py;
      positions[3 * filled + 2] = pz;
      segments[filled] = j;
      if (++filled === chunkSpheres) flush();
    }
  };
  for (let j = first; j < end; j++) {
    const count = segmentLodged[j];
    if (count === 0) continue;
    const block = Math.floor(j / SEGMENTS_PER_STREAM);
    if (block !== streamBlock) {
      stream = createStream(seed, POSITIONS_STREAM_TAG + BigInt(block));
      streamBlock = block;
    }
    const s = stream as RandomStream;
    const terminal = tree.child0[j] < 0;
    if (cascade !== null && terminal) {
      const cx = distal[3 * j];
      const cy = distal[3 * j + 1];
      const cz = distal[3 * j + 2];
      const half = Math.cbrt(tree.territoryMl[j] * MM3_PER_ML) / 2;
      setCube(cube, 0, cx, cy, cz, half);
      leafSegment = j;
      leafStream = s;
      cellMode = cells !== null && cells.offsets[j + 1] > cells.offsets[j];
      // A cube whose circumscribed ball (radius half·√3) is wholly acceptable: no per-sphere test.
      leafClip = accept !== null && (cellMode || !(accept.wholeBall?.(j, cx, cy, cz, half * Math.sqrt(3)) ?? false));
      cascade.spreadTerminal(tree, cells, j, count, seed, placeLeaf);
      continue;
    }
    // With a cascade, the spheres wedged in a vessel are one cluster (clusters.ts unitClusterHistogram).
    if (cascade !== null) onCluster?.(count);
    const centre = terminal ? tree.distalMm : tree.proximalMm;
    const cx = centre[3 * j];
    const cy = centre[3 * j + 1];
    const cz = centre[3 * j + 2];
    const radius = terminal ? Math.cbrt((3 * tree.territoryMl[j] * MM3_PER_ML) / (4 * Math.PI)) : tree.radiusMm[j];
    const clip = terminal && accept !== null && !(accept.wholeBall?.(j, cx, cy, cz, radius) ?? false);
    for (let k = 0; k < count; k++) {
      let px = cx;
      let py = cy;
      let pz = cz;
      for (let attempt = 0; attempt < (clip ? MAX_ACCEPT_TRIES : 1); attempt++) {
        // Uniform in the ball: rejection from the cube (acceptance π/6).
        let x: number, y: number, z: number;
        do {
          x = 2 * s.nextFloat() - 1;
          y = 2 * s.nextFloat() - 1;
          z = 2 * s.nextFloat() - 1;
        } while (x * x + y * y + z * z > 1);
        const qx = cx + radius * x;
        const qy = cy + radius * y;
        const qz = cz + radius * z;
        if (!clip || (accept as LodgingAcceptance)(j, qx, qy, qz)) {
          px = qx;
          py = qy;
          pz = qz;
          break;
        }
      }
      positions[3 * filled] = px;
      positions[3 * filled + 1] = py;
      positions[3 * filled + 2] = pz;
      segments[filled] = j;
      if (++filled === chunkSpheres) flush();
    }
  }
  flush();
}

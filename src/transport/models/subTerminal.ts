/**
 * Sub-terminal heterogeneity of the "fractal" model: a terminal of the grown tree stands for the
 * unresolved subtree below it, and its lodged spheres are spread over its territory with the
 * heterogeneity that subtree would add — the same gamma cascade as the tree's bifurcations
 * (fractal.ts), continued from the terminal's mass down to a unit mass (default 1 mg, about one
 * portal tract: the "~1 per mg" limit of a whole-liver tree). RD(m) then follows
 * RD(1 g)·m^(1 − D) from the tree's scale down to the unit mass, and the sphere distribution no
 * longer depends on how far the tree was grown (issue 14 point 1).
 *
 * Geometry. The terminal's territory is a cube of the territory's volume centred at the terminal's
 * distal point (the tessellation cells, src/vascular/territories.ts, are Lloyd-relaxed lattice
 * cells: compact, about as long as wide, so a cube approximates them as well as a ball does, and a
 * cube bisects into boxes — the pieces Bassingthwaighte 1989 cut tissue into — whereas halves of a
 * ball are not balls). The cube is bisected across its longest axis, recursively, until a piece's
 * mass is ≤ the unit mass; a leaf's spheres are placed uniformly in it (positions.ts).
 *
 * The law. At each bisection the share of the parent piece's flow that enters half 0 is drawn from
 * Beta(κ/2, κ/2) (mean ½: equal masses, uniform mean perfusion), with κ from splitConcentration
 * — the tree's function — so that the log-variance added between the parent's mass M and the
 * half's M/2 is σ²(M/2) − σ²(M), σ²(m) = ln(1 + RD(m)²). The terminal's spheres are split
 * binomially with those shares. Variance factor: SUB_TERMINAL_VARIANCE_FACTOR (below, measured).
 *
 * Random numbers. The split fractions are a property of the liver: one stream per block of 4096
 * segments keyed by (tree seed, heterogeneity seed, block), consumed by every terminal of the block
 * in segment order whether or not it holds spheres (positions.ts replays the draws of the empty
 * terminals before a full one), so they depend on the tree and the heterogeneity seed only — not on
 * the transport seed, the sphere counts, the worker count or the shard split. The binomial sphere
 * counts and the positions come from the positions stream (the run's seed).
 *
 * Only the "fractal" model has a sub-terminal cascade: "flow", "walrand-bias" and "custom" keep the
 * uniform ball of the territory's volume (they have no scale-free law to continue).
 */
import { createStream, type RandomStream } from "../../random/stream.js";
import { beta } from "../../random/beta.js";
import { binomial } from "../../random/binomial.js";
import { splitConcentration } from "./fractal.js";
import type { HeterogeneityModel } from "./heterogeneity.js";

/**
 * Multiplier of the law's log-variance per sub-terminal bisection. The tree's bifurcations use
 * SUBTREE_TO_CUBE_VARIANCE (2.2) because a tissue cube straddles several subtrees; below a terminal
 * the pieces ARE boxes, so the law needs no factor for them. Measured (bench/transport-subterminal.ts,
 * recorded in bench/transport.md): see there for RD in cubes with 1 and 2.2.
 */
export const SUB_TERMINAL_VARIANCE_FACTOR = 1;

/** The resolved sub-terminal model: plain numbers (a deposit task carries it to a worker). */
export interface SubTerminalModel {
  readonly relativeDispersionAt1g: number;
  readonly fractalDimension: number;
  /** Pieces are bisected until their mass is ≤ this, g. */
  readonly unitMassG: number;
  readonly densityGPerMl: number;
  /** The tree's seed and the heterogeneity seed: together they key the split fractions. */
  readonly treeSeed: number;
  readonly seed: number;
  readonly varianceFactor: number;
}

/** The sub-terminal model of a resolved heterogeneity model (null unless "fractal"). */
export function subTerminalModel(model: HeterogeneityModel, treeSeed: number): SubTerminalModel | null {
  if (model.model !== "fractal") return null;
  return {
    relativeDispersionAt1g: model.relativeDispersionAt1g,
    fractalDimension: model.fractalDimension,
    unitMassG: model.unitMassMg / 1000,
    densityGPerMl: model.densityGPerMl,
    treeSeed,
    seed: model.seed,
    varianceFactor: SUB_TERMINAL_VARIANCE_FACTOR,
  };
}

const SUB_TERMINAL_STREAM_TAG = 0x53n << 56n;
/** Segments per split-fraction stream: the positions' blocks (positions.ts SEGMENTS_PER_STREAM), the deposit's work unit. */
export const SUB_TERMINAL_BLOCK_SEGMENTS = 4096;
/** Deepest bisection: 2^48 leaves per terminal is far beyond any unit mass the options allow. */
const MAX_DEPTH = 48;
const MM3_PER_ML = 1000;

/**
 * The cascade of one terminal at a time, with typed-array scratch (no allocation per terminal or
 * leaf). `descend` calls `onLeaf(spheres)` for each leaf holding spheres (or each leaf, with
 * `everyLeaf`), the leaf's box in `leafBox` (min xyz, max xyz, mm) and its share of the terminal's
 * flow in `leafShare[0]`.
 */
export class SubTerminalCascade {
  readonly model: SubTerminalModel;
  /** Box of the current leaf: [minX, minY, minZ, maxX, maxY, maxZ], mm. */
  readonly leafBox = new Float64Array(6);
  /** Share of the terminal's flow in the current leaf. */
  readonly leafShare = new Float64Array(1);
  private readonly boxes = new Float64Array(6 * (MAX_DEPTH + 2));
  private readonly spheres = new Float64Array(MAX_DEPTH + 2);
  private readonly shares = new Float64Array(MAX_DEPTH + 2);
  private readonly depths = new Int32Array(MAX_DEPTH + 2);
  /** κ of a bisection at each depth below the current terminal. */
  private readonly kappaAtDepth = new Float64Array(MAX_DEPTH + 1);
  private stream: RandomStream | null = null;
  private streamBlock = -1;

  constructor(model: SubTerminalModel) {
    this.model = model;
  }

  /** Switch to the split-fraction stream of `block` (from its start) unless already on it. */
  useBlock(block: number): boolean {
    if (block === this.streamBlock) return false;
    this.stream = createStream(this.model.treeSeed, SUB_TERMINAL_STREAM_TAG + (BigInt(this.model.seed) << 32n) + BigInt(block));
    this.streamBlock = block;
    return true;
  }

  /**
   * Run the cascade of a terminal with territory `territoryMl` centred at (cx, cy, cz) mm holding
   * `spheres` lodged spheres (binomial splits from `positions`; `positions` may be null when
   * spheres = 0). Every bisection draws its split fraction, whatever the counts.
   */
  descend(cx: number, cy: number, cz: number, territoryMl: number, spheres: number, positions: RandomStream | null, onLeaf: (spheres: number) => void, everyLeaf = false): void {
    const m = this.model;
    const stream = this.stream as RandomStream;
    const massG = territoryMl * m.densityGPerMl;
    const half = Math.cbrt(territoryMl * MM3_PER_ML) / 2;
    // Depth of the leaves: the smallest d with massG / 2^d ≤ unit mass (every leaf has the same mass).
    let leafDepth = 0;
    while (leafDepth < MAX_DEPTH && massG / 2 ** leafDepth > m.unitMassG) leafDepth++;
    const exponent = 1 - m.fractalDimension;
    for (let d = 0; d < leafDepth; d++) {
      const parentG = massG / 2 ** d;
      this.kappaAtDepth[d] = splitConcentration(m.relativeDispersionAt1g, exponent, parentG, parentG / 2, parentG / 2, 0.5, m.varianceFactor);
    }
    const boxes = this.boxes;
    boxes[0] = cx - half;
    boxes[1] = cy - half;
    boxes[2] = cz - half;
    boxes[3] = cx + half;
    boxes[4] = cy + half;
    boxes[5] = cz + half;
    this.spheres[0] = spheres;
    this.shares[0] = 1;
    this.depths[0] = 0;
    let top = 1;
    while (top > 0) {
      top--;
      const o = 6 * top;
      const n = this.spheres[top];
      const share = this.shares[top];
      const depth = this.depths[top];
      if (depth === leafDepth) {
        if (n > 0 || everyLeaf) {
          for (let a = 0; a < 6; a++) this.leafBox[a] = boxes[o + a];
          this.leafShare[0] = share;
          onLeaf(n);
        }
        continue;
      }
      const kappa = this.kappaAtDepth[depth];
      let p0 = 0.5;
      if (kappa > 0) {
        p0 = beta(stream, kappa / 2, kappa / 2);
        p0 = Math.min(1 - 1e-12, Math.max(1e-12, p0));
      }
      const n0 = n > 0 ? binomial(positions as RandomStream, n, p0) : 0;
      // Longest axis (first of equals): a cube → two 2:1:1 boxes → four 2:2:1... → a cube again.
      const ex = boxes[o + 3] - boxes[o];
      const ey = boxes[o + 4] - boxes[o + 1];
      const ez = boxes[o + 5] - boxes[o + 2];
      const axis = ex >= ey && ex >= ez ? 0 : ey >= ez ? 1 : 2;
      const mid = (boxes[o + axis] + boxes[o + 3 + axis]) / 2;
      // Slot top + 1 (popped first) gets half 0, the lower half; slot `top` half 1.
      const o1 = o + 6;
      for (let a = 0; a < 6; a++) boxes[o1 + a] = boxes[o + a];
      boxes[o1 + 3 + axis] = mid;
      boxes[o + axis] = mid;
      this.spheres[top] = n - n0;
      this.shares[top] = share * (1 - p0);
      this.depths[top] = depth + 1;
      this.spheres[top + 1] = n0;
      this.shares[top + 1] = share * p0;
      this.depths[top + 1] = depth + 1;
      top += 2;
    }
  }
}

/** The tree arrays the sub-terminal map reads. */
export interface SubTerminalTree {
  readonly segmentCount: number;
  readonly child0: Int32Array;
  readonly distalMm: Float64Array;
  readonly territoryMl: Float64Array;
}

/**
 * The sub-terminal flow map of a whole tree: `visit(terminal, box, share)` for every leaf of every
 * terminal, in segment order, with the leaf's box (min xyz, max xyz, mm; a scratch array) and its
 * share of the terminal's flow. The same draws as the deposit's (studies and tests of the law).
 */
export function forEachSubTerminalLeaf(tree: SubTerminalTree, model: SubTerminalModel, visit: (terminal: number, box: Float64Array, share: number) => void): void {
  const cascade = new SubTerminalCascade(model);
  const distal = tree.distalMm;
  let terminal = 0;
  const onLeaf = () => visit(terminal, cascade.leafBox, cascade.leafShare[0]);
  for (let j = 0; j < tree.segmentCount; j++) {
    if (tree.child0[j] >= 0) continue;
    cascade.useBlock(Math.floor(j / SUB_TERMINAL_BLOCK_SEGMENTS));
    terminal = j;
    cascade.descend(distal[3 * j], distal[3 * j + 1], distal[3 * j + 2], tree.territoryMl[j], 0, null, onLeaf, true);
  }
}

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
 * Unresolved size exclusion. The unresolved subtree's vessels narrow with the mass they feed
 * (Murray: D ∝ flow^(1/γ), γ the tree's exponent), so a sphere wider than the vessel of a piece
 * cannot enter it: it stops at the piece's inlet, wedged with the others there, as the resolved
 * tree's size exclusion stops it at a narrow vessel (context.ts sizeExclusionRange, which counts
 * it for that vessel and places it at the vessel's proximal point). So a terminal holds the
 * spheres that fit its parent's lumen; those too wide for its own lumen D_t wedge at its inlet,
 * its proximal point. D_t is the terminal's lumen widened to the portal-tract tree's
 * (UnresolvedExclusion.lumenScale, unresolvedLumen.ts: a coarse tree is sized over fewer vessels
 * in series and so is narrower, 13 % at 4,000 terminals of the 1.59 L liver). A half with mean flow
 * share q gets the lumen D·q^(1/γ); of the spheres a split sends into its halves, those too wide
 * for the half's inlet (a fraction 1 − F(D_half)/F(D), F the product's diameter CDF) wedge at the
 * split's branch point — one cluster for both halves, in a cube of the lumen's width — which lies
 * BRANCH_POINT_FRACTION (½) of the way from the piece's inlet (the terminal's proximal point, or
 * its parent piece's branch point) to the piece's centroid: the grown tree's bifurcations lie at
 * that distance ratio (on that line: assumed).
 * A leaf's inlet is the portal tract's terminal arteriole: what it stops lodges in the leaf,
 * spread, as a resolved terminal's spheres do.
 *
 * Why the branch points. On one portal-tract tree (the small case at 1.5e6 terminals), replacing
 * every resolved subtree of ≤ 4 / 16 / 64 mg by this continuation gives spheres per 1 mm cube of
 * normal liver an RD of 1.475 / 1.435 / 1.407 against the resolved 1.520, and wedge points as close
 * together as the resolved ones (sphere-weighted pair distance 0.35 vs 0.34 of the subtree's size);
 * when the wedged spheres sat at the centre of one of the piece's cells they were scattered (pair
 * distance 0.84) and the RD was 0.99–1.02 at 16–64 mg against the resolved 1.27 (the terminals'
 * inlet wedges then at their first cell, not their inlet; bench/transport-continuation.ts,
 * bench/transport.md "The continuation against the subtree it stands for"). Of the spheres
 * as a whole, the continuation stops somewhat fewer above the 1 mg pieces than the resolved tree:
 * 0.57 / 0.55 at 43 / 4.3 mg per terminal against 0.60 at 0.86 mg (test/transport/subTerminal.test.ts;
 * with the coarse trees' own, narrower lumens 0.69 / 0.59; the resolved tree's leaves are its
 * terminals of 0.1–3 mg, which wedge at their own inlets when narrow, the cascade's are 1 mg
 * cells). Off with transport.sizeExclusion false.
 *
 * In the terminal's unit-mass cells (territoryCells.ts, the deposit's default) the mean share of a
 * half is its share of mass × relative perfusion (the domain's perfusion field, from which the
 * tree's terminal sites are drawn): the unresolved subtree's terminals follow that field, so a
 * coarse terminal straddling a tumour's hypervascular rim and its poorer shell sends the rim its
 * share (descendCells). In uniformly perfused tissue this is the mass fraction, bit for bit.
 *
 * Random numbers. The split fractions are a property of the liver: one stream per block of 4096
 * segments keyed by (tree seed, heterogeneity seed, block), consumed by every terminal of the block
 * in segment order whether or not it holds spheres (positions.ts replays the draws of the empty
 * terminals before a full one), so they depend on the tree and the heterogeneity seed only — not on
 * the transport seed, the sphere counts, the worker count or the shard split. The binomial sphere
 * counts come from a counts stream and the positions from the positions stream (both of the run's
 * seed, per block).
 *
 * Only the "fractal" model has a sub-terminal cascade: "flow", "walrand-bias" and "custom" keep the
 * uniform ball of the territory's volume (they have no scale-free law to continue).
 */
import { createStream, type RandomStream } from "../../random/stream.js";
import { beta } from "../../random/beta.js";
import { binomial } from "../../random/binomial.js";
import { concentrationOfLogVariances, logVariance, splitConcentration, SUBTREE_TO_CUBE_VARIANCE } from "./fractal.js";
import { diameterCdf } from "../context.js";
import type { TruncatedNormalParameters } from "../../random/truncatedNormal.js";
import type { HeterogeneityModel } from "./heterogeneity.js";
import type { TerritoryCells } from "./territoryCells.js";
import { unresolvedLumenScale, type LumenLawTree } from "./unresolvedLumen.js";

/**
 * Multiplier of the law's log-variance per sub-terminal bisection: the tree's own
 * (SUBTREE_TO_CUBE_VARIANCE, 2.2), so that the cascade from the root to a 1 mg piece is one law
 * whatever the terminal count (the variances telescope). With factor 1 (the pieces are boxes, the
 * law's own shape) the spheres per 1 mm cube of normal liver drifted with the resolution — RD 0.49
 * / 0.53 at 4,000 / 120,000 terminals against 0.61 at 1.5e6 (no unresolved exclusion; at 1.5e6
 * size exclusion off); with 2.2: 0.61 / 0.59 / 0.61 (bench/transport.md "One variance factor for
 * the whole cascade"). The price: 4 mm cubes that lie inside one coarse terminal (0.4 g per
 * terminal) come out 21 % above the portal-tract value (0.264 against 0.218).
 */
export const SUB_TERMINAL_VARIANCE_FACTOR = SUBTREE_TO_CUBE_VARIANCE;

/** Write the cube of half-side `half` centred at (cx, cy, cz) into `box` at `at`: [minX, minY, minZ, maxX, maxY, maxZ], mm. */
export function setCube(box: Float64Array, at: number, cx: number, cy: number, cz: number, half: number): void {
  box[at] = cx - half;
  box[at + 1] = cy - half;
  box[at + 2] = cz - half;
  box[at + 3] = cx + half;
  box[at + 4] = cy + half;
  box[at + 5] = cz + half;
}

/**
 * Unresolved size exclusion (see the file's comment): the product's diameters, the tree's Murray
 * exponent and `lumenScale`, the factor by which the tree grown down to the unit mass is wider
 * than this one at the same tissue mass (unresolvedLumen.ts): a terminal's unresolved arterioles
 * start from its lumen times that.
 */
export interface UnresolvedExclusion {
  readonly diameterUm: TruncatedNormalParameters;
  readonly murrayExponent: number;
  readonly lumenScale: number;
}

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
  /** Spheres stopped by the unresolved subtree's narrowing vessels (null: every sphere reaches a leaf). */
  readonly exclusion: UnresolvedExclusion | null;
}

/**
 * The unresolved exclusion of `tree`'s terminals for spheres of `diameterUm` under `model` (its unit
 * mass and density set the lumen law, unresolvedLumen.ts).
 */
export function unresolvedExclusion(tree: LumenLawTree & { readonly params: { readonly murrayExponent: number } }, diameterUm: TruncatedNormalParameters, model: HeterogeneityModel): UnresolvedExclusion {
  const murrayExponent = tree.params.murrayExponent;
  return { diameterUm, murrayExponent, lumenScale: unresolvedLumenScale(tree, murrayExponent, model.unitMassMg / 1000, model.densityGPerMl) };
}

/**
 * The sub-terminal model of a resolved heterogeneity model (null unless "fractal"); `exclusion`
 * (unresolvedExclusion) when size exclusion is on.
 */
export function subTerminalModel(model: HeterogeneityModel, treeSeed: number, exclusion: UnresolvedExclusion | null = null): SubTerminalModel | null {
  if (model.model !== "fractal") return null;
  return {
    relativeDispersionAt1g: model.relativeDispersionAt1g,
    fractalDimension: model.fractalDimension,
    unitMassG: model.unitMassMg / 1000,
    densityGPerMl: model.densityGPerMl,
    treeSeed,
    seed: model.seed,
    varianceFactor: SUB_TERMINAL_VARIANCE_FACTOR,
    exclusion,
  };
}

const SUB_TERMINAL_STREAM_TAG = 0x53n << 56n;
/** The binomial leaf counts: the run's seed, this tag + block. */
const COUNTS_STREAM_TAG = 0x43n << 56n;
/** Segments per split-fraction stream: the positions' blocks (positions.ts SEGMENTS_PER_STREAM), the deposit's work unit. */
export const SUB_TERMINAL_BLOCK_SEGMENTS = 4096;
/** Deepest bisection: 2^48 leaves per terminal is far beyond any unit mass the options allow. */
const MAX_DEPTH = 48;
const MM3_PER_ML = 1000;
/**
 * Where a piece's vessel branches, as a fraction of the way from the piece's inlet point to its
 * centroid: the grown tree's own rule (src/vascular/bisect.ts puts every bifurcation of its
 * bisection subtrees half-way from its parent's bifurcation to its flow-weighted centroid;
 * `npx tsx bench/tree-branch-fraction.ts` finds f = 0.500, on the line, for every segment of 1 to
 * 256 mg of a 1.5e6-terminal tree — a construction rule, not a measured anatomy). Spheres too wide
 * for both halves' inlets wedge there. Checked as a whole against the resolved subtrees (the file's comment).
 */
export const BRANCH_POINT_FRACTION = 0.5;
/** Stack of the cell cascade: depth ≤ 3·(log2 of the largest extent in cells + 1), far below. */
const CELL_STACK = 256;

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
  /** Unresolved exclusion, cube cascade: the halves' inlet lumen (µm) at each depth, and the fraction of a piece's spheres that fit it. */
  private readonly lumens = new Float64Array(MAX_DEPTH + 2);
  private readonly passAtDepth = new Float64Array(MAX_DEPTH + 2);
  /** Cell cascade: each stacked piece's inlet lumen (µm) and F of it (the spheres in the piece fit it). */
  private readonly cellLumens = new Float64Array(CELL_STACK);
  private readonly cellLumenCdfs = new Float64Array(CELL_STACK);
  /** The product's diameter CDF (null: no unresolved exclusion), 1/γ and the lumen scale (UnresolvedExclusion). */
  private readonly cdf: ((diameterUm: number) => number) | null;
  private readonly inverseGamma: number;
  private readonly lumenScale: number;
  /**
   * Where the spheres too wide for the terminal's own lumen wedge: its inlet, the proximal point,
   * and where its first branch point is measured from (spreadTerminal sets it; a caller of descend
   * / descendCells with spheres and exclusion must set it too: it is not reset between terminals).
   */
  readonly inletPoint = new Float64Array(3);
  /** Each stacked piece's inlet point (xyz, mm): its parent piece's branch point (cube and cell cascades). */
  private readonly pieceInlets = new Float64Array(3 * CELL_STACK);
  /** κ of a bisection at each depth below the current terminal. */
  private readonly kappaAtDepth = new Float64Array(MAX_DEPTH + 1);
  private stream: RandomStream | null = null;
  private streamBlock = -1;
  /** A terminal's cells, partitioned in place by the cell cascade (grown when a terminal owns more). */
  private work = new Int32Array(1024);
  private readonly rangeStart = new Int32Array(CELL_STACK);
  private readonly rangeEnd = new Int32Array(CELL_STACK);
  private readonly cellSpheres = new Float64Array(CELL_STACK);
  private readonly cellShares = new Float64Array(CELL_STACK);
  /** Lattice coordinates of the current terminal's cells, by position − first (decoded once per terminal). */
  private ci = new Int32Array(1024);
  private cj = new Int32Array(1024);
  private ck = new Int32Array(1024);
  /**
   * logVariance of a piece of n cells (n × unit mass), index n; NaN until computed. The cell
   * cascade's masses are whole numbers of cells, so each is computed once per cascade (the same
   * value splitConcentration would compute: bit-identical, ~a third of the cascade's time before).
   */
  private cellLogVariance = new Float64Array(0);

  constructor(model: SubTerminalModel) {
    this.model = model;
    this.cdf = model.exclusion === null ? null : diameterCdf(model.exclusion.diameterUm);
    this.inverseGamma = model.exclusion === null ? 0 : 1 / model.exclusion.murrayExponent;
    this.lumenScale = model.exclusion === null ? 1 : model.exclusion.lumenScale;
  }

  /** Spheres of the last splitPassing that entered half 0 / half 1 and fit its inlet. */
  private pass0 = 0;
  private pass1 = 0;

  /**
   * Split `n` spheres between two halves with share `p0` to half 0, of which the fractions `r0`,
   * `r1` fit the halves' inlets (F(D_half) / F(D_piece)): a multinomial (pass 0, pass 1, wedged)
   * drawn as two binomials from the counts stream; with r0 = r1 = 1 the one binomial of a cascade
   * without exclusion (the same draws). Sets pass0 / pass1; returns the wedged count.
   */
  private splitPassing(n: number, p0: number, r0: number, r1: number, counts: RandomStream): number {
    if (r0 === 1 && r1 === 1) {
      this.pass0 = binomial(counts, n, p0);
      this.pass1 = n - this.pass0;
      return 0;
    }
    const a = p0 * r0;
    const n0 = binomial(counts, n, a);
    const rest = n - n0;
    const n1 = rest > 0 ? binomial(counts, rest, Math.min(1, ((1 - p0) * r1) / (1 - a))) : 0;
    this.pass0 = n0;
    this.pass1 = n1;
    return n - n0 - n1;
  }

  /** Report `spheres` wedged at a branch point (x, y, z) to `onLeaf`: one cluster in a cube of the inlet lumen's width, share 0. */
  private emitWedged(spheres: number, lumenUm: number, x: number, y: number, z: number, onLeaf: (spheres: number) => void): void {
    setCube(this.leafBox, 0, x, y, z, lumenUm / 2000);
    this.leafShare[0] = 0;
    onLeaf(spheres);
  }

  /** Counts stream of the current block (the run's seed), and the next segment whose split fractions are not drawn yet. */
  private countsStream: RandomStream | null = null;
  private drawnTo = 0;
  private readonly noLeaf = (): void => undefined;

  /**
   * Spread terminal `segment`'s `spheres` over its leaves (cells when it owns some, else its
   * territory cube), `onLeaf(spheres)` per leaf holding spheres. Terminals must come in ascending
   * order within a block; the empty terminals of the block before `segment` draw their split
   * fractions first (so the fractions never depend on which terminals hold spheres). The binomial
   * counts come from the run's counts stream of the block (keyed by `runSeed`).
   */
  spreadTerminal(tree: SubTerminalTree, cells: TerritoryCells | null, segment: number, spheres: number, runSeed: number, onLeaf: (spheres: number) => void): void {
    const block = Math.floor(segment / SUB_TERMINAL_BLOCK_SEGMENTS);
    if (this.useBlock(block)) {
      this.drawnTo = block * SUB_TERMINAL_BLOCK_SEGMENTS;
      this.countsStream = createStream(runSeed, COUNTS_STREAM_TAG + BigInt(block));
    }
    for (let t = this.drawnTo; t < segment; t++) if (tree.child0[t] < 0) this.spreadOne(tree, cells, t, 0, null, this.noLeaf);
    this.drawnTo = segment + 1;
    this.spreadOne(tree, cells, segment, spheres, this.countsStream, onLeaf);
  }

  private spreadOne(tree: SubTerminalTree, cells: TerritoryCells | null, j: number, spheres: number, counts: RandomStream | null, onLeaf: (spheres: number) => void): void {
    // A terminal holds the spheres that reached its inlet — they fit its parent's lumen (radii fall
    // along a Murray path) — and those of them too wide for its own lumen (context.ts: they lodge at
    // the narrow vessel's inlet, counted for it). Its own lumen, and so those below it, as wide as
    // in the tree grown to the unit mass (lumenScale, unresolvedLumen.ts), not the coarse tree's.
    const lumenUm = 2000 * tree.radiusMm[j] * this.lumenScale;
    for (let a = 0; a < 3; a++) this.inletPoint[a] = tree.proximalMm[3 * j + a];
    const inletUm = tree.parent[j] >= 0 ? 2000 * tree.radiusMm[tree.parent[j]] : Infinity;
    if (cells !== null && cells.offsets[j + 1] > cells.offsets[j]) this.descendCells(cells, cells.offsets[j], cells.offsets[j + 1], spheres, counts, onLeaf, false, lumenUm, inletUm);
    else this.descend(tree.distalMm[3 * j], tree.distalMm[3 * j + 1], tree.distalMm[3 * j + 2], tree.territoryMl[j], spheres, counts, onLeaf, false, lumenUm, inletUm);
  }

  /**
   * The spheres of a terminal too wide for its own lumen (F(D_t) / F(D_inlet) fit it) wedge at its
   * inlet, `inletPoint`, where the resolved tree lodges a vessel's (its proximal point); a terminal
   * that is one leaf spreads them (as a resolved terminal does). `fT` = F(lumenUm), which the
   * caller's cascade goes on from. Returns the wedged count.
   */
  private wedgeAtTerminal(spheres: number, lumenUm: number, fT: number, inletUm: number, isLeaf: boolean, counts: RandomStream, onLeaf: (spheres: number) => void): number {
    if (isLeaf || !(spheres > 0)) return 0;
    const fIn = (this.cdf as (d: number) => number)(inletUm);
    if (!(fIn > 0) || !(fT < fIn)) return 0;
    const wedged = binomial(counts, spheres, 1 - fT / fIn);
    if (wedged > 0) this.emitWedged(wedged, lumenUm, this.inletPoint[0], this.inletPoint[1], this.inletPoint[2], onLeaf);
    return wedged;
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
   * spheres = 0). Every bisection draws its split fraction, whatever the counts. `lumenUm`: the
   * terminal's lumen, `inletUm` its parent's, which every sphere it holds fits (unresolved
   * exclusion; Infinity: none). With spheres and exclusion, the terminal's inlet is `inletPoint`,
   * which the caller sets first (spreadTerminal does: the terminal's proximal point).
   */
  descend(cx: number, cy: number, cz: number, territoryMl: number, spheres: number, positions: RandomStream | null, onLeaf: (spheres: number) => void, everyLeaf = false, lumenUm = Infinity, inletUm = Infinity): void {
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
    setCube(boxes, 0, cx, cy, cz, half);
    const cdf = this.cdf;
    if (cdf !== null && spheres > 0) {
      spheres -= this.wedgeAtTerminal(spheres, lumenUm, cdf(lumenUm), inletUm, leafDepth === 0, positions as RandomStream, onLeaf);
      // What goes on fits both the terminal's lumen and its parent's (the widened lumen may exceed
      // the parent's, which stopped the wider spheres upstream).
      let f = Math.min(cdf(lumenUm), cdf(inletUm));
      // Halves of equal mean flow: the inlet at depth d is 2^(−d/γ) of the terminal's, the same for
      // every piece of that depth; the share that fits it, F(D_{d+1}) / F(D_d) (1: nothing wedged).
      const halfLumen = Math.pow(0.5, this.inverseGamma);
      let lumen = lumenUm;
      for (let d = 0; d < leafDepth; d++) {
        const next = lumen * halfLumen;
        const fNext = cdf(next);
        this.lumens[d] = next;
        this.passAtDepth[d] = f > 0 && fNext < f ? fNext / f : 1;
        lumen = next;
        f = fNext;
      }
    }
    this.spheres[0] = spheres;
    this.shares[0] = 1;
    this.depths[0] = 0;
    const inlets = this.pieceInlets;
    for (let a = 0; a < 3; a++) inlets[a] = this.inletPoint[a];
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
      // The branch point, the halves' inlet (replaces this piece's inlet in slot `top`): only where
      // spheres can wedge (a piece without spheres has halves without spheres).
      if (n > 0 && cdf !== null) {
        for (let a = 0; a < 3; a++) {
          const branch = inlets[3 * top + a] + BRANCH_POINT_FRACTION * ((boxes[o + a] + boxes[o + 3 + a]) / 2 - inlets[3 * top + a]);
          inlets[3 * top + a] = branch;
          inlets[3 * top + 3 + a] = branch;
        }
      }
      const kappa = this.kappaAtDepth[depth];
      let p0 = 0.5;
      if (kappa > 0) {
        p0 = beta(stream, kappa / 2, kappa / 2);
        p0 = Math.min(1 - 1e-12, Math.max(1e-12, p0));
      }
      let n0 = 0;
      let n1 = 0;
      // Longest axis (first of equals): a cube → two 2:1:1 boxes → four 2:2:1... → a cube again.
      const ex = boxes[o + 3] - boxes[o];
      const ey = boxes[o + 4] - boxes[o + 1];
      const ez = boxes[o + 5] - boxes[o + 2];
      const axis = ex >= ey && ex >= ez ? 0 : ey >= ez ? 1 : 2;
      const mid = (boxes[o + axis] + boxes[o + 3 + axis]) / 2;
      if (n > 0) {
        // A leaf's inlet is a portal tract's terminal arteriole: what it stops lodges in the leaf
        // (spread over it), as a resolved terminal's do; above, at the piece's branch point.
        const r = cdf !== null && depth + 1 < leafDepth ? this.passAtDepth[depth] : 1;
        const wedged = this.splitPassing(n, p0, r, r, positions as RandomStream);
        n0 = this.pass0;
        n1 = this.pass1;
        if (wedged > 0) this.emitWedged(wedged, this.lumens[depth], inlets[3 * top], inlets[3 * top + 1], inlets[3 * top + 2], onLeaf);
      }
      // Slot top + 1 (popped first) gets half 0, the lower half; slot `top` half 1.
      const o1 = o + 6;
      for (let a = 0; a < 6; a++) boxes[o1 + a] = boxes[o + a];
      boxes[o1 + 3 + axis] = mid;
      boxes[o + axis] = mid;
      this.spheres[top] = n1;
      this.shares[top] = share * (1 - p0);
      this.depths[top] = depth + 1;
      this.spheres[top + 1] = n0;
      this.shares[top + 1] = share * p0;
      this.depths[top + 1] = depth + 1;
      top += 2;
    }
  }

  /**
   * Run the cascade over the cells `first`..`end` of `cells` (one terminal's tissue, territoryCells.ts):
   * a piece of cells is split across the midplane of its bounding box's longest axis (in cells),
   * the share of half 0 drawn from Beta(κ·f0, κ·(1 − f0)) around its perfusion-weighted mass
   * fraction f0 = Σ₀ perfusion / Σ perfusion (the flow the unresolved subtree's terminals, placed
   * with the perfusion density as the tree's are, would bring to each half; the mass fraction in
   * uniformly perfused tissue) with κ from splitConcentration (the tree's rule for unequal
   * daughters: masses for the law, f0 for the flow weights), down to single cells (the unit mass);
   * `onLeaf(spheres)` per cell holding spheres (every cell with `everyLeaf`), the cell's cube in
   * `leafBox`, its share in `leafShare[0]`; `lumenUm`, `inletUm` and `inletPoint` as in descend (a
   * half's inlet: D·f^(1/γ)).
   */
  descendCells(cells: TerritoryCells, first: number, end: number, spheres: number, positions: RandomStream | null, onLeaf: (spheres: number) => void, everyLeaf = false, lumenUm = Infinity, inletUm = Infinity): void {
    const m = this.model;
    const stream = this.stream as RandomStream;
    const count = end - first;
    if (this.work.length < count) {
      const size = Math.max(count, 2 * this.work.length);
      this.work = new Int32Array(size);
      this.ci = new Int32Array(size);
      this.cj = new Int32Array(size);
      this.ck = new Int32Array(size);
    }
    if (this.cellLogVariance.length <= count) {
      const grown = new Float64Array(Math.max(count + 1, 2 * this.cellLogVariance.length)).fill(NaN);
      grown.set(this.cellLogVariance);
      this.cellLogVariance = grown;
    }
    const work = this.work;
    const lattice = cells.cells;
    const perfusion = cells.perfusion;
    const nx = cells.dims[0];
    const nxy = cells.dims[0] * cells.dims[1];
    const side = cells.sideMm;
    const unit = m.unitMassG;
    const exponent = 1 - m.fractalDimension;
    const lv = this.cellLogVariance;
    const ci = this.ci, cj = this.cj, ck = this.ck;
    // Positions in cells.cells / cells.perfusion (partitioned in place below), and their lattice
    // coordinates (indexed by position − first, so they follow the positions through the partition).
    for (let q = 0; q < count; q++) {
      work[q] = first + q;
      const c = lattice[first + q];
      const k = Math.floor(c / nxy);
      const jy = Math.floor((c - k * nxy) / nx);
      ci[q] = c - k * nxy - jy * nx;
      cj[q] = jy;
      ck[q] = k;
    }
    const cdf = this.cdf;
    // The terminal's own inlet (inletPoint).
    // The lumens and F only where spheres go (an empty terminal draws its split fractions only).
    if (cdf !== null && spheres > 0) {
      const fT = cdf(lumenUm);
      spheres -= this.wedgeAtTerminal(spheres, lumenUm, fT, inletUm, count === 1, positions as RandomStream, onLeaf);
      this.cellLumens[0] = lumenUm;
      // What goes on fits both lumens (as descend).
      this.cellLumenCdfs[0] = Math.min(fT, cdf(inletUm));
    }
    const inlets = this.pieceInlets;
    for (let a = 0; a < 3; a++) inlets[a] = this.inletPoint[a];
    this.rangeStart[0] = 0;
    this.rangeEnd[0] = count;
    this.cellSpheres[0] = spheres;
    this.cellShares[0] = 1;
    let top = 1;
    while (top > 0) {
      top--;
      const a = this.rangeStart[top];
      const b = this.rangeEnd[top];
      const n = this.cellSpheres[top];
      const share = this.cellShares[top];
      if (b - a === 1) {
        if (n > 0 || everyLeaf) {
          const q = work[a] - first;
          const box = this.leafBox;
          box[0] = cells.originMm[0] + ci[q] * side;
          box[1] = cells.originMm[1] + cj[q] * side;
          box[2] = cells.originMm[2] + ck[q] * side;
          box[3] = box[0] + side;
          box[4] = box[1] + side;
          box[5] = box[2] + side;
          this.leafShare[0] = share;
          onLeaf(n);
        }
        continue;
      }
      // Bounding box in cell indices, and the sum of the indices (the piece's centroid).
      let minI = Infinity, maxI = -Infinity, minJ = Infinity, maxJ = -Infinity, minK = Infinity, maxK = -Infinity;
      let sumI = 0, sumJ = 0, sumK = 0;
      for (let p = a; p < b; p++) {
        const q = work[p] - first;
        const i = ci[q], jy = cj[q], k = ck[q];
        sumI += i;
        sumJ += jy;
        sumK += k;
        if (i < minI) minI = i;
        if (i > maxI) maxI = i;
        if (jy < minJ) minJ = jy;
        if (jy > maxJ) maxJ = jy;
        if (k < minK) minK = k;
        if (k > maxK) maxK = k;
      }
      const ex = maxI - minI, ey = maxJ - minJ, ez = maxK - minK;
      const axis = ex >= ey && ex >= ez ? 0 : ey >= ez ? 1 : 2;
      // Cells with index ≤ the midpoint go to half 0: both halves non-empty (extent ≥ 1 cell).
      const mid = axis === 0 ? (minI + maxI) >> 1 : axis === 1 ? (minJ + maxJ) >> 1 : (minK + maxK) >> 1;
      let lo = a;
      let hi = b - 1;
      while (lo <= hi) {
        const q = work[lo];
        const coord = axis === 2 ? ck[q - first] : axis === 1 ? cj[q - first] : ci[q - first];
        if (coord <= mid) lo++;
        else {
          work[lo] = work[hi];
          work[hi--] = q;
        }
      }
      const n0Cells = lo - a;
      const n1Cells = b - lo;
      // Perfusion of each half (sums in position order within the half's range: the partition is
      // deterministic, so the same sums on every worker).
      let w0 = 0, w1 = 0;
      for (let q = a; q < lo; q++) w0 += perfusion[work[q]];
      for (let q = lo; q < b; q++) w1 += perfusion[work[q]];
      const f0 = w0 / (w0 + w1);
      // splitConcentration(rd, exponent, (b − a)·unit, n0Cells·unit, n1Cells·unit, f0, factor), with the log-variances cached.
      if (Number.isNaN(lv[b - a])) lv[b - a] = logVariance(m.relativeDispersionAt1g, exponent, (b - a) * unit);
      if (Number.isNaN(lv[n0Cells])) lv[n0Cells] = logVariance(m.relativeDispersionAt1g, exponent, n0Cells * unit);
      if (Number.isNaN(lv[n1Cells])) lv[n1Cells] = logVariance(m.relativeDispersionAt1g, exponent, n1Cells * unit);
      const kappa = concentrationOfLogVariances(lv[b - a], lv[n0Cells], lv[n1Cells], f0, m.varianceFactor);
      let p0 = f0;
      if (kappa > 0) {
        p0 = beta(stream, kappa * f0, kappa * (1 - f0));
        p0 = Math.min(1 - 1e-12, Math.max(1e-12, p0));
      }
      if (top + 2 > CELL_STACK) throw new RangeError("sub-terminal cell cascade deeper than its stack");
      // The branch point, BRANCH_POINT_FRACTION of the way from the piece's inlet to its centroid:
      // the halves' inlet (replaces the piece's inlet in slot `top`; slot top + 1 gets it too); only
      // where spheres can wedge (a piece without spheres has halves without spheres).
      if (n > 0 && cdf !== null) {
        const cn = b - a;
        const centroid0 = cells.originMm[0] + (sumI / cn + 0.5) * side;
        const centroid1 = cells.originMm[1] + (sumJ / cn + 0.5) * side;
        const centroid2 = cells.originMm[2] + (sumK / cn + 0.5) * side;
        inlets[3 * top] += BRANCH_POINT_FRACTION * (centroid0 - inlets[3 * top]);
        inlets[3 * top + 1] += BRANCH_POINT_FRACTION * (centroid1 - inlets[3 * top + 1]);
        inlets[3 * top + 2] += BRANCH_POINT_FRACTION * (centroid2 - inlets[3 * top + 2]);
        for (let q = 0; q < 3; q++) inlets[3 * top + 3 + q] = inlets[3 * top + q];
      }
      let s0 = 0;
      let s1 = 0;
      let lumen0 = 0, lumen1 = 0, cdf0 = 0, cdf1 = 0;
      if (n > 0) {
        let r0 = 1, r1 = 1;
        if (cdf !== null) {
          // Inlets by mean flow share: D·f^(1/γ); the lumens and F only where spheres go.
          const parentCdf = this.cellLumenCdfs[top];
          lumen0 = this.cellLumens[top] * Math.pow(f0, this.inverseGamma);
          lumen1 = this.cellLumens[top] * Math.pow(1 - f0, this.inverseGamma);
          cdf0 = cdf(lumen0);
          cdf1 = cdf(lumen1);
          // A half of one cell is a leaf: its inlet's spheres lodge in it (spread, as a resolved terminal's).
          if (n0Cells > 1 && parentCdf > 0 && cdf0 < parentCdf) r0 = cdf0 / parentCdf;
          if (n1Cells > 1 && parentCdf > 0 && cdf1 < parentCdf) r1 = cdf1 / parentCdf;
        }
        const wedged = this.splitPassing(n, p0, r0, r1, positions as RandomStream);
        s0 = this.pass0;
        s1 = this.pass1;
        // Both halves' wedged spheres at one branch point (the file's comment).
        if (wedged > 0) this.emitWedged(wedged, Math.max(lumen0, lumen1), inlets[3 * top], inlets[3 * top + 1], inlets[3 * top + 2], onLeaf);
      }
      // Slot top + 1 (popped first): half 0.
      this.rangeStart[top] = lo;
      this.rangeEnd[top] = b;
      this.cellSpheres[top] = s1;
      this.cellShares[top] = share * (1 - p0);
      this.rangeStart[top + 1] = a;
      this.rangeEnd[top + 1] = lo;
      this.cellSpheres[top + 1] = s0;
      this.cellShares[top + 1] = share * p0;
      if (cdf !== null) {
        this.cellLumens[top] = lumen1;
        this.cellLumenCdfs[top] = cdf1;
        this.cellLumens[top + 1] = lumen0;
        this.cellLumenCdfs[top + 1] = cdf0;
      }
      top += 2;
    }
  }
}

/** The tree arrays the sub-terminal map reads. */
export interface SubTerminalTree {
  readonly segmentCount: number;
  readonly child0: Int32Array;
  readonly distalMm: Float64Array;
  /** A terminal's inlet: where the spheres too wide for its lumen wedge (unresolved exclusion). */
  readonly proximalMm: Float64Array;
  readonly territoryMl: Float64Array;
  /** A terminal's and its parent's lumens: what it holds fits the parent's, what is wider than its own (× lumenScale) wedges at its inlet (unresolved exclusion). */
  readonly radiusMm: Float64Array;
  readonly parent: Int32Array;
}

/**
 * The sub-terminal flow map of a whole tree: `visit(terminal, box, share)` for every leaf of every
 * terminal, in segment order, with the leaf's box (min xyz, max xyz, mm; a scratch array) and its
 * share of the terminal's flow. The same draws as the deposit's (studies and tests of the law).
 */
export function forEachSubTerminalLeaf(tree: SubTerminalTree, model: SubTerminalModel, visit: (terminal: number, box: Float64Array, share: number) => void, cells: TerritoryCells | null = null): void {
  const cascade = new SubTerminalCascade(model);
  const distal = tree.distalMm;
  let terminal = 0;
  const onLeaf = () => visit(terminal, cascade.leafBox, cascade.leafShare[0]);
  for (let j = 0; j < tree.segmentCount; j++) {
    if (tree.child0[j] >= 0) continue;
    cascade.useBlock(Math.floor(j / SUB_TERMINAL_BLOCK_SEGMENTS));
    terminal = j;
    if (cells !== null && cells.offsets[j + 1] > cells.offsets[j]) cascade.descendCells(cells, cells.offsets[j], cells.offsets[j + 1], 0, null, onLeaf, true);
    else cascade.descend(distal[3 * j], distal[3 * j + 1], distal[3 * j + 2], tree.territoryMl[j], 0, null, onLeaf, true);
  }
}

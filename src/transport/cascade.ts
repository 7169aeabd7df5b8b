/**
 * The binomial cascade: a batch of n spheres released into a subtree is split at every
 * bifurcation as Binomial(n, p) in one pre-order pass — O(segments visited) whatever n, and a
 * subtree that receives no sphere is skipped whole. In distribution this equals n independent
 * per-sphere walks with the same frozen flows (each sphere's route is independent of the others'),
 * which test/transport checks against walk.ts by chi-square.
 *
 * Size exclusion without diameter bins: a sphere's diameter is independent of its route, so the
 * spheres arriving at the inlet of j are iid from the product's truncated normal conditioned on
 * having fit through the path so far (d ≤ D_path). A fraction passFraction[j] of them fits into j
 * (see context.ts); the others lodge at j's inlet: Binomial(n, 1 − passFraction[j]). Exact.
 *
 * Work units: the injected subtree is cut at a fixed generation below the entry (transport.cutDepth,
 * a property of the tree alone). The top unit of a batch draws the lung shunt and cascades down to
 * the cut roots; each cut root with spheres is then one unit. Units write disjoint segment ranges,
 * so partial counts add exactly and the result does not depend on which thread runs which unit.
 *
 * Random streams do not follow the units but the tree: every segment at most STREAM_DEPTH
 * generations below the entry draws from its own stream, keyed (batch, segment), and a segment
 * STREAM_DEPTH below keeps its stream for its whole subtree; a unit's root starts its own stream
 * whatever its depth (the top unit's is the entry's, which also draws the lung shunt). A unit
 * switches to a segment's stream when the walk reaches it, so for any cut at most STREAM_DEPTH
 * deep every draw comes from the same stream in the same order: the results are bit-identical for
 * every cutDepth ≤ STREAM_DEPTH (test/transport/batchGroups.test.ts). A deeper cut starts streams
 * at its cut roots too: the same in distribution, not in the bits.
 */
import { binomialOfProbability, binomialProbability as P } from "../random/binomial.js";
import { beta } from "../random/beta.js";
import { createStream, streamSeedKey, type RandomStream } from "../random/stream.js";

/** Plain arrays a cascade unit reads (transferable to a worker as they are). */
export interface CascadeArrays {
  readonly child0: Int32Array;
  readonly child1: Int32Array;
  readonly compartment: Int32Array;
  /** Generation of every segment (which segments start a random stream). */
  readonly generation: Int32Array;
  /** The entry's generation + STREAM_DEPTH: segments up to this generation start their own stream. */
  readonly streamGeneration: number;
  /** Probability of entering child0 at each bifurcation (current flows). */
  readonly split0: Float64Array;
  /** Fraction of arriving spheres that fit into each segment, or null (no size exclusion). */
  readonly passFraction: Float64Array | null;
  /** Shunt-to-lung fraction per compartment at its terminals. */
  readonly shuntFraction: Float64Array;
  /** 1 at the roots of the cut subtrees. */
  readonly isCutRoot: Uint8Array;
  /** Beta streamline-noise concentration κ; 0 = none. */
  readonly noiseConcentration: number;
  /** Whole-injection lung shunt fraction, drawn by the top unit. */
  readonly lungShuntFraction: number;
}

/** One work unit: the top of a batch (root = entry, top = true) or one cut subtree. */
export interface CascadeUnit {
  readonly batch: number;
  readonly root: number;
  readonly spheres: number;
  readonly top: boolean;
}

/** Segments that received their first lodged sphere of the batch (optional bookkeeping). */
export interface TouchedList {
  readonly segments: Int32Array;
  count: number;
}

/** Tag that keeps transport streams apart from other stages' streams of the same seed. */
const TRANSPORT_STREAM_TAG = 0x54n << 56n;

/**
 * Generations below the entry down to which every segment has its own random stream (the segments
 * this deep keep theirs for their whole subtree). 9: the work-unit cut (transport.cutDepth,
 * default 6) gives bit-identical results at every depth up to 9; it costs up to 2^10 − 1 stream
 * re-keyings per batch, done in place without BigInt (RandomStream.rekey).
 */
export const STREAM_DEPTH = 9;

/** Stream id of the draws at `segment` in batch `batch` (its whole subtree below STREAM_DEPTH). */
export function cascadeStreamId(batch: number, segment: number, segmentCount: number): bigint {
  return TRANSPORT_STREAM_TAG + BigInt(batch) * BigInt(segmentCount + 1) + BigInt(segment + 1);
}

/**
 * The stream a unit draws from, re-keyed in place at every segment that starts one (one per
 * thread: a unit runs to its end before the next starts), and the key of the last seed used.
 */
const unitStream = createStream(0, 0);
let keyedSeed = -1;
let seedKey = streamSeedKey(0);

/** Re-key `stream` to cascadeStreamId(batch, segment) given base = the id of (batch, −1) as two words. */
function rekeyAt(stream: RandomStream, key: Uint32Array, baseHi: number, baseLo: number, segment: number): void {
  const lo = baseLo + segment + 1;
  stream.rekey(key, baseHi + (lo > 0xffffffff ? 1 : 0), lo);
}

/**
 * Pending right-hand daughters of the pre-order walk (segment, spheres), one entry per level of
 * the unit's subtree at most; grown on demand, kept between units (per thread: each worker has its
 * own module). A stack instead of a per-segment array of arriving spheres: the walk reads and
 * writes nothing per segment but the tree's own arrays and the lodged counts, and visits only the
 * segments that receive spheres.
 */
let pendingSegment = new Int32Array(256);
let pendingSpheres = new Float64Array(256);

function growPending(): void {
  const segment = new Int32Array(2 * pendingSegment.length);
  const spheres = new Float64Array(2 * pendingSpheres.length);
  segment.set(pendingSegment);
  spheres.set(pendingSpheres);
  pendingSegment = segment;
  pendingSpheres = spheres;
}

/**
 * Run one unit. Adds spheres lodged per segment into `outLodged`, and (top unit) the spheres that
 * reach each cut root into `outCutArrivals`. Returns the number of spheres shunted to the lungs.
 *
 * The segments that receive spheres are visited in pre-order (ascending index), each drawing its
 * splits when visited: the lower-index daughter is walked next, the other waits on a stack until
 * the first daughter's subtree is done. A subtree that receives no sphere is never entered.
 */
export function runCascadeUnit(
  outLodged: Float64Array,
  outCutArrivals: Float64Array,
  arrays: CascadeArrays,
  unit: CascadeUnit,
  seed: number,
  touched: TouchedList | null = null,
): number {
  const { child0, child1, compartment, generation, split0, passFraction, shuntFraction, isCutRoot } = arrays;
  const kappa = arrays.noiseConcentration;
  const streamGeneration = arrays.streamGeneration;
  if (seed !== keyedSeed) {
    seedKey = streamSeedKey(seed);
    keyedSeed = seed;
  }
  const key = seedKey;
  // The stream ids of this batch, cascadeStreamId(batch, j) = base + j + 1, as 32-bit words.
  const base = cascadeStreamId(unit.batch, -1, child0.length);
  const baseHi = Number(base >> 32n);
  const baseLo = Number(base & 0xffffffffn);
  const stream = unitStream;
  rekeyAt(stream, key, baseHi, baseLo, unit.root);
  const root = unit.root;
  const top = unit.top;
  let lung = 0;
  let n = unit.spheres;
  if (top) {
    if (arrays.lungShuntFraction > 0) {
      P[0] = arrays.lungShuntFraction;
      const m = binomialOfProbability(stream, n);
      lung += m;
      n -= m;
    }
    if (passFraction !== null && passFraction[root] < 1) {
      P[0] = 1 - passFraction[root];
      const blocked = binomialOfProbability(stream, n);
      if (blocked > 0 && outLodged[root] === 0 && touched !== null) touched.segments[touched.count++] = root;
      outLodged[root] += blocked;
      n -= blocked;
    }
  }
  let pending = 0;
  let j = root;
  let arriving = n;
  for (;;) {
    if (arriving > 0) {
      const c0 = child0[j];
      // A segment at most STREAM_DEPTH generations below the entry draws from its own stream (at
      // most 2^(STREAM_DEPTH + 1) − 1 per batch); a cut root reached by the top unit is left to its unit.
      if (j !== root && generation[j] <= streamGeneration && !(top && isCutRoot[j] === 1)) rekeyAt(stream, key, baseHi, baseLo, j);
      if (top && j !== root && isCutRoot[j] === 1) {
        outCutArrivals[j] += arriving;
      } else if (c0 < 0) {
        let stay = arriving;
        const shunt = shuntFraction[compartment[j]];
        if (shunt > 0) {
          P[0] = shunt;
          const m = binomialOfProbability(stream, stay);
          lung += m;
          stay -= m;
        }
        if (stay > 0 && outLodged[j] === 0 && touched !== null) touched.segments[touched.count++] = j;
        outLodged[j] += stay;
      } else {
        const c1 = child1[j];
        // Stored, not merged into one variable with beta's (boxed) result: see binomialProbability.
        const p = split0[j];
        P[0] = p;
        if (kappa > 0 && p > 0 && p < 1) P[0] = beta(stream, kappa * p, kappa * (1 - p));
        let n0 = binomialOfProbability(stream, arriving);
        let n1 = arriving - n0;
        if (passFraction !== null) {
          const pass0 = passFraction[c0];
          if (pass0 < 1 && n0 > 0) {
            P[0] = 1 - pass0;
            const b = binomialOfProbability(stream, n0);
            if (b > 0 && outLodged[c0] === 0 && touched !== null) touched.segments[touched.count++] = c0;
            outLodged[c0] += b;
            n0 -= b;
          }
          const pass1 = passFraction[c1];
          if (pass1 < 1 && n1 > 0) {
            P[0] = 1 - pass1;
            const b = binomialOfProbability(stream, n1);
            if (b > 0 && outLodged[c1] === 0 && touched !== null) touched.segments[touched.count++] = c1;
            outLodged[c1] += b;
            n1 -= b;
          }
        }
        // Pre-order: the lower-index daughter's subtree comes first (child0 = j + 1 in the trees
        // built here, but the order is taken from the indices); the other one waits.
        const c0First = c0 < c1;
        const nSecond = c0First ? n1 : n0;
        if (nSecond > 0) {
          if (pending === pendingSegment.length) growPending();
          pendingSegment[pending] = c0First ? c1 : c0;
          pendingSpheres[pending] = nSecond;
          pending++;
        }
        arriving = c0First ? n0 : n1;
        if (arriving > 0) {
          j = c0First ? c0 : c1;
          continue;
        }
      }
    }
    if (pending === 0) break;
    pending--;
    j = pendingSegment[pending];
    arriving = pendingSpheres[pending];
  }
  return lung;
}

/**
 * Spheres per 1 mm cube of normal liver split into W, the spheres wedged above the leaves
 * (resolved vessels' inlets and the sub-terminal cascade's branch points), and S, the spheres
 * spread over leaves (a cascade's unit-mass pieces, or a resolved terminal's); W's variance split
 * into the "self" term Σ c² over distinct wedge points (c spheres at one point: the vessels of one
 * branch point share it) and the "cross" term (distinct wedge points in one cube: > 0 they crowd,
 * < 0 they avoid each other). All per mean² (they add to RD²). Placement unclipped: a leaf's
 * spheres uniform in its box, wedged spheres at their point. Used by
 * bench/transport-wedge-points.ts and bench/transport-continuation.ts (bench/transport.md).
 */
import type { Domain } from "../src/geometry/domain.js";
import { ballLabel } from "../src/geometry/domain.js";
import type { RandomStream } from "../src/random/stream.js";

export interface WedgeCubeRow {
  readonly wMean: number;
  readonly sMean: number;
  readonly rd: number;
  readonly wVar: number;
  readonly sVar: number;
  readonly twoCov: number;
  readonly wSelf: number;
  readonly wCross: number;
  /**
   * The part of wCross from pairs of distinct points of the same group (`wedge`'s group ≥ 0: e.g.
   * the subtree of ≤ 16 mg a point belongs to); wCross − wCrossWithin is the part across groups
   * (and the mean² that wCross subtracts). 0 when no point had a group.
   */
  readonly wCrossWithin: number;
  /** Distinct wedge points per normal-liver cube, and spheres per point. */
  readonly pointsPerCube: number;
  readonly spheresPerPoint: number;
}

export class WedgeCubes {
  private readonly lo: number[];
  private readonly dims: number[];
  private readonly normal: Uint8Array;
  private readonly w: Float32Array;
  private readonly s: Float32Array;
  /** Wedged spheres per distinct point, keyed by the point's coordinates. */
  private readonly points = new Map<string, number>();
  /** The group of each distinct point (the first `wedge` at it sets it; −1: none). */
  private readonly pointGroup = new Map<string, number>();

  /** Cubes over the extent of `distalMm` (+ 8 mm); normal liver: the cubes whose circumscribed ball is normal liver. */
  constructor(distalMm: Float64Array, domain: Domain) {
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    for (let q = 0; q < distalMm.length; q += 3) for (let a = 0; a < 3; a++) {
      lo[a] = Math.min(lo[a], Math.floor(distalMm[q + a]) - 8);
      hi[a] = Math.max(hi[a], Math.ceil(distalMm[q + a]) + 8);
    }
    this.lo = lo;
    this.dims = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
    const [nx, ny, nz] = this.dims;
    this.normal = new Uint8Array(nx * ny * nz);
    for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
      if (ballLabel(domain, lo[0] + i + 0.5, lo[1] + j + 0.5, lo[2] + k + 0.5, Math.sqrt(3) / 2) === 1) this.normal[i + nx * (j + ny * k)] = 1;
    }
    this.w = new Float32Array(nx * ny * nz);
    this.s = new Float32Array(nx * ny * nz);
  }

  private binOf(x: number, y: number, z: number): number {
    const [nx, ny, nz] = this.dims;
    const i = Math.floor(x - this.lo[0]), j = Math.floor(y - this.lo[1]), k = Math.floor(z - this.lo[2]);
    return i >= 0 && i < nx && j >= 0 && j < ny && k >= 0 && k < nz ? i + nx * (j + ny * k) : -1;
  }

  /** `k` spheres wedged at (x, y, z), a point of `group` (≥ 0; −1: none, for the within/across split of the cross term). */
  wedge(x: number, y: number, z: number, k: number, group = -1): void {
    const b = this.binOf(x, y, z);
    if (b >= 0) this.w[b] += k;
    const key = `${x},${y},${z}`;
    this.points.set(key, (this.points.get(key) ?? 0) + k);
    if (!this.pointGroup.has(key)) this.pointGroup.set(key, group);
  }

  /** `k` spheres uniform in `box` ([min xyz, max xyz], mm). */
  spread(box: Float64Array, k: number, uniform: RandomStream): void {
    for (let q = 0; q < k; q++) {
      const b = this.binOf(box[0] + (box[3] - box[0]) * uniform.nextFloat(), box[1] + (box[4] - box[1]) * uniform.nextFloat(), box[2] + (box[5] - box[2]) * uniform.nextFloat());
      if (b >= 0) this.s[b]++;
    }
  }

  row(): WedgeCubeRow {
    let n = 0, sw = 0, ss = 0, sww = 0, sss = 0, sws = 0;
    for (let b = 0; b < this.normal.length; b++) {
      if (this.normal[b] === 0) continue;
      n++;
      sw += this.w[b];
      ss += this.s[b];
      sww += this.w[b] * this.w[b];
      sss += this.s[b] * this.s[b];
      sws += this.w[b] * this.s[b];
    }
    let self = 0, points = 0;
    // Per (cube, group ≥ 0): the sum and the sum of squares of its points' counts.
    const byCubeGroup = new Map<string, [number, number]>();
    for (const [key, k] of this.points) {
      const [x, y, z] = key.split(",").map(Number);
      const b = this.binOf(x, y, z);
      if (b < 0 || this.normal[b] === 0) continue;
      self += k * k;
      points++;
      const g = this.pointGroup.get(key) ?? -1;
      if (g < 0) continue;
      const e = byCubeGroup.get(`${b},${g}`);
      if (e) {
        e[0] += k;
        e[1] += k * k;
      } else byCubeGroup.set(`${b},${g}`, [k, k * k]);
    }
    let within = 0;
    for (const [sum, sumSq] of byCubeGroup.values()) within += sum * sum - sumSq;
    const mw = sw / n, ms = ss / n, m2 = (mw + ms) ** 2;
    const vw = sww / n - mw * mw, vs = sss / n - ms * ms, cov = sws / n - mw * ms;
    return { wMean: mw, sMean: ms, rd: Math.sqrt(vw + vs + 2 * cov) / (mw + ms), wVar: vw / m2, sVar: vs / m2, twoCov: (2 * cov) / m2, wSelf: self / n / m2, wCross: (vw - self / n) / m2, wCrossWithin: within / n / m2, pointsPerCube: points / n, spheresPerPoint: sw / points };
  }
}

export const WEDGE_CUBE_HEADER = "| W mean | S mean | RD | W var | S var | 2 cov | W self | W cross | wedge points per cube | spheres per point |";

/** The row's cells, as WEDGE_CUBE_HEADER orders them. */
export function wedgeCubeCells(r: WedgeCubeRow): string {
  const f = (x: number) => x.toFixed(3);
  return `${r.wMean.toFixed(2)} | ${r.sMean.toFixed(2)} | ${f(r.rd)} | ${f(r.wVar)} | ${f(r.sVar)} | ${f(r.twoCov)} | ${f(r.wSelf)} | ${f(r.wCross)} | ${f(r.pointsPerCube)} | ${r.spheresPerPoint.toFixed(1)} |`;
}

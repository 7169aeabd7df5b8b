/**
 * Couinaud-like functional segments derived from the geometry of the terminal sites, and the
 * fixed branching pattern of the named arteries above them.
 *
 * Planes, in RAS (+x patient right, +y anterior, +z superior), placed at quantiles of the sites so
 * they adapt to any liver shape (analytic or mask):
 * - Cantlie plane (middle hepatic vein): x at the quantile leaving `rightFraction` of the sites
 *   on the right (right hemiliver 55–65 % in CT volumetry; Abdalla et al. 2004);
 * - S1 (caudate): the `caudateFraction` of sites nearest to a point on the Cantlie plane, posterior
 *   (10 % y quantile) at mid height — the caudate lobe lies against the IVC behind the hilum;
 * - right hemiliver: anterior (S5, S8) / posterior (S6, S7) at the median y (right hepatic vein),
 *   superior (S7, S8) / inferior (S5, S6) at the median z of each (portal plane);
 * - left hemiliver: medial S4 (the 40 % of it nearest the Cantlie plane) / lateral, and lateral
 *   split at the median z into S2 (superior) and S3 (inferior).
 * Published volume shares (Abdalla 2004; Mise et al., Ann Surg 2016) are ~ S1 3–5 %, S2 6–9 %,
 * S3 7–10 %, S4 12–16 %, S5 11–15 %, S6 10–14 %, S7 12–16 %, S8 17–22 %; these planes give
 * S1 4 %, S2/S3 ~11 % each, S4 14 %, S5–S8 15 % each for the default liver (see docs/vascular.md).
 */
import type { TerminalSites } from "./sample.js";
import { selectKth } from "./bisect.js";

export interface SkeletonNode {
  /** Entry-point name of the artery (e.g. "right-hepatic", "S5"). */
  readonly name: string;
  /** Couinaud segment for a leaf (1..8), 0 for an internal node. */
  readonly segment: number;
  readonly children: readonly SkeletonNode[];
}

const leaf = (segment: number): SkeletonNode => ({ name: `S${segment}`, segment, children: [] });
const node = (name: string, a: SkeletonNode, b: SkeletonNode): SkeletonNode => ({ name, segment: 0, children: [a, b] });

/**
 * Branching of the named hepatic arteries (Michels' "normal" type I, ~55–61 % of people; Michels
 * 1966, Am J Surg 112:337): proper hepatic → right (anterior S5/S8, posterior S6/S7) and left
 * (caudate S1, then medial S4 and the lateral S2/S3 branches).
 */
export const HEPATIC_SKELETON: SkeletonNode = node(
  "proper-hepatic",
  node("right-hepatic", node("right-anterior", leaf(5), leaf(8)), node("right-posterior", leaf(6), leaf(7))),
  node("left-hepatic", leaf(1), node("left-medial-lateral", leaf(4), node("left-lateral", leaf(2), leaf(3)))),
);

/** Leaves of the skeleton in depth-first order: sites are grouped in this order. */
export function skeletonLeafOrder(root: SkeletonNode = HEPATIC_SKELETON): number[] {
  if (root.children.length === 0) return [root.segment];
  return root.children.flatMap((c) => skeletonLeafOrder(c));
}

/**
 * The element of rank floor(q·n) (clamped) in ascending order: the value a full sort would give
 * there, found by selection (bisect.ts selectKth) in O(n) instead of an O(n log n) sort (1.5e6
 * sites: ten of these per tree). `values` is left as it is.
 */
function quantile(values: Float64Array, q: number): number {
  const n = values.length;
  if (n === 0) return 0;
  const k = Math.min(n - 1, Math.max(0, Math.floor(q * n)));
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  selectKth(perm, values, 0, n, k);
  return values[perm[k]];
}

function coordinate(sites: TerminalSites, axis: number, pick: (i: number) => boolean): Float64Array {
  let n = 0;
  for (let i = 0; i < sites.count; i++) if (pick(i)) n++;
  const out = new Float64Array(n);
  for (let i = 0, at = 0; i < sites.count; i++) if (pick(i)) out[at++] = sites.xyzMm[3 * i + axis];
  return out;
}

export interface CouinaudLabels {
  /** Couinaud segment (1..8) of every site. */
  readonly segment: Uint8Array;
  /** x of the Cantlie plane, mm. */
  readonly cantlieXMm: number;
  /** A hilar point: on the Cantlie plane, median y, lower quartile of z, mm. */
  readonly hilumMm: [number, number, number];
}

export function couinaudLabels(sites: TerminalSites, rightFraction: number, caudateFraction: number): CouinaudLabels {
  const n = sites.count;
  const xyz = sites.xyzMm;
  const all = () => true;
  const xc = quantile(coordinate(sites, 0, all), 1 - rightFraction);
  const yMedian = quantile(coordinate(sites, 1, all), 0.5);
  const zMedian = quantile(coordinate(sites, 2, all), 0.5);
  const caudate = [xc, quantile(coordinate(sites, 1, all), 0.1), zMedian];
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    dist[i] = Math.hypot(xyz[3 * i] - caudate[0], xyz[3 * i + 1] - caudate[1], xyz[3 * i + 2] - caudate[2]);
  }
  const caudateRadius = caudateFraction > 0 ? quantile(dist, caudateFraction) : -1;
  const segment = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (dist[i] <= caudateRadius) segment[i] = 1;
  const isRight = (i: number) => segment[i] === 0 && xyz[3 * i] > xc;
  const isLeft = (i: number) => segment[i] === 0 && xyz[3 * i] <= xc;
  const yRight = quantile(coordinate(sites, 1, isRight), 0.5);
  const zAnterior = quantile(coordinate(sites, 2, (i) => isRight(i) && xyz[3 * i + 1] > yRight), 0.5);
  const zPosterior = quantile(coordinate(sites, 2, (i) => isRight(i) && xyz[3 * i + 1] <= yRight), 0.5);
  const xMedial = quantile(coordinate(sites, 0, isLeft), 0.6);
  const zLateral = quantile(coordinate(sites, 2, (i) => isLeft(i) && xyz[3 * i] <= xMedial), 0.5);
  for (let i = 0; i < n; i++) {
    if (segment[i] !== 0) continue;
    const x = xyz[3 * i], y = xyz[3 * i + 1], z = xyz[3 * i + 2];
    if (x > xc) {
      if (y > yRight) segment[i] = z > zAnterior ? 8 : 5;
      else segment[i] = z > zPosterior ? 7 : 6;
    } else if (x > xMedial) segment[i] = 4;
    else segment[i] = z > zLateral ? 2 : 3;
  }
  return { segment, cantlieXMm: xc, hilumMm: [xc, yMedian, quantile(coordinate(sites, 2, all), 0.25)] };
}

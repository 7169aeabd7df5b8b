/**
 * Perfusion heterogeneity: how the sphere split at a bifurcation departs from the flow split.
 * Plain data (a worker receives the resolved numbers and the per-bifurcation odds array), one
 * function that turns it into a fixed odds multiplier per bifurcation for a tree.
 *
 * Every model is a fixed multiplier w_j of the odds of entering child0 at bifurcation j:
 * p0 = w_j·Q0 / (w_j·Q0 + Q1) with the daughters' current flows Q (split.ts). The multipliers are
 * drawn once per tree and heterogeneity seed — not per batch or per transport seed — so they are a
 * property of the treated liver: the same heterogeneity map for every batch, every worker count
 * and every Monte Carlo seed of the transport (which only redraws the sphere counts).
 *
 * Models:
 * - "flow": w = 1, spheres follow flow (the tree's own heterogeneity only).
 * - "walrand-bias": at each bifurcation one daughter, chosen at random once per tree, gets odds
 *   s/(1 − s) (Walrand et al. J Nucl Med 2014;55:135: 60/40 splitting on a symmetric tree, the
 *   favoured side random). Continuous in the flows (the rule "s toward the larger flow" jumped
 *   from s to 1 − s at equal daughters). Resolution-dependent by design: each bifurcation adds the
 *   same variance, so the spread grows with the number of generations (documented in
 *   docs/transport.md).
 * - "fractal": scale-free perfusion heterogeneity. The relative dispersion of flow per unit mass
 *   among tissue pieces of mass m follows RD(m) = RD(1 g)·m^(1 − D) (Bassingthwaighte et al. Circ
 *   Res 1989;65:578; Kendal PNAS 2001;98:837 derives it from a compound Poisson–gamma law). The
 *   split at bifurcation j is drawn once from Beta(κ·q0, κ·q1) around the baseline flow fraction
 *   q0 (mean-preserving: compartment shares keep their expected values), with κ set from the
 *   masses of the daughters so that the variance added between the parent's mass M and the
 *   daughters' masses m_k is the law's: the flow-weighted mean of Var(p_k/q_k) = Σ q_k·(e^{Δ_k} − 1)
 *   equals 1/(κ + 1), where Δ_k = σ²(m_k) − σ²(M) and σ²(m) = ln(1 + RD(m)²) is the log-variance
 *   of a lognormal with that RD. A Beta split is a ratio of independent Gamma(κ·q_k) weights, so
 *   the cascade is a gamma cascade (Kendal's microcirculatory law), and its accumulated variance
 *   depends on the tissue mass below a segment, not on its generation or on how many terminals
 *   the tree has.
 */
import type { ArterialTree } from "../../vascular/tree.js";
import { DEFAULT_TISSUE_DENSITY_G_PER_ML } from "../../physics/units.js";
import { beta } from "../../random/beta.js";
import { createStream, type RandomStream } from "../../random/stream.js";

export type HeterogeneityModelName = "flow" | "walrand-bias" | "fractal";

/** What the user may set (all optional). */
export interface HeterogeneityOptions {
  readonly model?: HeterogeneityModelName;
  /** RD of flow per unit mass among 1 g pieces ("fractal"). */
  readonly relativeDispersionAt1g?: number;
  /** Fractal dimension D of RD(m) = RD(1 g)·m^(1 − D), 1 ≤ D < 1.5 ("fractal"). */
  readonly fractalDimension?: number;
  /** Keys the fixed per-bifurcation draws together with the tree's seed. */
  readonly seed?: number;
}

/** The resolved model: plain numbers. */
export interface HeterogeneityModel {
  readonly model: HeterogeneityModelName;
  /** "walrand-bias": odds s/(1 − s) for the favoured daughter. */
  readonly bias: number;
  readonly relativeDispersionAt1g: number;
  readonly fractalDimension: number;
  readonly seed: number;
  /** Tissue density turning territory volumes into masses, g/mL. */
  readonly densityGPerMl: number;
}

/**
 * Defaults of the "fractal" model. D = 1.2: Bassingthwaighte 1989 (heart, r = 0.99 over a wide
 * range of piece sizes; 1.15–1.17 in the brain, Kuikka 2003) — no liver value is published that we
 * know of, so this is an assumption carried over from other organs. RD(1 g) = 0.125 is
 * CALIBRATION: chosen so that RD(1 mg), the scale of a hepatic lobule / portal tract, equals the
 * 49.6 % sinusoidal flow dispersion of normal rat liver (Weiss et al. Microcirculation
 * 2012;19:723): 0.496 · (1e-3)^(D − 1) = 0.125 at D = 1.2. Weiss 2012 is therefore not a check.
 */
export const FRACTAL_DEFAULTS = { relativeDispersionAt1g: 0.125, fractalDimension: 1.2 } as const;

/** RD(m) of the fractal law, m in grams. */
export function relativeDispersion(model: Pick<HeterogeneityModel, "relativeDispersionAt1g" | "fractalDimension">, massG: number): number {
  return model.relativeDispersionAt1g * Math.pow(massG, 1 - model.fractalDimension);
}

/** ln(1 + RD(m)²): the log-variance a lognormal with that RD has. */
function logVariance(rd1g: number, exponent: number, massG: number): number {
  const rd = rd1g * Math.pow(massG, exponent);
  return Math.log1p(rd * rd);
}

/**
 * The law is stated for cubes of tissue (Bassingthwaighte's pieces); the cascade puts variance on
 * subtrees. A cube of mass m straddles several subtrees with independent factors and so varies
 * less than one subtree of mass m: on grown trees (125 mL liver, 5e3 and 5e4 terminals, cubes of
 * 4–12 mm) the cubes' RD came out 0.60–0.69 of the law with the variance put on the subtrees
 * exactly. The per-bifurcation log-variance is multiplied by this factor so that CUBES follow the
 * law (a numerical calibration of the model's geometry, not of the physics; checked by
 * test/transport/heterogeneity.test.ts at two terminal counts).
 */
export const SUBTREE_TO_CUBE_VARIANCE = 2.2;

const HETEROGENEITY_STREAM_TAG = 0x48n << 56n;
/** Segments per random stream block (draws consumed in segment order within a block). */
const SEGMENTS_PER_BLOCK = 4096;

/**
 * The fixed odds multiplier of child0 at every bifurcation of `tree` (1 at terminals and for
 * "flow"). Draws come from one stream per block of 4096 segments keyed by (tree seed,
 * heterogeneity seed, block), consumed in segment order whatever the model's parameters, so the
 * map depends on the tree and the seeds only. O(segments), run once per transport run.
 */
export function splitOdds(tree: ArterialTree, model: HeterogeneityModel): Float64Array {
  const n = tree.segmentCount;
  const odds = new Float64Array(n).fill(1);
  if (model.model === "flow") return odds;
  const { child0, child1 } = tree;
  // Tissue mass below every segment, g (children after parents in pre-order: walk backwards).
  const massG = new Float64Array(n);
  for (let j = n - 1; j >= 0; j--) {
    const c0 = child0[j];
    massG[j] = c0 < 0 ? tree.territoryMl[j] * model.densityGPerMl : massG[c0] + massG[child1[j]];
  }
  // Baseline flows give the mean split; the tree stores them in mL/min.
  const flow = tree.flowMlPerMin;
  const favoured = Math.log(model.bias / (1 - model.bias));
  const exponent = 1 - model.fractalDimension;
  let stream: RandomStream | null = null;
  let block = -1;
  for (let j = 0; j < n; j++) {
    const c0 = child0[j];
    if (c0 < 0) continue;
    const b = Math.floor(j / SEGMENTS_PER_BLOCK);
    if (b !== block) {
      block = b;
      stream = createStream(tree.params.seed, HETEROGENEITY_STREAM_TAG + (BigInt(model.seed) << 32n) + BigInt(b));
    }
    const s = stream as RandomStream;
    if (model.model === "walrand-bias") {
      odds[j] = Math.exp(s.nextFloat() < 0.5 ? favoured : -favoured);
      continue;
    }
    const c1 = child1[j];
    const q0 = flow[c0] > 0 ? flow[c0] : 0;
    const q1 = flow[c1] > 0 ? flow[c1] : 0;
    if (!(q0 > 0 && q1 > 0)) continue;
    const f0 = q0 / (q0 + q1);
    const parent = logVariance(model.relativeDispersionAt1g, exponent, massG[j]);
    const d0 = Math.max(0, logVariance(model.relativeDispersionAt1g, exponent, massG[c0]) - parent);
    const d1 = Math.max(0, logVariance(model.relativeDispersionAt1g, exponent, massG[child1[j]]) - parent);
    const u = f0 * Math.expm1(SUBTREE_TO_CUBE_VARIANCE * d0) + (1 - f0) * Math.expm1(SUBTREE_TO_CUBE_VARIANCE * d1);
    if (!(u > 0)) continue;
    // Var(p0) = f0(1 − f0)/(κ + 1) with 1/(κ + 1) = u; u ≥ 1 would need κ ≤ 0: cap (a split
    // that is already all-or-nothing cannot spread more).
    const kappa = Math.max(1e-6, 1 / Math.min(u, 1 - 1e-9) - 1);
    let p0 = beta(s, kappa * f0, kappa * (1 - f0));
    p0 = Math.min(1 - 1e-12, Math.max(1e-12, p0));
    // Odds of the drawn split relative to the flow's: applied to the current flows (split.ts).
    odds[j] = (p0 / (1 - p0)) * ((1 - f0) / f0);
  }
  return odds;
}

/** Resolve the options (defaults: "flow" unless the legacy `bias` ≠ 0.5 asks for "walrand-bias"). */
export function resolveHeterogeneity(options: HeterogeneityOptions | undefined, bias: number): HeterogeneityModel {
  const model = options?.model ?? (bias !== 0.5 ? "walrand-bias" : "flow");
  return {
    model,
    bias,
    relativeDispersionAt1g: options?.relativeDispersionAt1g ?? FRACTAL_DEFAULTS.relativeDispersionAt1g,
    fractalDimension: options?.fractalDimension ?? FRACTAL_DEFAULTS.fractalDimension,
    seed: options?.seed ?? 0,
    densityGPerMl: DEFAULT_TISSUE_DENSITY_G_PER_ML,
  };
}

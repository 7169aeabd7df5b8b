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
import { createStream, type RandomStream } from "../../random/stream.js";
import { SUBTERMINAL_DEFAULTS } from "../defaults.js";
import { fractalOdds } from "./fractal.js";
import { TRANSPORT_DEFAULTS } from "../defaults.js";
import { walrandOdds } from "./walrandBias.js";

/**
 * The named models a case file selects, each with the one line the case-file schema
 * (transport/config.ts) shows for it: adding a model here (and its `case` in splitOdds, and its
 * own file) is all the schema and the option checks need. "custom" is not named in a case file:
 * its odds are data, given through the API.
 */
export const CASE_HETEROGENEITY_MODELS = {
  fractal: "RD(m) = RD(1 g)·m^(1 − D), fixed per tree; docs/transport.md",
  flow: "spheres follow the tree's flow",
  "walrand-bias": "odds s/(1 − s) for a random daughter per bifurcation, s = transport.bias; depends on the tree's depth",
} as const;
export type CaseHeterogeneityModelName = keyof typeof CASE_HETEROGENEITY_MODELS;
export type HeterogeneityModelName = CaseHeterogeneityModelName | "custom";
/** Every model name the API accepts. */
export const HETEROGENEITY_MODEL_NAMES: readonly HeterogeneityModelName[] = [...(Object.keys(CASE_HETEROGENEITY_MODELS) as CaseHeterogeneityModelName[]), "custom"];

/** What the user may set (all optional). */
export interface HeterogeneityOptions {
  readonly model?: HeterogeneityModelName;
  /** RD of flow per unit mass among 1 g pieces ("fractal"). */
  readonly relativeDispersionAt1g?: number;
  /** Fractal dimension D of RD(m) = RD(1 g)·m^(1 − D), 1 ≤ D < 1.5 ("fractal"). */
  readonly fractalDimension?: number;
  /** Keys the fixed per-bifurcation draws together with the tree's seed. */
  readonly seed?: number;
  /** "fractal": terminals' territories are split by the same law down to pieces of this mass, mg (models/subTerminal.ts). */
  readonly unitMassMg?: number;
  /**
   * A model given as data ("custom"): child0's odds multiplier at every segment of the tree
   * (length = segments; 1 at terminals). How a new split rule (say from a CFD table) plugs in
   * without touching the transport: compute the array once, pass it here.
   */
  readonly splitOdds?: Float64Array;
}

/** The resolved model: plain numbers. */
export interface HeterogeneityModel {
  readonly model: HeterogeneityModelName;
  /** "walrand-bias": odds s/(1 − s) for the favoured daughter. */
  readonly bias: number;
  readonly relativeDispersionAt1g: number;
  readonly fractalDimension: number;
  readonly seed: number;
  /** "fractal": mass of the sub-terminal cascade's leaves, mg. */
  readonly unitMassMg: number;
  /** Tissue density turning territory volumes into masses, g/mL. */
  readonly densityGPerMl: number;
  /** "custom": the given odds. */
  readonly splitOdds: Float64Array | null;
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


const HETEROGENEITY_STREAM_TAG = 0x48n << 56n;
/** Segments per random stream block (draws consumed in segment order within a block). */
const SEGMENTS_PER_BLOCK = 4096;

/**
 * Draws of a model: visit every bifurcation j in pre-order with the random stream of its block.
 * One stream per block of 4096 segments keyed by (tree seed, heterogeneity seed, block), consumed
 * in segment order, so a map depends on the tree and the seeds only.
 */
export function forEachBifurcation(tree: ArterialTree, seed: number, visit: (j: number, stream: RandomStream) => void): void {
  const child0 = tree.child0;
  let stream: RandomStream | null = null;
  let block = -1;
  for (let j = 0; j < tree.segmentCount; j++) {
    if (child0[j] < 0) continue;
    const b = Math.floor(j / SEGMENTS_PER_BLOCK);
    if (b !== block) {
      block = b;
      stream = createStream(tree.params.seed, HETEROGENEITY_STREAM_TAG + (BigInt(seed) << 32n) + BigInt(b));
    }
    visit(j, stream as RandomStream);
  }
}

/**
 * The fixed odds multiplier of child0 at every segment of `tree` (1 at terminals and for "flow"),
 * from the model's own file. O(segments), run once per transport run on the driver's thread; the
 * workers receive the array.
 */
export function splitOdds(tree: ArterialTree, model: HeterogeneityModel): Float64Array {
  switch (model.model) {
    case "flow":
      return new Float64Array(tree.segmentCount).fill(1);
    case "walrand-bias":
      return walrandOdds(tree, model);
    case "fractal":
      return fractalOdds(tree, model);
    case "custom":
      return (model.splitOdds as Float64Array).slice();
  }
}

/** Resolve the options (default: TRANSPORT_DEFAULTS.heterogeneityModel unless the legacy `bias` ≠ 0.5 asks for "walrand-bias"). */
export function resolveHeterogeneity(options: HeterogeneityOptions | undefined, bias: number): HeterogeneityModel {
  const model = options?.splitOdds !== undefined ? "custom" : (options?.model ?? (bias !== 0.5 ? "walrand-bias" : TRANSPORT_DEFAULTS.heterogeneityModel));
  return {
    model,
    bias,
    relativeDispersionAt1g: options?.relativeDispersionAt1g ?? FRACTAL_DEFAULTS.relativeDispersionAt1g,
    fractalDimension: options?.fractalDimension ?? FRACTAL_DEFAULTS.fractalDimension,
    seed: options?.seed ?? 0,
    unitMassMg: options?.unitMassMg ?? SUBTERMINAL_DEFAULTS.unitMassMg,
    densityGPerMl: DEFAULT_TISSUE_DENSITY_G_PER_ML,
    splitOdds: options?.splitOdds ?? null,
  };
}

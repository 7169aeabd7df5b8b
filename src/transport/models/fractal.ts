/**
 * "fractal": scale-free perfusion heterogeneity, RD(m) = RD(1 g)·m^(1 − D) in cubes of tissue of
 * mass m (Bassingthwaighte et al. Circ Res 1989;65:578; Kendal PNAS 2001;98:837). The split at
 * each bifurcation is drawn once from Beta(κ·q0, κ·q1) around the baseline flow fraction q0
 * (mean-preserving), with κ from the daughters' masses so that the log-variance added between the
 * parent's mass and the daughters' is the law's (see heterogeneity.ts for the derivation).
 */
import type { ArterialTree } from "../../vascular/tree.js";
import { beta } from "../../random/beta.js";
import { forEachBifurcation, type HeterogeneityModel } from "./heterogeneity.js";

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

/** ln(1 + RD(m)²): the log-variance a lognormal with that RD has (RD = rd1g·m^exponent). */
export function logVariance(rd1g: number, exponent: number, massG: number): number {
  const rd = rd1g * Math.pow(massG, exponent);
  return Math.log1p(rd * rd);
}

/**
 * Beta concentration κ of a split of a piece of tissue of mass `parentG` into daughters of masses
 * `m0G`, `m1G` with mean fraction `f0` to daughter 0, such that the flow-weighted variance added,
 * Σ q_k·(e^{c·Δ_k} − 1) = 1/(κ + 1) with Δ_k = σ²(m_k) − σ²(M) (heterogeneity.ts), is the law's
 * times `varianceFactor` c. 0 when the law adds no variance (no draw). Used by the tree's
 * bifurcations (below) and by the sub-terminal cascade (subTerminal.ts): one law for both.
 */
export function splitConcentration(rd1g: number, exponent: number, parentG: number, m0G: number, m1G: number, f0: number, varianceFactor: number): number {
  return concentrationOfLogVariances(logVariance(rd1g, exponent, parentG), logVariance(rd1g, exponent, m0G), logVariance(rd1g, exponent, m1G), f0, varianceFactor);
}

/**
 * splitConcentration from the three log-variances σ²(M), σ²(m0), σ²(m1) (logVariance): the
 * sub-terminal cell cascade caches them per cell count (its masses are whole numbers of cells).
 */
export function concentrationOfLogVariances(parent: number, lv0: number, lv1: number, f0: number, varianceFactor: number): number {
  const d0 = Math.max(0, lv0 - parent);
  const d1 = Math.max(0, lv1 - parent);
  const u = f0 * Math.expm1(varianceFactor * d0) + (1 - f0) * Math.expm1(varianceFactor * d1);
  if (!(u > 0)) return 0;
  // Var(p0) = f0(1 − f0)/(κ + 1) with 1/(κ + 1) = u; u ≥ 1 would need κ ≤ 0: cap (a split
  // that is already all-or-nothing cannot spread more).
  return Math.max(1e-6, 1 / Math.min(u, 1 - 1e-9) - 1);
}

export function fractalOdds(tree: ArterialTree, model: HeterogeneityModel): Float64Array {
  const n = tree.segmentCount;
  const odds = new Float64Array(n).fill(1);
  const { child0, child1 } = tree;
  // Tissue mass below every segment, g (children after parents in pre-order: walk backwards).
  const massG = new Float64Array(n);
  for (let j = n - 1; j >= 0; j--) {
    const c0 = child0[j];
    massG[j] = c0 < 0 ? tree.territoryMl[j] * model.densityGPerMl : massG[c0] + massG[child1[j]];
  }
  // Baseline flows give the mean split; the tree stores them in mL/min.
  const flow = tree.flowMlPerMin;
  const rd1g = model.relativeDispersionAt1g;
  const exponent = 1 - model.fractalDimension;
  forEachBifurcation(tree, model.seed, (j, stream) => {
    const c0 = child0[j];
    const c1 = child1[j];
    const q0 = flow[c0] > 0 ? flow[c0] : 0;
    const q1 = flow[c1] > 0 ? flow[c1] : 0;
    if (!(q0 > 0 && q1 > 0)) return;
    const f0 = q0 / (q0 + q1);
    const kappa = splitConcentration(rd1g, exponent, massG[j], massG[c0], massG[c1], f0, SUBTREE_TO_CUBE_VARIANCE);
    if (kappa === 0) return;
    let p0 = beta(stream, kappa * f0, kappa * (1 - f0));
    p0 = Math.min(1 - 1e-12, Math.max(1e-12, p0));
    // Odds of the drawn split relative to the flow's: applied to the current flows (split.ts).
    odds[j] = (p0 / (1 - p0)) * ((1 - f0) / f0);
  });
  return odds;
}

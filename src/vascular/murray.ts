/**
 * Radii by Murray's law with the flows that Poiseuille's law must reproduce.
 *
 * For every subtree define the reduced resistance R*_i (Karch et al., Comput Biol Med 1999;29:19):
 * the subtree's hydraulic resistance is R*_i / r_i⁴, with
 *   R*_i = κ L_i + [ β_0⁴ / R*_0 + β_1⁴ / R*_1 ]⁻¹   (κ = 8μ/π, β_c = r_c / r_i),
 *   R*_i = κ L_i for a terminal.
 * Both daughters of a bifurcation see the same pressure drop (all terminals drain at the same
 * pressure) iff Q_0 R*_0 / r_0⁴ = Q_1 R*_1 / r_1⁴, i.e. r_0 / r_1 = (Q_0 R*_0 / (Q_1 R*_1))^¼;
 * with Murray's law r_p^γ = r_0^γ + r_1^γ this fixes β_0 = (1 + (r_1/r_0)^γ)^(−1/γ) and β_1 alike.
 * The root radius then follows from the total pressure drop: r_root⁴ = Q_root R*_root / ΔP.
 * One bottom-up pass (Q, R*, β) and one top-down pass (r) — O(N).
 */
import type { ArterialTree } from "./tree.js";
import { M3_PER_S_PER_ML_PER_MIN } from "./tree.js";

export interface MurrayInput {
  readonly segmentCount: number;
  readonly parent: Int32Array;
  readonly child0: Int32Array;
  readonly child1: Int32Array;
  readonly lengthMm: Float64Array;
}

/**
 * Radii (mm, into `outRadiusMm`) so that, with every terminal at the same pressure and the inlet
 * `pressureDropPa` above it, Poiseuille flow delivers `terminalFlowMlPerMin` to every terminal.
 * Returns the root radius, mm. Segments in pre-order (children after parents).
 */
export function murrayRadii(
  outRadiusMm: Float64Array,
  tree: MurrayInput,
  terminalFlowMlPerMin: Float64Array,
  murrayExponent: number,
  viscosityPaS: number,
  pressureDropPa: number,
): number {
  const n = tree.segmentCount;
  const c0 = tree.child0;
  const c1 = tree.child1;
  const L = tree.lengthMm;
  const kappa = (8 * viscosityPaS) / Math.PI;
  const gamma = murrayExponent;
  const flow = new Float64Array(n); // m³/s
  const reduced = new Float64Array(n); // Pa·s·m (R* = resistance × r⁴)
  // β of each segment relative to its parent, written into the output array, then turned into radii.
  const ratio = outRadiusMm;
  for (let i = n - 1; i >= 0; i--) {
    const a = c0[i];
    const lengthM = L[i] * 1e-3;
    if (a < 0) {
      flow[i] = terminalFlowMlPerMin[i] * M3_PER_S_PER_ML_PER_MIN;
      reduced[i] = kappa * lengthM;
      continue;
    }
    const b = c1[i];
    const qa = flow[a], qb = flow[b];
    flow[i] = qa + qb;
    // ρ = r_a / r_b; β_a = (1 + ρ^−γ)^(−1/γ), β_b = (1 + ρ^γ)^(−1/γ).
    const rho = Math.pow((qa * reduced[a]) / (qb * reduced[b]), 0.25);
    const rhoGamma = Math.pow(rho, gamma);
    const betaA = Math.pow(1 + 1 / rhoGamma, -1 / gamma);
    const betaB = Math.pow(1 + rhoGamma, -1 / gamma);
    ratio[a] = betaA;
    ratio[b] = betaB;
    const ba2 = betaA * betaA, bb2 = betaB * betaB;
    reduced[i] = kappa * lengthM + 1 / ((ba2 * ba2) / reduced[a] + (bb2 * bb2) / reduced[b]);
  }
  const rootRadiusM = Math.pow((flow[0] * reduced[0]) / pressureDropPa, 0.25);
  outRadiusMm[0] = rootRadiusM * 1e3;
  const parent = tree.parent;
  for (let i = 1; i < n; i++) outRadiusMm[i] = ratio[i] * outRadiusMm[parent[i]];
  return outRadiusMm[0];
}

/** Relative Murray residual |r_p^γ − r_0^γ − r_1^γ| / r_p^γ at bifurcation i. */
export function murrayResidual(tree: ArterialTree, i: number, murrayExponent: number): number {
  const r = tree.radiusMm;
  const rp = Math.pow(r[i], murrayExponent);
  return Math.abs(rp - Math.pow(r[tree.child0[i]], murrayExponent) - Math.pow(r[tree.child1[i]], murrayExponent)) / rp;
}

/**
 * murrayRadii for terminals that drain at different pressures (tumour terminals with their own
 * outflow pressure). Seen from its inlet, a subtree is a Thévenin equivalent: flow
 * Q_i = r_i⁴ (P_i − p*_i) / R*_i, where the reduced resistance R*_i and the conductance-weighted
 * outflow pressure p*_i depend on the subtree's shape (its β ratios) but not on its scale. At a
 * bifurcation whose distal pressure is P, the daughters deliver their flows iff
 *   r_0 / r_1 = (Q_0 R*_0 (P − p*_1) / (Q_1 R*_1 (P − p*_0)))^¼,
 * and Murray's law then fixes β_0, β_1 as in murrayRadii. P depends on the absolute radii upstream,
 * so the sizing iterates to a fixed point: bottom-up (R*, p*, β) with the current node pressures,
 * root radius from Q_root = r⁴ (P_in − p*)/R*, top-down radii and node pressures of the Poiseuille
 * solution; until no node pressure moves by more than 1e-12 of the pressure drop. The first pass
 * takes P = ∞ (i.e. murrayRadii). While iterating, a node pressure that is not above a daughter's
 * outflow pressure is replaced by that pressure + 1e-3 of the drop for the split; the fixed point
 * is accepted only if no node needed this. Murray's law holds exactly at every pass; at the fixed
 * point every terminal receives its flow at its own pressure. O(N) per pass (typically 15–40).
 * Throws if no forward-flow sizing is reached (outflow pressures too far apart).
 * Returns the root radius, mm, and the number of passes.
 */
export function murrayRadiiWithPressures(
  outRadiusMm: Float64Array,
  tree: MurrayInput,
  terminalFlowMlPerMin: Float64Array,
  terminalPressurePa: Float64Array,
  murrayExponent: number,
  viscosityPaS: number,
  inletPressurePa: number,
  maxPasses = 500,
): { rootRadiusMm: number; passes: number } {
  const n = tree.segmentCount;
  const c0 = tree.child0, c1 = tree.child1, L = tree.lengthMm, parent = tree.parent;
  const kappa = (8 * viscosityPaS) / Math.PI;
  const gamma = murrayExponent;
  const flow = new Float64Array(n); // m³/s
  const reduced = new Float64Array(n); // Pa·s·m
  const pStar = new Float64Array(n); // Pa
  const beta = new Float64Array(n);
  const nodePressure = new Float64Array(n).fill(Infinity); // distal pressure of internal segments, Pa
  let base = Infinity;
  for (let i = 0; i < n; i++) if (c0[i] < 0) base = Math.min(base, terminalPressurePa[i]);
  const dropPa = inletPressurePa - base;
  const tolerancePa = 1e-12 * dropPa;
  const marginPa = 1e-3 * dropPa;
  for (let passes = 1; passes <= maxPasses; passes++) {
    let clamped = 0;
    for (let i = n - 1; i >= 0; i--) {
      const a = c0[i];
      const lengthM = L[i] * 1e-3;
      if (a < 0) {
        flow[i] = terminalFlowMlPerMin[i] * M3_PER_S_PER_ML_PER_MIN;
        reduced[i] = kappa * lengthM;
        pStar[i] = terminalPressurePa[i];
        continue;
      }
      const b = c1[i];
      const qa = flow[a], qb = flow[b];
      flow[i] = qa + qb;
      let P = nodePressure[i];
      let drive = 1; // (P − p*_b) / (P − p*_a); 1 when P = ∞ (first pass)
      if (P !== Infinity) {
        const floor = Math.max(pStar[a], pStar[b]);
        if (!(P > floor)) {
          P = floor + marginPa;
          clamped++;
        }
        drive = (P - pStar[b]) / (P - pStar[a]);
      }
      const rho = Math.pow(((qa * reduced[a]) / (qb * reduced[b])) * drive, 0.25);
      const rhoGamma = Math.pow(rho, gamma);
      const betaA = Math.pow(1 + 1 / rhoGamma, -1 / gamma);
      const betaB = Math.pow(1 + rhoGamma, -1 / gamma);
      beta[a] = betaA;
      beta[b] = betaB;
      const ba2 = betaA * betaA, bb2 = betaB * betaB;
      const ga = (ba2 * ba2) / reduced[a], gb = (bb2 * bb2) / reduced[b];
      pStar[i] = (ga * pStar[a] + gb * pStar[b]) / (ga + gb);
      reduced[i] = kappa * lengthM + 1 / (ga + gb);
    }
    if (!(inletPressurePa > pStar[0])) break;
    outRadiusMm[0] = Math.pow((flow[0] * reduced[0]) / (inletPressurePa - pStar[0]), 0.25) * 1e3;
    for (let i = 1; i < n; i++) outRadiusMm[i] = beta[i] * outRadiusMm[parent[i]];
    // Node pressures of the Poiseuille solution with these radii (Thévenin flows, top-down).
    let moved = 0;
    for (let i = 0; i < n; i++) {
      if (c0[i] < 0) continue;
      const proximal = i === 0 ? inletPressurePa : nodePressure[parent[i]];
      const rM = outRadiusMm[i] * 1e-3;
      const r4 = rM * rM * rM * rM;
      const q = (r4 * (proximal - pStar[i])) / reduced[i];
      const distal = proximal - (q * kappa * L[i] * 1e-3) / r4;
      moved = Math.max(moved, Math.abs(distal - nodePressure[i]));
      nodePressure[i] = distal;
    }
    if (passes > 1 && !(moved > tolerancePa)) {
      if (clamped === 0) return { rootRadiusMm: outRadiusMm[0], passes };
      break;
    }
  }
  throw new Error("murrayRadiiWithPressures: no sizing with forward flow at every bifurcation delivers every terminal's flow at its outflow pressure");
}

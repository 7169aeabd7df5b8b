/**
 * The lumens of the arterioles a terminal stands for: the vessels of the tree grown down to the
 * unit mass (the portal tracts, ~1 mg), which a coarser tree does not resolve.
 *
 * A coarse tree's own lumens are not those. The tree is sized so that its root delivers the
 * liver's flow over a fixed pressure drop (src/vascular/murray.ts: r_root⁴ = 8μ·Q·R̃/(π·ΔP), R̃ the
 * reduced resistance); a tree that stops at fewer, larger terminals has fewer vessels in series,
 * so a smaller R̃ and a narrower root, and every lumen below scales with the root (Murray's law
 * fixes the ratios). Grown trees of the 1.59 L liver: root lumen 2515 / 2681 / 2819 / 2890 µm at
 * 4,000 / 40,000 / 400,000 / 1.5e6 terminals (γ = 3), so a coarse terminal is up to 13 % narrower
 * than the vessel that feeds the same tissue in the portal-tract tree — and the sub-terminal
 * cascade's size exclusion, which stops resin spheres (32 ± 10 µm) where the lumen falls through
 * 20–45 µm, is steep in the lumen: 7 % narrower moved a 40,000-terminal run's wedging to pieces
 * twice as large (bench/transport.md "The continuation against the subtree it stands for").
 *
 * Closed form. Along the tree a vessel's flow is its perfused mass m, its lumen r ∝ m^(1/γ)
 * (Murray), its length ∝ m^(1/3) (the size of the tissue it feeds); a halving of the mass then
 * multiplies the Poiseuille resistance per r_root⁻⁴ of one level of vessels by
 * w = 2^(4/γ − 4/3) (w = 1 at γ = 3: every halving adds the same resistance), so R̃ ∝ S(D) =
 * Σ_{k<D} w^k over the D halvings from the root to the terminals: D = log₂ N for N terminals,
 * D_u = log₂(M_root / u) grown to the unit mass u. The root the tree would have at the unit mass
 * is r_u = r_root·(S(D_u) / S(D))^(1/4), and the vessel feeding mass m in that tree has the lumen
 * L(m) = r_u·(m / M_root)^(1/γ).
 *
 * Checked against grown trees (independent of the derivation): from 4,000 / 16,000 / 40,000 /
 * 120,000 / 400,000 / 1.5e6-terminal trees of the small case's liver the predicted unit-mass root
 * is 2886–2896 µm (the 1.5e6 tree's own: 2890), and the NET case's the same; at γ = 2.7,
 * 4054–4115 µm against the 1.5e6 tree's 4095 (test/transport/unresolvedLumen.test.ts checks the
 * ratio of two grown trees' roots). L(1 mg) = 24.3 µm at γ = 3, and the 1.5e6-terminal tree's
 * vessels that cross 4, 16 and 64 mg have median lumens 24.0 / 24.2 / 24.2 µm·(m / 1 mg)^(1/3).
 */

/** The tree arrays the law reads. */
export interface LumenLawTree {
  readonly segmentCount: number;
  readonly child0: Int32Array;
  /** Segment 0 is the root. */
  readonly radiusMm: Float64Array;
  readonly territoryMl: Float64Array;
}

const MG_PER_G = 1000;

/**
 * How much wider the tree grown down to `unitMassG` is than `tree` at the same tissue mass:
 * r_u / r_root = (S(D_u) / S(D))^(1/4) (see the file's comment), ≥ 1 (a tree already finer than the
 * unit mass keeps its lumens). A terminal's unresolved arterioles are its own lumen times this,
 * narrowing by Murray's law below. At least two halvings are assumed for the tree (a tree of fewer
 * than 4 terminals is treated as one of 4).
 */
export function unresolvedLumenScale(tree: LumenLawTree, murrayExponent: number, unitMassG: number, densityGPerMl: number): number {
  const { terminals, massMg } = terminalsAndMass(tree, densityGPerMl);
  const w = Math.pow(2, 4 / murrayExponent - 4 / 3);
  const halvings = (d: number) => (Math.abs(w - 1) < 1e-9 ? d : (Math.pow(w, d) - 1) / (w - 1));
  const grown = Math.max(2, Math.log2(terminals));
  const unit = Math.max(grown, Math.log2(massMg / (unitMassG * MG_PER_G)));
  return Math.pow(halvings(unit) / halvings(grown), 0.25);
}

/** L(1 mg), µm, of the tree grown down to `unitMassG`: its root lumen by Murray's law, r_u·(1 mg / M_root)^(1/γ). */
export function unresolvedLumenAt1MgUm(tree: LumenLawTree, murrayExponent: number, unitMassG: number, densityGPerMl: number): number {
  const { massMg } = terminalsAndMass(tree, densityGPerMl);
  return 2000 * tree.radiusMm[0] * unresolvedLumenScale(tree, murrayExponent, unitMassG, densityGPerMl) * Math.pow(1 / massMg, 1 / murrayExponent);
}

/** The tree's terminal count and the mass they perfuse, mg (the root's). */
function terminalsAndMass(tree: LumenLawTree, densityGPerMl: number): { terminals: number; massMg: number } {
  let terminals = 0;
  let massMg = 0;
  for (let j = 0; j < tree.segmentCount; j++) {
    if (tree.child0[j] >= 0) continue;
    terminals++;
    massMg += tree.territoryMl[j] * densityGPerMl * MG_PER_G;
  }
  return { terminals, massMg };
}

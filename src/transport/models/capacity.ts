/**
 * Embolic capacity from geometry: how many spheres a vessel (and the unresolved subtree a terminal
 * stands for) holds before it is occluded, by rules that do not depend on how finely the tree is
 * resolved. Plain data (workers receive it); see docs/transport.md "Embolic load from geometry".
 *
 * Stopping sites. A sphere lodges only where it stops: at the inlet of the first vessel narrower
 * than itself (size exclusion, context.ts), or below a terminal, in the terminal's unresolved
 * subtree. A vessel where spheres stop is a *stopping site*; it is occluded when the spheres that
 * stop there fill its feeding vessel over `plugLengthMm` (the calibrated number, docs/validation.md)
 * in single file: at d/D = 1 the wall-effect voidage correlation of Dixon AG (Can J Chem Eng
 * 1988;66:705) gives φ = 2/3, i.e. φ·(π/4)d̄²·L / ((π/6)d̄³) = L/d̄ spheres: one per mean diameter
 * of length (d̄ the product's mean diameter). So a stopping site holds c = plugLengthMm / d̄.
 * Spheres do not lodge in a lumen they pass through, so no lumen packing is counted besides the
 * plug (the spheres stacked behind a stopped sphere are what the plug length counts).
 *
 * - A resolved non-terminal vessel is one stopping site: C = c (it only ever holds the spheres
 *   that do not fit into it).
 * - A terminal of lumen D_t stands for its unresolved subtree, continued by the tree's own radius
 *   law (Murray, r_p^γ = r_0^γ + r_1^γ, γ = tree.params.murrayExponent, src/vascular/murray.ts)
 *   and its own branching: generation g holds n_g = e^(gH) vessels of lumen D_g = D_t·e^(−gH/γ),
 *   H the tree's flow-weighted branching entropy (splitEntropy: −Σ f ln f of a bifurcation's
 *   flow fractions; ln 2 for a symmetric tree, n_g = 2^g; 0.51–0.52 for the grown liver, whose
 *   bifurcations are asymmetric, so a sphere meets more levels per halving of the lumen). The spheres of
 *   diameter in [D_g, D_(g−1)) stop at generation g (generation 0: the terminal's inlet, the
 *   spheres from D_t up to the narrowest lumen on their way, D_path). Each of its vessels catches
 *   a share P_g / n_g of the spheres entering the terminal (P_g from the product's whole diameter
 *   distribution, the truncated normal CDF, conditional on d < D_path), and is occluded after
 *   c·n_g / P_g of them. With flow re-solved as vessels fill, the first generation to fill blocks
 *   the subtree (every vessel of a generation fills together), so the terminal holds C = c·S with
 *   S = min_g n_g / P_g stopping sites' worth: for a symmetric tree exactly what the same rules
 *   give when the subtree is resolved (test/transport/embolicGeometry.test.ts, unit test of
 *   consistency). The generations end at the portal tracts: a territory holds `portalTractsPerMg`
 *   × density × its mass × (its perfusion / normal liver's) of them (≈ 1 per mg, reference
 *   anatomy; the arterioles counted by the flow they carry, so a T/N-4 tumour has 4× per mL), and
 *   the first generation with at least as many vessels as tracts catches every remaining sphere,
 *   at that many sites (the products' smallest spheres, 15–20 µm, are wider than the ≈ 12 µm
 *   hepatic arteriole, so no sphere passes the tracts). S ≥ 1.
 *
 * So a coarse terminal counts the sites its subtree has by the tree's radius law, and a resolved
 * tree counts the same sites vessel by vessel. With the symmetric continuation (H = ln 2) the
 * default case reached stasis 23 % later at 1.5e6 terminals than at 1e5 (the resolved
 * bifurcations are asymmetric: a large daughter narrows little and catches a thin band, so more
 * sites stand in series); with the tree's H, 5 %; with the subtree's conductance law below, 3 %
 * (bench/transport.md, "Capacity from stopping sites"). The stopping sites that fill first are not those at d̄ but at ≈ 1.3 d̄ (the diameter
 * density times the number of sites, ∝ D^γ, peaks above the mean), which is why the whole
 * distribution is used rather than its mean.
 *
 * Conductance (embolicLoad.ts chokedResistance): a resolved stopping site's falls as the open
 * fraction 1 − k/C. A terminal's subtree has G = 1 + ln(tracts)/H generations down to its portal
 * tracts, each of the same resistance (n_g = e^(gH) vessels of resistance ∝ L/r⁴ ∝ r^−γ ∝ e^(gH),
 * with L ∝ r and γ = 3); generation g holds the load a_g·x (x = k/C, a_g = S·P_g/n_g ≤ 1, 1 for
 * the first to fill), so the subtree's resistance is R⁰·(1/G)·Σ_g 1/(1 − a_g·x), which the
 * terminal follows exactly at occlusion and to first order in the others:
 * R⁰·(1 + ((1/(1 − x) − 1) + (A − 1)·x)/G), A = Σ_g a_g (terminalSubtree). A coarse terminal thus
 * keeps most of its conductance until a generation is nearly full, as a resolved subtree does
 * (unit test of consistency: within 10 % of the resolved subtree's resistance up to x = 0.99);
 * with the linear law 1 − k/C on the whole terminal, feedback changed the default case's T/N by
 * −4.0 % at 1e5 terminals against −2.6 % at 1.5e6, with this law −1.9 % and −2.2 %
 * (bench/transport.md).
 */
import type { TruncatedNormalParameters } from "../../random/truncatedNormal.js";
import type { ArterialTree } from "../../vascular/tree.js";
import { checkRange } from "../../errors.js";
import { normalCdf } from "../../random/normal.js";
import { DEFAULT_TISSUE_DENSITY_G_PER_ML } from "../../physics/units.js";
import { EMBOLIC_DEFAULTS as E, EMBOLIC_RANGES as ER } from "../defaults.js";

export interface CapacityModel {
  /** The geometric parameters, kept for provenance. */
  readonly plugLengthMm: number;
  readonly portalTractsPerMg: number;
  /** Numerical override: every vessel's capacity, spheres; null = from geometry. */
  readonly perVesselSpheres: number | null;
  /** Override: a terminal's unresolved subtree, spheres per mL of its territory. */
  readonly terminalSpheresPerMl: number;
  /** terminalSpheresPerMl is the numerical override: a terminal holds exactly it × territory (≥ 1). */
  readonly terminalOverride: boolean;
  /** Mean sphere diameter, mm. */
  readonly sphereMeanMm: number;
  /** Spheres that occlude one stopping site, c = plugLengthMm / d̄. */
  readonly siteSpheres: number;
  /** The diameters (µm) that sort spheres into stopping sites: a normal N(mean, sd²) truncated to [min, max]. */
  readonly diameterUm: TruncatedNormalParameters;
  /** Φ((min − mean)/sd) and Φ((max − mean)/sd) − Φ((min − mean)/sd): the truncated CDF's constants. */
  readonly cdfLow: number;
  readonly cdfMass: number;
  /** The tree's Murray exponent γ: a terminal's unresolved subtree continues by r_p^γ = r_0^γ + r_1^γ. */
  readonly murrayExponent: number;
  /** Portal tracts per mL/min of baseline flow: tracts per mg × density / normal-liver perfusion. */
  readonly tractsPerMlPerMin: number;
  /**
   * Branching entropy of the tree, H = −Σ f ln f of a bifurcation's flow fractions f, averaged
   * over the bifurcations weighted by their flow (splitEntropy; ln 2 for a symmetric tree): a
   * sphere following flow meets e^H times as many vessels per generation.
   */
  readonly splitEntropy: number;
}

/** Packing fraction φ of spheres of diameter d in a tube of diameter D (x = d/D), Dixon 1988; φ = 2/3 for x ≥ 1 (single file). */
export function cylinderPackingFraction(x: number): number {
  if (x >= 1) return 2 / 3;
  if (x <= 0.5) return 1 - (0.4 + 0.05 * x + 0.412 * x * x);
  if (x <= 0.536) return 1 - (0.528 + 2.464 * (x - 0.5));
  return 0.667 * x * x * x / Math.sqrt(2 * x - 1);
}

export interface CapacityInputs {
  readonly diameterUm: TruncatedNormalParameters;
  readonly plugLengthMm: number;
  readonly portalTractsPerMg: number;
  readonly tissueDensityGPerMl: number;
  readonly capacitySpheres: number | null;
  readonly capacitySpheresPerMl: number | null;
  /** Normal-liver perfusion of the tree, mL/min per mL (normalPerfusion). */
  readonly normalPerfusionMlPerMinPerMl: number;
  /** The tree's Murray exponent (tree.params.murrayExponent). */
  readonly murrayExponent: number;
  /** The tree's flow-weighted branching entropy (splitEntropy); ln 2 if omitted (symmetric). */
  readonly splitEntropy?: number;
}

export function capacityModel(i: CapacityInputs): CapacityModel {
  const d = i.diameterUm;
  const meanMm = d.mean / 1000;
  // Single file (Dixon φ(1) = 2/3) over the plug length: φ·(π/4)d̄²·L / ((π/6)d̄³) = L / d̄.
  const siteSpheres = (cylinderPackingFraction(1) * 1.5 * i.plugLengthMm) / meanMm;
  const cdfLow = d.sd > 0 ? normalCdf((d.min - d.mean) / d.sd) : 0;
  const cdfMass = d.sd > 0 ? normalCdf((d.max - d.mean) / d.sd) - cdfLow : 1;
  return {
    plugLengthMm: i.plugLengthMm,
    portalTractsPerMg: i.portalTractsPerMg,
    perVesselSpheres: i.capacitySpheres,
    terminalSpheresPerMl: i.capacitySpheresPerMl ?? 0,
    terminalOverride: i.capacitySpheresPerMl !== null,
    sphereMeanMm: meanMm,
    siteSpheres,
    diameterUm: { mean: d.mean, sd: d.sd, min: d.min, max: d.max },
    cdfLow,
    cdfMass,
    murrayExponent: i.murrayExponent,
    tractsPerMlPerMin: (i.tissueDensityGPerMl * 1000 * i.portalTractsPerMg) / i.normalPerfusionMlPerMinPerMl,
    splitEntropy: i.splitEntropy ?? Math.LN2,
  };
}

/** The truncated-normal CDF of the model's diameters at x µm (truncatedNormalCdf with its constants hoisted). */
function diameterCdfAt(m: CapacityModel, x: number): number {
  const d = m.diameterUm;
  if (x <= d.min) return 0;
  if (x >= d.max) return 1;
  if (d.sd <= 0) return x >= d.mean ? 1 : 0;
  return (normalCdf((x - d.mean) / d.sd) - m.cdfLow) / m.cdfMass;
}

/** Floor of the branching entropy in terminalSubtree (ln 2 = 0.69 symmetric; the grown liver 0.51–0.52). */
const MIN_SPLIT_ENTROPY = 0.05;

/**
 * The unresolved subtree of a terminal of lumen `lumenUm`, reached by spheres narrower than
 * `pathUm` (the narrowest lumen on their way), whose flow feeds `tracts` portal tracts, continued
 * as in the header: into `out`, [0] its stopping sites' worth S = min_g n_g / P_g (≥ 1; occluded
 * after S·c spheres), and its conductance law (chokedResistance): [1] 1/G, G = 1 + ln(tracts)/H
 * its generations down to the tracts (each of equal resistance: per generation e^(gH) vessels of
 * resistance ∝ L/r⁴ ∝ r^−γ = e^(gH), L ∝ r, γ = 3), [2] A − 1, A = Σ_g a_g the sum of the
 * generations' load relative to the first to fill (a_g = S·P_g/n_g ≤ 1).
 */
export function terminalSubtree(m: CapacityModel, lumenUm: number, pathUm: number, tracts: number, out: Float64Array): void {
  out[0] = 1;
  out[1] = 1;
  out[2] = 0;
  const fPath = diameterCdfAt(m, Math.min(pathUm, m.diameterUm.max));
  if (fPath <= 0 || tracts <= 1) return;
  // H of a real tree is 0.5–0.7; the floor keeps a degenerate one (every flow down one daughter)
  // from an endless continuation.
  const h = m.splitEntropy > MIN_SPLIT_ENTROPY ? m.splitEntropy : MIN_SPLIT_ENTROPY;
  const branching = Math.exp(h);
  const shrink = Math.exp(-h / m.murrayExponent);
  // b_g = P_g / n_g: the share of the terminal's spheres that one generation-g vessel catches.
  let maxLoad = 0;
  let sumLoad = 0;
  let upper = fPath;
  let lumen = lumenUm;
  let n = 1;
  for (;;) {
    if (n >= tracts) {
      // The portal tracts: every sphere still moving stops at one of them.
      const load = upper / (tracts * fPath);
      sumLoad += load;
      if (load > maxLoad) maxLoad = load;
      break;
    }
    const below = diameterCdfAt(m, lumen);
    const share = upper - below;
    if (n * branching >= tracts) {
      // The tracts lie a fraction f ∈ (0, 1] of a generation below this one (ln(tracts)/H need not
      // be whole). At f → 0 they are this generation's vessels: its inlet stops and the tracts are
      // one site (all of `upper` on n vessels), which is what tracts ≤ 1 (the terminal is one tract)
      // and n = tracts give; at f = 1 they are the next generation. Interpolating the two keeps S,
      // A and G continuous in the tract count (a 70 % jump of S at one tract before, review).
      const f = Math.log(tracts / n) / h;
      const rest = below < upper ? below : upper;
      const merged = upper / (n * fPath);
      const atLevel = (share > 0 ? share : 0) / (n * fPath);
      const level = (1 - f) * merged + f * atLevel;
      const atTracts = (f * rest) / (tracts * fPath);
      sumLoad += level + atTracts;
      if (level > maxLoad) maxLoad = level;
      if (atTracts > maxLoad) maxLoad = atTracts;
      break;
    }
    if (share > 0) {
      const load = share / (n * fPath);
      sumLoad += load;
      if (load > maxLoad) maxLoad = load;
    }
    if (below <= 0) break;
    upper = below < upper ? below : upper;
    lumen *= shrink;
    n *= branching;
  }
  if (maxLoad <= 0) return;
  const sites = 1 / maxLoad;
  const generations = 1 + Math.log(tracts) / h;
  out[0] = sites > 1 ? sites : 1;
  out[1] = 1 / generations;
  // A ≤ G: no more than G generations, each loaded at most as the first to fill (the batch rule's
  // bound (1 + λ)/G ≤ 1, embolicLoad.ts; a fractional last generation could exceed it, review).
  const load = sumLoad / maxLoad;
  out[2] = (load < generations ? load : generations) - 1;
}

const subtreeScratch = new Float64Array(3);


/** Stopping sites' worth S of a terminal's unresolved subtree (terminalSubtree's out[0]). */
export function terminalSites(m: CapacityModel, lumenUm: number, pathUm: number, tracts: number): number {
  terminalSubtree(m, lumenUm, pathUm, tracts, subtreeScratch);
  return subtreeScratch[0];
}

/**
 * Capacity of one segment, spheres (≥ 1): a non-terminal is one stopping site, c; a terminal
 * c·S (terminalSites) with its parent's lumen `parentRadiusMm` (Infinity for a root) as the
 * narrowest on the spheres' way (daughters are narrower than parents by Murray's law).
 */
export function vesselCapacity(m: CapacityModel, radiusMm: number, parentRadiusMm: number, territoryMl: number, flowMlPerMin: number, terminal: boolean): number {
  vesselEmbolicLaw(m, radiusMm, parentRadiusMm, territoryMl, flowMlPerMin, terminal, subtreeScratch);
  return subtreeScratch[0];
}

/**
 * Capacity and conductance law of one segment, into `out`: [0] the capacity C (vesselCapacity),
 * [1] the share 1/G and [2] the linear term A − 1 of chokedResistance (embolicLoad.ts). A
 * resolved vessel (and every vessel under the numerical overrides) chokes alone: 1 and 0.
 */
export function vesselEmbolicLaw(m: CapacityModel, radiusMm: number, parentRadiusMm: number, territoryMl: number, flowMlPerMin: number, terminal: boolean, out: Float64Array): void {
  out[1] = 1;
  out[2] = 0;
  if (terminal && m.terminalOverride) {
    out[0] = Math.max(1, m.terminalSpheresPerMl * territoryMl);
    return;
  }
  if (m.perVesselSpheres !== null) {
    out[0] = m.perVesselSpheres;
    return;
  }
  const c = m.siteSpheres > 1 ? m.siteSpheres : 1;
  if (!terminal) {
    out[0] = c;
    return;
  }
  terminalSubtree(m, 2000 * radiusMm, 2000 * parentRadiusMm, m.tractsPerMlPerMin * flowMlPerMin, out);
  out[0] *= c;
}

/**
 * The numerical knobs alone (tests, benches): every vessel plugs at `spheres`; with `perMl`, a
 * terminal at perMl × its territory instead.
 */
export function fixedCapacity(spheres: number, perMl: number | null = null): CapacityModel {
  return {
    plugLengthMm: 0, portalTractsPerMg: 0, perVesselSpheres: spheres, terminalSpheresPerMl: perMl ?? 0, terminalOverride: perMl !== null,
    sphereMeanMm: 0.032, siteSpheres: spheres, diameterUm: { mean: 32, sd: 0, min: 32, max: 32 }, cdfLow: 0, cdfMass: 1, murrayExponent: 3, tractsPerMlPerMin: 0, splitEntropy: Math.LN2,
  };
}

/**
 * Perfusion of the tree's normal liver, mL/min per mL: flow over territory of the terminals in
 * compartment "normal" (all terminals when there is none).
 */
export function normalPerfusion(tree: ArterialTree): number {
  const normal = tree.compartmentNames.indexOf("normal");
  let flow = 0;
  let volume = 0;
  for (let j = 0; j < tree.segmentCount; j++) {
    if (tree.child0[j] >= 0 || (normal >= 0 && tree.compartment[j] !== normal)) continue;
    flow += tree.flowMlPerMin[j];
    volume += tree.territoryMl[j];
  }
  return volume > 0 && flow > 0 ? flow / volume : 1;
}

/**
 * Flow-weighted mean branching entropy of the tree's bifurcations, H = −Σ_i f_i ln f_i with f_i
 * the daughters' shares of the parent's baseline flow, weighted by the parent's flow (ln 2 for a
 * symmetric tree; a tree without bifurcations gives ln 2).
 */
export function splitEntropy(tree: ArterialTree): number {
  let sum = 0;
  let weight = 0;
  for (let j = 0; j < tree.segmentCount; j++) {
    const a = tree.child0[j];
    if (a < 0) continue;
    const q = tree.flowMlPerMin[a] + tree.flowMlPerMin[tree.child1[j]];
    if (!(q > 0)) continue;
    const fa = tree.flowMlPerMin[a] / q;
    const fb = 1 - fa;
    const h = (fa > 0 ? -fa * Math.log(fa) : 0) + (fb > 0 ? -fb * Math.log(fb) : 0);
    sum += q * h;
    weight += q;
  }
  return weight > 0 ? sum / weight : Math.LN2;
}

/** The user's capacity options (the case's `transport.embolic`, all optional). */
export interface CapacityOptions {
  readonly plugLengthMm?: number;
  readonly portalTractsPerMg?: number;
  readonly sphereDiameterUm?: TruncatedNormalParameters | null;
  readonly capacitySpheres?: number | null;
  readonly capacitySpheresPerMl?: number | null;
}

/**
 * Resolve the capacity options once, for `tree` and the injected product's diameters (the
 * transport's `diameterUm`): the one place where they are checked and defaulted, so a new lodging
 * model is its own file, its dispatch here and its schema entry (docs/transport.md, "Files").
 */
export function resolveCapacity(e: CapacityOptions, productDiameterUm: TruncatedNormalParameters, tree: ArterialTree): CapacityModel {
  return capacityModel({
    diameterUm: e.sphereDiameterUm ?? productDiameterUm,
    plugLengthMm: checkRange("embolic.plugLengthMm", e.plugLengthMm ?? E.plugLengthMm, ER.plugLengthMm.min, ER.plugLengthMm.max, ER.plugLengthMm),
    portalTractsPerMg: checkRange("embolic.portalTractsPerMg", e.portalTractsPerMg ?? E.portalTractsPerMg, ER.portalTractsPerMg.min, ER.portalTractsPerMg.max, ER.portalTractsPerMg),
    tissueDensityGPerMl: DEFAULT_TISSUE_DENSITY_G_PER_ML,
    normalPerfusionMlPerMinPerMl: normalPerfusion(tree),
    murrayExponent: tree.params.murrayExponent,
    splitEntropy: splitEntropy(tree),
    capacitySpheres: e.capacitySpheres == null ? null : checkRange("embolic.capacitySpheres", e.capacitySpheres, ER.capacitySpheres.min, ER.capacitySpheres.max, ER.capacitySpheres),
    capacitySpheresPerMl: e.capacitySpheresPerMl == null ? null : checkRange("embolic.capacitySpheresPerMl", e.capacitySpheresPerMl, ER.capacitySpheresPerMl.min, ER.capacitySpheresPerMl.max, ER.capacitySpheresPerMl),
  });
}

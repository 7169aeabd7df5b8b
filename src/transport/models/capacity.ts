/**
 * Embolic capacity from geometry: how many spheres a vessel (and the unresolved subtree a terminal
 * stands for) holds before it is occluded. Plain data (workers receive it); see docs/transport.md
 * "Embolic load from geometry".
 *
 * Resolved vessel j (lumen diameter D = 2r, length L): its lumen filled with spheres at the
 * packing fraction φ of spheres in a cylinder of diameter ratio d/D, C = φ · (π/4)D²L / V̄ with V̄
 * the mean sphere volume. φ from the wall-effect voidage correlation of Dixon AG, Can J Chem Eng
 * 1988;66:705 (ε = 1 − φ): ε = 0.4 + 0.05·x + 0.412·x² for x = d/D ≤ 0.5; 0.528 + 2.464·(x − 0.5)
 * up to 0.536; 1 − 0.667·x³·(2x − 1)^(−1/2) above (→ single file, φ = 2/3, at x = 1). Bulk
 * random packing (x → 0) gives φ = 0.60, not the 0.64 of random close packing: the correlation
 * is for poured beds, which is what sphere lodging in flow makes.
 *
 * Unresolved subtree of a terminal: portal tracts per mg (≈ 1, reference anatomy) × tissue
 * density × its territory (mL) × its perfusion relative to normal liver, arterioles in parallel.
 * The last factor counts arterioles by the flow they carry: a hypervascular tumour (T/N 4 on MAA)
 * has ~4× the arteriolar bed per mL, so it holds 4× the spheres per mL; with capacity by mass
 * alone the tumour plugs first at every plan (its spheres per mL are T/N × the normal liver's). A sphere (resin 32 µm, glass 25 µm, Ho-166
 * 30 µm) is wider than the hepatic arteriole (radius ≈ 5.9 µm), so it stops where the feeding
 * vessel's lumen equals its diameter: there the spheres stack in single file (x = 1, φ = 2/3 by
 * the same correlation), one per diameter of length. A portal tract is occluded when its
 * feeding vessel is filled over `plugLengthMm`: spheres per tract = plugLengthMm / d̄. plugLengthMm
 * is the model's one calibrated number (docs/validation.md: calibrated on resin, checked on glass
 * and Ho-166); it means the same at any tree resolution because a terminal's capacity scales with
 * the tissue it feeds, and the same for every product because the sphere size enters apart.
 *
 * Conductance: the tracts of a territory are parallel resistors; a plugged tract carries no flow,
 * so the territory's conductance falls as the open fraction 1 − k/C (embolicLoad.ts chokedResistance).
 * The same linear law is used for a resolved vessel's lumen (a plugged length fraction in series:
 * an approximation, conservative since a packed bed's Kozeny–Carman resistance is ≫ the open
 * lumen's; few spheres lodge in resolved vessels, which are wider than the spheres).
 */
import type { TruncatedNormalParameters } from "../../random/truncatedNormal.js";
import type { ArterialTree } from "../../vascular/tree.js";
import { checkRange } from "../../errors.js";
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
  /** Geometry: a terminal's unresolved subtree, spheres per mL/min of its baseline flow. */
  readonly terminalSpheresPerMlPerMin: number;
  /** terminalSpheresPerMl is the numerical override: a terminal holds exactly it × territory (≥ 1). */
  readonly terminalOverride: boolean;
  /** Mean sphere diameter, mm. */
  readonly sphereMeanMm: number;
  /** Mean sphere volume, mm³. */
  readonly sphereVolumeMm3: number;
}

/** Packing fraction φ of spheres of diameter d in a tube of diameter D (x = d/D), Dixon 1988; φ = 2/3 for x ≥ 1 (single file). */
export function cylinderPackingFraction(x: number): number {
  if (x >= 1) return 2 / 3;
  if (x <= 0.5) return 1 - (0.4 + 0.05 * x + 0.412 * x * x);
  if (x <= 0.536) return 1 - (0.528 + 2.464 * (x - 0.5));
  return 0.667 * x * x * x / Math.sqrt(2 * x - 1);
}

/** Mean of d and of d³ for d ~ N(mean, sd²) (truncation ignored: it moves the resin mean by < 3 %). */
function meanAndVolume(d: TruncatedNormalParameters): { meanMm: number; volumeMm3: number } {
  const m = d.mean / 1000;
  const s = d.sd / 1000;
  return { meanMm: m, volumeMm3: (Math.PI / 6) * (m * m * m + 3 * m * s * s) };
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
}

export function capacityModel(i: CapacityInputs): CapacityModel {
  const { meanMm, volumeMm3 } = meanAndVolume(i.diameterUm);
  const spheresPerTract = i.plugLengthMm / meanMm;
  const geometric = i.tissueDensityGPerMl * 1000 * i.portalTractsPerMg * spheresPerTract;
  return {
    plugLengthMm: i.plugLengthMm,
    portalTractsPerMg: i.portalTractsPerMg,
    perVesselSpheres: i.capacitySpheres,
    terminalSpheresPerMl: i.capacitySpheresPerMl ?? 0,
    terminalSpheresPerMlPerMin: geometric / i.normalPerfusionMlPerMinPerMl,
    terminalOverride: i.capacitySpheresPerMl !== null,
    sphereMeanMm: meanMm,
    sphereVolumeMm3: volumeMm3,
  };
}

/** Capacity of one segment, spheres (≥ 1). */
export function vesselCapacity(m: CapacityModel, radiusMm: number, lengthMm: number, territoryMl: number, flowMlPerMin: number, terminal: boolean): number {
  if (terminal && m.terminalOverride) return Math.max(1, m.terminalSpheresPerMl * territoryMl);
  if (m.perVesselSpheres !== null) return m.perVesselSpheres;
  const dMm = 2 * radiusMm;
  const lumen = (cylinderPackingFraction(m.sphereMeanMm / dMm) * (Math.PI / 4) * dMm * dMm * lengthMm) / m.sphereVolumeMm3;
  return Math.max(1, terminal ? lumen + m.terminalSpheresPerMlPerMin * flowMlPerMin : lumen);
}

/**
 * The numerical knobs alone (tests, benches): every vessel plugs at `spheres`; with `perMl`, a
 * terminal at perMl × its territory instead.
 */
export function fixedCapacity(spheres: number, perMl: number | null = null): CapacityModel {
  return { plugLengthMm: 0, portalTractsPerMg: 0, perVesselSpheres: spheres, terminalSpheresPerMl: perMl ?? 0, terminalSpheresPerMlPerMin: 0, terminalOverride: perMl !== null, sphereMeanMm: 0.032, sphereVolumeMm3: (Math.PI / 6) * 0.032 ** 3 };
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
    capacitySpheres: e.capacitySpheres == null ? null : checkRange("embolic.capacitySpheres", e.capacitySpheres, ER.capacitySpheres.min, ER.capacitySpheres.max, ER.capacitySpheres),
    capacitySpheresPerMl: e.capacitySpheresPerMl == null ? null : checkRange("embolic.capacitySpheresPerMl", e.capacitySpheresPerMl, ER.capacitySpheresPerMl.min, ER.capacitySpheresPerMl.max, ER.capacitySpheresPerMl),
  });
}

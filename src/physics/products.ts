/**
 * Commercial microsphere products. Numbers are from the instructions for use (IFU) / package
 * inserts and the papers cited beside each field; where a range is published the midpoint is the
 * default and the range is kept for sensitivity studies.
 */
import { NuclideId } from "./nuclides.js";

export type ProductId = "sir-spheres" | "therasphere" | "quiremspheres";

export interface DiameterDistribution {
  /** Shape used to draw sphere diameters: a normal truncated to [minUm, maxUm]. */
  readonly kind: "truncated-normal";
  readonly meanUm: number;
  readonly sdUm: number;
  readonly minUm: number;
  readonly maxUm: number;
}

export interface MicrosphereProduct {
  readonly id: ProductId;
  readonly name: string;
  readonly material: "resin" | "glass" | "poly-L-lactic acid";
  readonly nuclide: NuclideId;
  readonly diameter: DiameterDistribution;
  /** Sphere density, g/mL. */
  readonly densityGPerMl: number;
  /** Activity per sphere at calibration, Bq (typical value). */
  readonly activityPerSphereBq: number;
  /** Published range of activity per sphere at calibration, Bq. */
  readonly activityPerSphereRangeBq: readonly [number, number];
  /** Spheres per GBq at calibration (= 1e9 / activityPerSphereBq). */
  readonly spheresPerGBq: number;
  /** Vial activities available at calibration, GBq. */
  readonly vialActivitiesGBq: readonly number[];
  /** Median fraction of the activity left in vial and delivery set after injection. */
  readonly residualFraction: number;
  readonly sources: readonly string[];
}

function product(p: Omit<MicrosphereProduct, "spheresPerGBq">): MicrosphereProduct {
  return Object.freeze({ ...p, spheresPerGBq: 1e9 / p.activityPerSphereBq });
}

/**
 * SIR-Spheres (Sirtex): Y-90 resin, 32 ± 10 µm (IFU: 20–60 µm), 1.6 g/mL, 3 GBq vial holding
 * ~40–80 million spheres; 44 million per 3 GBq (≈ 68 Bq each) is the typical figure used in
 * dosimetry papers (Pasciak et al. J Nucl Med 2016;57:1020). Residual 3.0 % median.
 */
export const SIR_SPHERES = product({
  id: "sir-spheres",
  name: "SIR-Spheres (Y-90 resin)",
  material: "resin",
  nuclide: "Y-90",
  diameter: { kind: "truncated-normal", meanUm: 32, sdUm: 10, minUm: 20, maxUm: 60 },
  densityGPerMl: 1.6,
  activityPerSphereBq: 3e9 / 44e6,
  activityPerSphereRangeBq: [50, 68],
  vialActivitiesGBq: [3],
  residualFraction: 0.03,
  sources: [
    "SIR-Spheres IFU (Sirtex Medical): 20-60 um, 1.6 g/mL, 3 GBq vial, 40-80 million spheres",
    "Pasciak AS et al. J Nucl Med 2016;57:1020 (44 million spheres per 3 GBq)",
  ],
});

/**
 * TheraSphere (Boston Scientific): Y-90 glass, 20–30 µm (mean 25), 3.2–3.6 g/mL, ≈ 2500 Bq per
 * sphere at calibration, vials 3–20 GBq. Residual 0.6 % median. The label's K = 50 Gy·kg/GBq is the
 * `therasphere-label` convention; planning uses the engine's one K (49.96, doseCoefficient.ts).
 */
export const THERASPHERE = product({
  id: "therasphere",
  name: "TheraSphere (Y-90 glass)",
  material: "glass",
  nuclide: "Y-90",
  diameter: { kind: "truncated-normal", meanUm: 25, sdUm: 2.5, minUm: 20, maxUm: 30 },
  densityGPerMl: 3.6,
  activityPerSphereBq: 2500,
  activityPerSphereRangeBq: [2450, 2550],
  vialActivitiesGBq: [3, 5, 7, 10, 15, 20],
  residualFraction: 0.006,
  sources: [
    "TheraSphere package insert: 20-30 um, 3.6 g/mL, 2500 Bq per sphere at calibration, 3-20 GBq vials",
  ],
});

/**
 * QuiremSpheres (Terumo / Quirem Medical): Ho-166 poly-L-lactic acid, ~30 µm (15–60), 1.4 g/mL,
 * 200–450 Bq per sphere at calibration. Residual 4.3 % median. K = 15.87 Gy·kg/GBq (derived from Ho-166's mean energy).
 */
export const QUIREMSPHERES = product({
  id: "quiremspheres",
  name: "QuiremSpheres (Ho-166 PLLA)",
  material: "poly-L-lactic acid",
  nuclide: "Ho-166",
  diameter: { kind: "truncated-normal", meanUm: 30, sdUm: 5, minUm: 15, maxUm: 60 },
  densityGPerMl: 1.4,
  activityPerSphereBq: 330,
  activityPerSphereRangeBq: [200, 450],
  vialActivitiesGBq: [3, 6, 9, 12, 15],
  residualFraction: 0.043,
  sources: [
    "QuiremSpheres IFU: ~30 um, 1.4 g/mL, 200-450 Bq per sphere",
    "Smits MLJ et al. J Exp Clin Cancer Res 2010;29:70",
  ],
});

export const PRODUCTS: Readonly<Record<ProductId, MicrosphereProduct>> = Object.freeze({
  "sir-spheres": SIR_SPHERES,
  therasphere: THERASPHERE,
  quiremspheres: QUIREMSPHERES,
});

export const PRODUCT_IDS = Object.freeze(Object.keys(PRODUCTS)) as readonly ProductId[];

/** Number of spheres carrying `activityGBq` at a time when each sphere carries `activityPerSphereBq`. */
export function sphereCount(activityGBq: number, activityPerSphereBq: number): number {
  return Math.round((activityGBq * 1e9) / activityPerSphereBq);
}

/**
 * The isodose lines a clinician reads on a SIRT dose map: the normal-liver limit and the tumour
 * target(s) of the product (EANM 2022: Weber et al. Eur J Nucl Med Mol Imaging 2022;49:1682,
 * Tables 2–4, numbers from src/physics/eanm2022.ts), instead of fractions of the maximum, which
 * put a line through the speckle of the normal liver and move with every run.
 */
import { doseGuidance } from "../physics/eanm2022.js";
import type { Indication, Scenario } from "../physics/eanm2022.js";
import type { ProductId } from "../physics/products.js";
import type { IsodoseLevel } from "./types.js";

/**
 * Lower end of the resin tumour target band, Gy: EANM 2022 Table 3 gives 100–120 Gy
 * (src/physics/eanm2022.ts keeps 120 as the target; the band's lower end is drawn too).
 */
export const RESIN_TUMOUR_TARGET_LOW_GY = 100;

export interface IsodoseContext {
  readonly product: ProductId;
  readonly indication: Indication;
  readonly scenario: Scenario;
  /** Prior chemotherapy (resin normal-liver limit 30 Gy instead of 40 Gy). */
  readonly pretreated: boolean;
}

/**
 * Clinical isodose levels for a product, ascending: resin 40 Gy normal liver (30 pretreated),
 * 100 and 120 Gy tumour; glass 75 Gy normal liver, 205 Gy tumour (EANM 2022; DOSISPHERE-01,
 * Garin et al. Lancet Gastroenterol Hepatol 2021;6:17); Ho-166 60 Gy perfused liver and its
 * tumour threshold where the guideline gives one (ICC 150, mCRC 90 Gy); the segmentectomy
 * threshold in a segmentectomy.
 */
export function clinicalIsodoses(c: IsodoseContext): IsodoseLevel[] {
  const g = doseGuidance(c.product, c.indication, c.pretreated);
  const levels: IsodoseLevel[] = [];
  if (g.normalLiverMaxGy !== null) levels.push({ doseGy: g.normalLiverMaxGy, label: "normal-liver limit" });
  if (g.perfusedTargetGy !== null) levels.push({ doseGy: g.perfusedTargetGy, label: "perfused-liver target" });
  if (c.product === "sir-spheres") levels.push({ doseGy: RESIN_TUMOUR_TARGET_LOW_GY, label: "tumour target (low end)" });
  if (g.tumourMinGy !== null) levels.push({ doseGy: g.tumourMinGy, label: "tumour target" });
  if (c.scenario === "segmentectomy" && g.segmentectomyMinGy !== null) levels.push({ doseGy: g.segmentectomyMinGy, label: "segmentectomy threshold" });
  return levels.sort((a, b) => a.doseGy - b.doseGy);
}

/** Default isodose levels without a clinical context: 10, 25, 50, 75, 100 % of a round maximum. */
export function fractionIsodoses(maxGy: number): IsodoseLevel[] {
  if (!(maxGy > 0)) return [];
  const mag = 10 ** Math.floor(Math.log10(maxGy));
  const round = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((v) => v >= maxGy * 0.999) ?? 10 * mag;
  return [0.1, 0.25, 0.5, 0.75, 1].map((f) => ({ doseGy: Number((f * round).toPrecision(3)) })).filter((l) => l.doseGy <= maxGy);
}

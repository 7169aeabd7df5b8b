/**
 * Absorbed-dose targets and limits for radioembolization planning, by product, indication and
 * scenario, from the EANM procedure guideline (Weber M, Lam M, Chiesa C, et al. EANM procedure
 * guideline for the treatment of liver cancer and liver metastases with intra-arterial radioactive
 * compounds. Eur J Nucl Med Mol Imaging 2022;49:1682–1699, Tables 2–4), with the product labels
 * for the lung and LSF rules. Values are the ones the project's reference notes quote:
 *
 * - Glass (TheraSphere), HCC: mean tumour dose ≥ 205 Gy; whole non-tumoral liver < 75 Gy
 *   (the guideline lowers/raises this band with bilirubin: 50–90 Gy); radiation segmentectomy
 *   > 400 Gy to the perfused volume.
 * - Resin (SIR-Spheres): tumour ≥ 100–120 Gy (120 used as the target); perfused normal liver
 *   < 40 Gy, < 30 Gy after prior chemotherapy; segmentectomy > 150 Gy.
 * - Ho-166 (QuiremSpheres): 60 Gy to the perfused liver (whole-liver treatment, i.e. 3.78 GBq/kg);
 *   tumour > 150 Gy (ICC), > 90 Gy (mCRC).
 * - Lung: 30 Gy per treatment, 50 Gy cumulative (MIRD with 1 kg lungs); glass label: ≤ 0.61 GBq
 *   (16.5 mCi) shunted to the lungs per treatment.
 *
 * Where the guideline gives no number for an indication (e.g. NET with glass) the product's
 * HCC / general number is used and the advisory says so in its message.
 */
import type { ProductId } from "./products.js";

export type Indication = "hcc" | "icc" | "mcrc" | "net" | "other";
export type Scenario = "whole-liver" | "lobar" | "selective" | "segmentectomy";

export const INDICATIONS: readonly Indication[] = Object.freeze(["hcc", "icc", "mcrc", "net", "other"]);
export const SCENARIOS: readonly Scenario[] = Object.freeze(["whole-liver", "lobar", "selective", "segmentectomy"]);

export const EANM_2022_SOURCE =
  "Weber M et al. EANM procedure guideline for the treatment of liver cancer and liver metastases with " +
  "intra-arterial radioactive compounds. Eur J Nucl Med Mol Imaging 2022;49:1682-1699, Tables 2-4";

/** Lung absorbed-dose limit per treatment, Gy (EANM 2022; SIR-Spheres and TheraSphere labels). */
export const LUNG_DOSE_LIMIT_SINGLE_GY = 30;
/** Cumulative lung absorbed-dose limit over all treatments, Gy (EANM 2022). */
export const LUNG_DOSE_LIMIT_CUMULATIVE_GY = 50;
/** TheraSphere label: activity shunted to the lungs per treatment ≤ 0.61 GBq (16.5 mCi). */
export const GLASS_LUNG_ACTIVITY_LIMIT_GBQ = 0.61;

/** Sirtex SIR-Spheres IFU: BSA activity reductions by lung shunt fraction. */
export const LSF_REDUCE_20_ABOVE = 0.1;
export const LSF_REDUCE_40_ABOVE = 0.15;
export const LSF_CONTRAINDICATED_ABOVE = 0.2;

/** T/N below which the partition model predicts little tumour selectivity (EANM 2022). */
export const LOW_TUMOUR_TO_NORMAL_RATIO = 1.5;

export interface DoseGuidance {
  /** Minimum mean tumour dose, Gy (null: no guideline number). */
  readonly tumourMinGy: number | null;
  /** Maximum mean dose to normal liver (non-tumoral tissue), Gy (null: none). */
  readonly normalLiverMaxGy: number | null;
  /** Minimum mean dose to the perfused volume for a radiation segmentectomy, Gy (null: none). */
  readonly segmentectomyMinGy: number | null;
  /** Recommended mean dose to the perfused volume, Gy (Ho-166), null otherwise. */
  readonly perfusedTargetGy: number | null;
  /** Where the numbers come from, and what was assumed. */
  readonly note: string;
}

/** Dose targets and limits for a product, indication and prior-chemotherapy status. */
export function doseGuidance(product: ProductId, indication: Indication, pretreated: boolean): DoseGuidance {
  switch (product) {
    case "therasphere":
      return {
        tumourMinGy: 205,
        normalLiverMaxGy: 75,
        segmentectomyMinGy: 400,
        perfusedTargetGy: null,
        note:
          indication === "hcc"
            ? "EANM 2022 Table 2 (glass, HCC)"
            : `EANM 2022 Table 2 gives glass numbers for HCC; used for ${indication}`,
      };
    case "sir-spheres":
      return {
        tumourMinGy: 120,
        normalLiverMaxGy: pretreated ? 30 : 40,
        segmentectomyMinGy: 150,
        perfusedTargetGy: null,
        note: `EANM 2022 Table 3 (resin${pretreated ? ", pretreated with chemotherapy" : ""})`,
      };
    case "quiremspheres":
      return {
        tumourMinGy: indication === "icc" ? 150 : indication === "mcrc" ? 90 : null,
        normalLiverMaxGy: null,
        segmentectomyMinGy: null,
        perfusedTargetGy: 60,
        note: "EANM 2022 Table 4 (Ho-166: 60 Gy perfused liver; tumour > 150 Gy ICC, > 90 Gy mCRC)",
      };
  }
}

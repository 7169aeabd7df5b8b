/**
 * Advisories from the EANM 2022 guideline (Weber et al., Tables 2–4) and the product labels:
 * tumour below target, normal liver above limit, lung over limit, T/N < 1.5, LSF > 20 %.
 * Each has a stable machine-readable `code`, a `level` and a human `message`.
 */
import {
  GLASS_LUNG_ACTIVITY_LIMIT_GBQ,
  LOW_TUMOUR_TO_NORMAL_RATIO,
  LSF_CONTRAINDICATED_ABOVE,
  type DoseGuidance,
  type Scenario,
} from "../physics/eanm2022.js";
import type { ProductId } from "../physics/products.js";
import type { Advisory, PlanningMethod } from "./types.js";

export interface AdvisoryInput {
  readonly product: ProductId;
  readonly method: PlanningMethod;
  readonly scenario: Scenario;
  readonly lungShuntFraction: number;
  readonly guidance: DoseGuidance;
  /** BSA LSF reduction factor applied (1 when none or not BSA). */
  readonly lsfReductionFactor: number;
  readonly tumours: readonly { name: string; doseGy: number; tumourToNormalRatio?: number }[];
  readonly tumourTargetGy: number | null;
  /** Dose to normal liver (null when the case has no normal compartment). */
  readonly normalLiverDoseGy: number | null;
  readonly normalLiverLimitGy: number | null;
  readonly perfusedDoseGy: number;
  readonly lungDoseGy: number;
  readonly lungLimitGy: number;
  readonly lungCumulativeDoseGy: number;
  readonly lungCumulativeLimitGy: number;
  readonly lungActivityGBq: number;
}

const pct = (f: number) => `${(100 * f).toFixed(1)} %`;
const gy = (d: number) => `${d.toFixed(1)} Gy`;

export function advisories(a: AdvisoryInput): Advisory[] {
  const out: Advisory[] = [];
  const add = (code: string, level: Advisory["level"], message: string) => out.push({ code, level, message });

  if (a.method === "bsa" && a.product !== "sir-spheres") {
    add("BSA_NOT_FOR_PRODUCT", "warning", `the BSA method is defined for resin microspheres (SIR-Spheres), not ${a.product}`);
  }
  if (a.lungShuntFraction > LSF_CONTRAINDICATED_ABOVE) {
    if (a.product === "sir-spheres") {
      add("LSF_CONTRAINDICATED", "contraindication", `lung shunt fraction ${pct(a.lungShuntFraction)} > 20 %: SIR-Spheres must not be given (IFU; EANM 2022)`);
    } else {
      add("LSF_HIGH", "warning", `lung shunt fraction ${pct(a.lungShuntFraction)} > 20 %: check the lung dose and consider not treating`);
    }
  }
  if (a.lsfReductionFactor < 1) {
    add("LSF_ACTIVITY_REDUCED", "info", `BSA activity reduced by ${Math.round(100 * (1 - a.lsfReductionFactor))} % for lung shunt fraction ${pct(a.lungShuntFraction)} (SIR-Spheres IFU)`);
  }
  if (a.lungDoseGy > a.lungLimitGy * (1 + 1e-12)) {
    add("LUNG_DOSE_OVER_LIMIT", "contraindication", `lung dose ${gy(a.lungDoseGy)} exceeds the ${gy(a.lungLimitGy)} single-treatment limit`);
  }
  if (a.lungCumulativeDoseGy > a.lungCumulativeLimitGy * (1 + 1e-12)) {
    add("LUNG_CUMULATIVE_DOSE_OVER_LIMIT", "contraindication", `cumulative lung dose ${gy(a.lungCumulativeDoseGy)} exceeds the ${gy(a.lungCumulativeLimitGy)} cumulative limit`);
  }
  if (a.product === "therasphere" && a.lungActivityGBq > GLASS_LUNG_ACTIVITY_LIMIT_GBQ * (1 + 1e-12)) {
    add("GLASS_LUNG_ACTIVITY_OVER_LIMIT", "contraindication", `${a.lungActivityGBq.toFixed(3)} GBq shunted to the lungs exceeds the TheraSphere limit of ${GLASS_LUNG_ACTIVITY_LIMIT_GBQ} GBq`);
  }
  if (a.normalLiverDoseGy !== null && a.normalLiverLimitGy !== null && a.normalLiverDoseGy > a.normalLiverLimitGy * (1 + 1e-12)) {
    add("NORMAL_LIVER_OVER_LIMIT", "warning", `normal-liver dose ${gy(a.normalLiverDoseGy)} exceeds the ${gy(a.normalLiverLimitGy)} limit (${a.guidance.note})`);
  }
  for (const t of a.tumours) {
    if (t.tumourToNormalRatio === undefined) {
      add("TUMOUR_TN_UNKNOWN", "info", `tumour ${t.name} has no tumourToNormalRatio: its dose is shown as the uniform perfused-volume dose`);
    } else if (t.tumourToNormalRatio < LOW_TUMOUR_TO_NORMAL_RATIO) {
      add("LOW_TUMOUR_TO_NORMAL_RATIO", "warning", `tumour ${t.name} has T/N ${t.tumourToNormalRatio} < ${LOW_TUMOUR_TO_NORMAL_RATIO}: little selective uptake, normal liver limits the tumour dose`);
    }
    if (a.tumourTargetGy !== null && t.doseGy < a.tumourTargetGy * (1 - 1e-12)) {
      add("TUMOUR_BELOW_TARGET", "warning", `tumour ${t.name} dose ${gy(t.doseGy)} is below the ${gy(a.tumourTargetGy)} target (${a.guidance.note})`);
    }
  }
  if (a.scenario === "segmentectomy" && a.guidance.segmentectomyMinGy !== null && a.perfusedDoseGy < a.guidance.segmentectomyMinGy) {
    add("SEGMENTECTOMY_BELOW_TARGET", "warning", `perfused-volume dose ${gy(a.perfusedDoseGy)} is below the ${gy(a.guidance.segmentectomyMinGy)} radiation-segmentectomy target (${a.guidance.note})`);
  }
  if (
    a.guidance.perfusedTargetGy !== null &&
    (a.scenario === "whole-liver" || a.scenario === "lobar") &&
    a.perfusedDoseGy > a.guidance.perfusedTargetGy * (1 + 1e-9)
  ) {
    add("PERFUSED_DOSE_ABOVE_RECOMMENDATION", "warning", `perfused-volume dose ${gy(a.perfusedDoseGy)} is above the recommended ${gy(a.guidance.perfusedTargetGy)} (${a.guidance.note})`);
  }
  return out;
}

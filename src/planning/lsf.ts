/**
 * Lung-shunt rules of the BSA method (SIR-Spheres IFU, Sirtex Medical; EANM 2022 Table 3):
 * LSF ≤ 10 %: full activity; 10 % < LSF ≤ 15 %: reduce by 20 %; 15 % < LSF ≤ 20 %: reduce by
 * 40 %; LSF > 20 %: do not treat (the factor stays 0.6 so the plan can still be shown, and a
 * contraindication advisory is raised).
 */
import { LSF_CONTRAINDICATED_ABOVE, LSF_REDUCE_20_ABOVE, LSF_REDUCE_40_ABOVE } from "../physics/eanm2022.js";

export interface LsfRule {
  /** Multiply the BSA activity by this. */
  readonly factor: number;
  readonly contraindicated: boolean;
}

export function lsfReduction(lungShuntFraction: number): LsfRule {
  return {
    factor: lungShuntFraction > LSF_REDUCE_40_ABOVE ? 0.6 : lungShuntFraction > LSF_REDUCE_20_ABOVE ? 0.8 : 1,
    contraindicated: lungShuntFraction > LSF_CONTRAINDICATED_ABOVE,
  };
}

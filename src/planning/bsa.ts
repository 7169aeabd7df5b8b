/**
 * Body-surface-area (BSA) method for resin microspheres (SIR-Spheres IFU, Sirtex Medical):
 *
 *   BSA [m²]   = 0.20247 · height[m]^0.725 · weight[kg]^0.425      (Du Bois & Du Bois,
 *                                                                   Arch Intern Med 1916;17:863)
 *   A [GBq]    = (BSA − 0.2 + V_tumour / V_perfused) · V_perfused / V_liver
 *
 * For whole-liver treatment V_perfused = V_liver and this is the IFU formula. For lobar or
 * selective treatment the activity is scaled by the perfused fraction of the liver and the tumour
 * involvement is taken within the perfused volume ("modified BSA"; Kao YH et al. Ann Nucl Med
 * 2011;25:455; Lam MG et al. J Vasc Interv Radiol 2014;25:1085). The LSF reduction (lsf.ts)
 * is applied afterwards.
 */
import { checkRange, InputError } from "../errors.js";

/** Du Bois body surface area, m², from height (cm) and weight (kg). */
export function bodySurfaceAreaM2(heightCm: number, weightKg: number): number {
  checkRange("patient.heightCm", heightCm, 0, 300, { minOpen: true });
  checkRange("patient.weightKg", weightKg, 0, 500, { minOpen: true });
  return 0.20247 * Math.pow(heightCm / 100, 0.725) * Math.pow(weightKg, 0.425);
}

/**
 * BSA activity before any LSF reduction, GBq.
 * `tumourInvolvementFraction` = V_tumour / V_perfused; `perfusedFractionOfLiver` = V_perfused / V_liver.
 */
export function bsaActivityGBq(bsaM2: number, tumourInvolvementFraction: number, perfusedFractionOfLiver = 1): number {
  checkRange("bsaM2", bsaM2, 0, 5, { minOpen: true });
  checkRange("tumourInvolvementFraction", tumourInvolvementFraction, 0, 1);
  checkRange("perfusedFractionOfLiver", perfusedFractionOfLiver, 0, 1, { minOpen: true });
  const activityGBq = (bsaM2 - 0.2 + tumourInvolvementFraction) * perfusedFractionOfLiver;
  if (!(activityGBq > 0)) {
    throw new InputError("patient", `patient: the BSA method gives no positive activity for BSA ${bsaM2.toFixed(3)} m²`);
  }
  return activityGBq;
}

/**
 * MIRD single-compartment model: the activity that reaches the liver, (1 − LSF)·A, is spread
 * uniformly over the perfused mass M and deposits all its energy locally (MIRD Pamphlet 29,
 * Dezarn WA et al. Med Phys 2011;38:4824; TheraSphere package insert):
 *
 *   D [Gy] = K · A[GBq] · (1 − LSF) / M[kg]          A = D · M / (K · (1 − LSF))
 *
 * K is the dose coefficient in Gy·kg/GBq (see src/physics/doseCoefficient.ts).
 */

/** Mean absorbed dose to the perfused mass, Gy. */
export function mirdDoseGy(activityGBq: number, massKg: number, lungShuntFraction: number, kGyKgPerGBq: number): number {
  return (kGyKgPerGBq * activityGBq * (1 - lungShuntFraction)) / massKg;
}

/** Administered activity that gives `doseGy` to the perfused mass, GBq. */
export function mirdActivityGBq(doseGy: number, massKg: number, lungShuntFraction: number, kGyKgPerGBq: number): number {
  return (doseGy * massKg) / (kGyKgPerGBq * (1 - lungShuntFraction));
}

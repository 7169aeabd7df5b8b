/**
 * Lung dose from the lung shunt: the shunted activity LSF·A deposits in the lungs, of mass m_L
 * (1 kg by convention; SIR-Spheres and TheraSphere labels, EANM 2022):
 *
 *   D_L [Gy] = K · A · LSF / m_L
 *
 * Limits (EANM 2022): 30 Gy per treatment, 50 Gy cumulative over treatments (prior lung dose is
 * an input); glass (TheraSphere label): ≤ 0.61 GBq shunted to the lungs.
 */

/** Activity that reaches the lungs, GBq. */
export function lungActivityGBq(activityGBq: number, lungShuntFraction: number): number {
  return activityGBq * lungShuntFraction;
}

/** Mean lung dose, Gy. */
export function lungDoseGy(activityGBq: number, lungShuntFraction: number, kGyKgPerGBq: number, lungMassKg: number): number {
  return (kGyKgPerGBq * activityGBq * lungShuntFraction) / lungMassKg;
}

/**
 * Largest administered activity that keeps `priorDoseGy` + this treatment's lung dose within
 * `limitGy`, GBq. Infinity when nothing is shunted; 0 when the prior dose already reaches the limit.
 */
export function maxActivityForLungDoseGBq(
  limitGy: number,
  priorDoseGy: number,
  lungShuntFraction: number,
  kGyKgPerGBq: number,
  lungMassKg: number,
): number {
  if (lungShuntFraction === 0) return Infinity;
  const budgetGy = Math.max(0, limitGy - priorDoseGy);
  return (budgetGy * lungMassKg) / (kGyKgPerGBq * lungShuntFraction);
}

/** Largest administered activity that shunts at most `limitGBq` to the lungs, GBq. */
export function maxActivityForLungActivityGBq(limitGBq: number, lungShuntFraction: number): number {
  return lungShuntFraction === 0 ? Infinity : limitGBq / lungShuntFraction;
}

/**
 * Partition model with n liver compartments (Ho S et al. Eur J Nucl Med 1996;23:947; Gulec SA
 * et al. J Nucl Med 2006;47:1209), generalised to several tumours.
 *
 * Compartment i has mass m_i and a relative activity CONCENTRATION r_i (activity per unit mass
 * relative to normal liver: r = 1 for normal liver and uniform tissue, r = T/N for a tumour).
 * The liver receives (1 − LSF)·A, split in proportion to r_i·m_i:
 *
 *   A_i = (1 − LSF) · A · r_i·m_i / Σ_j r_j·m_j
 *   D_i = K · A_i / m_i = K · (1 − LSF) · A · r_i / Σ_j r_j·m_j
 *
 * Every dose is linear in A, so the inverse for a target on compartment t is A = D_t / (D_t per GBq),
 * and each dose limit implies a maximum activity the same way. With one compartment (r = 1) this is
 * the MIRD formula (mird.ts), which the tests use as a second method.
 */

export interface PartitionCompartment {
  readonly name: string;
  readonly massKg: number;
  /** Activity concentration relative to normal liver (T/N for a tumour, 1 otherwise). */
  readonly relativeConcentration: number;
}

/** Σ r_i·m_i, kg (the "normal-liver-equivalent" mass). */
export function weightedMassKg(compartments: readonly PartitionCompartment[]): number {
  let sum = 0;
  for (const c of compartments) sum += c.relativeConcentration * c.massKg;
  return sum;
}

/** Absorbed dose per administered GBq for each compartment, Gy/GBq (same order as the input). */
export function doseGyPerGBq(
  compartments: readonly PartitionCompartment[],
  lungShuntFraction: number,
  kGyKgPerGBq: number,
): number[] {
  const scale = (kGyKgPerGBq * (1 - lungShuntFraction)) / weightedMassKg(compartments);
  return compartments.map((c) => scale * c.relativeConcentration);
}

/** Fraction of the administered activity in each compartment (sums to 1 − LSF). */
export function activityFractions(compartments: readonly PartitionCompartment[], lungShuntFraction: number): number[] {
  const scale = (1 - lungShuntFraction) / weightedMassKg(compartments);
  return compartments.map((c) => scale * c.relativeConcentration * c.massKg);
}

export interface PartitionDose {
  readonly name: string;
  readonly massKg: number;
  readonly activityGBq: number;
  readonly doseGy: number;
}

/** Forward model: activity and dose in each compartment for an administered activity. */
export function partitionForward(
  compartments: readonly PartitionCompartment[],
  activityGBq: number,
  lungShuntFraction: number,
  kGyKgPerGBq: number,
): PartitionDose[] {
  const fractions = activityFractions(compartments, lungShuntFraction);
  return compartments.map((c, i) => {
    const compartmentActivityGBq = activityGBq * fractions[i];
    return {
      name: c.name,
      massKg: c.massKg,
      activityGBq: compartmentActivityGBq,
      doseGy: (kGyKgPerGBq * compartmentActivityGBq) / c.massKg,
    };
  });
}

/** Mean dose over all compartments per administered GBq, Gy/GBq (the MIRD perfused-volume dose). */
export function perfusedDoseGyPerGBq(
  compartments: readonly PartitionCompartment[],
  lungShuntFraction: number,
  kGyKgPerGBq: number,
): number {
  let massKg = 0;
  for (const c of compartments) massKg += c.massKg;
  return (kGyKgPerGBq * (1 - lungShuntFraction)) / massKg;
}

/**
 * Inverse model: the administered activity that gives `doseGy` to compartment `index`, GBq.
 * (Equivalently the activity limit implied by a dose limit on that compartment.)
 */
export function partitionActivityForDoseGBq(
  compartments: readonly PartitionCompartment[],
  index: number,
  doseGy: number,
  lungShuntFraction: number,
  kGyKgPerGBq: number,
): number {
  return doseGy / doseGyPerGBq(compartments, lungShuntFraction, kGyKgPerGBq)[index];
}

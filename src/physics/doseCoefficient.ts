/**
 * Dose coefficients K (Gy·kg/GBq): the energy released by complete decay of 1 GBq, absorbed in
 * 1 kg. A run uses ONE: the nuclide's, derived from its one mean energy per decay
 * (`derivedDoseCoefficient`, nuclides.ts), or a K the case gives (`userDoseCoefficient`), and it
 * deposits the energy that K implies in planning, local deposition and the kernel alike
 * (issue 14.6). The clinical conventions below are the literature's constants, kept to report
 * how far a published formula's K is from the engine's (docs/planning.md#conventions); planning
 * does not pick them by product any more.
 */
import { InputError } from "../errors.js";
import { derivedDoseCoefficientGyKgPerGBq, meanEnergyForDoseCoefficientMeV, nuclideData, NuclideId, Y90 } from "./nuclides.js";

export type DoseCoefficientConvention = "therasphere-label" | "gulec-utrecht" | "derived" | "ho166-clinical";

export interface DoseCoefficient {
  readonly convention: DoseCoefficientConvention | "user";
  readonly nuclide: NuclideId;
  readonly valueGyKgPerGBq: number;
  /** Mean energy absorbed per decay this K implies at the nuclide's half-life, MeV. */
  readonly meanEnergyMeV: number;
  readonly source: string;
}

function coefficient(convention: DoseCoefficientConvention | "user", nuclide: NuclideId, valueGyKgPerGBq: number, source: string, energyMeV?: number): DoseCoefficient {
  // The nuclide's own energy as tabulated (no round trip through K); otherwise the energy K implies.
  const meanEnergyMeV = energyMeV ?? meanEnergyForDoseCoefficientMeV(nuclideData(nuclide), valueGyKgPerGBq);
  return Object.freeze({ convention, nuclide, valueGyKgPerGBq, meanEnergyMeV, source });
}

const CONVENTIONS: Readonly<Record<DoseCoefficientConvention, DoseCoefficient>> = Object.freeze({
  "therasphere-label": coefficient("therasphere-label", "Y-90", 50, "TheraSphere package insert: D[Gy] = 50 · A[GBq] · (1 − LSF) / M[kg]"),
  "gulec-utrecht": coefficient("gulec-utrecht", "Y-90", 49.67, "Gulec SA et al. J Nucl Med 2006;47:1209 (partition model); Utrecht formulas"),
  derived: coefficient("derived", "Y-90", derivedDoseCoefficientGyKgPerGBq(Y90), "Derived: 0.9367 MeV × 64.1 h / ln2 × 1 GBq, absorbed in 1 kg", Y90.meanEnergyMeV),
  "ho166-clinical": coefficient("ho166-clinical", "Ho-166", 15.87, "J Nucl Med 2016;57 suppl 2:199; EANM 2022 (3.78 GBq/kg for 60 Gy)"),
});

/** The coefficient of a named literature convention; any other name is an InputError (never an Object.prototype member). */
export function doseCoefficient(convention: DoseCoefficientConvention): DoseCoefficient {
  if (!Object.hasOwn(CONVENTIONS, convention)) {
    throw new InputError("convention", `dose coefficient convention must be one of ${Object.keys(CONVENTIONS).join(", ")}, got ${JSON.stringify(convention)}`);
  }
  return CONVENTIONS[convention];
}

/**
 * The engine's coefficient of a nuclide, derived from its one mean energy per decay (Y-90 49.96,
 * Ho-166 15.87 Gy·kg/GBq). An unknown nuclide is an InputError, never another nuclide's data.
 */
export function derivedDoseCoefficient(nuclide: NuclideId): DoseCoefficient {
  const data = nuclideData(nuclide);
  return coefficient("derived", nuclide, derivedDoseCoefficientGyKgPerGBq(data), `Derived from mean energy ${data.meanEnergyMeV} MeV (${data.meanEnergySource}) and T1/2 ${data.halfLifeH} h`, data.meanEnergyMeV);
}

/** A user-given K, reported as such; the run deposits the energy per decay it implies. */
export function userDoseCoefficient(nuclide: NuclideId, valueGyKgPerGBq: number): DoseCoefficient {
  return coefficient("user", nuclide, valueGyKgPerGBq, "case file (doseCoefficientGyKgPerGBq)");
}

export const DOSE_COEFFICIENT_CONVENTIONS = Object.freeze(Object.keys(CONVENTIONS)) as readonly DoseCoefficientConvention[];

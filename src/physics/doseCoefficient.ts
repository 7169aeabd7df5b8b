/**
 * Named dose-coefficient conventions. Clinical formulas differ by which K they use, so every
 * result reports the convention and value it used (`provenance`).
 */
import { InputError } from "../errors.js";
import { derivedDoseCoefficientGyKgPerGBq, NUCLIDES, NuclideId, Y90 } from "./nuclides.js";

export type DoseCoefficientConvention = "therasphere-label" | "gulec-utrecht" | "derived" | "ho166-clinical";

export interface DoseCoefficient {
  readonly convention: DoseCoefficientConvention | "user";
  readonly nuclide: NuclideId;
  readonly valueGyKgPerGBq: number;
  readonly source: string;
}

const CONVENTIONS: Readonly<Record<DoseCoefficientConvention, DoseCoefficient>> = Object.freeze({
  "therasphere-label": {
    convention: "therasphere-label",
    nuclide: "Y-90",
    valueGyKgPerGBq: 50,
    source: "TheraSphere package insert: D[Gy] = 50 · A[GBq] · (1 − LSF) / M[kg]",
  },
  "gulec-utrecht": {
    convention: "gulec-utrecht",
    nuclide: "Y-90",
    valueGyKgPerGBq: 49.67,
    source: "Gulec SA et al. J Nucl Med 2006;47:1209 (partition model); Utrecht formulas",
  },
  derived: {
    convention: "derived",
    nuclide: "Y-90",
    valueGyKgPerGBq: derivedDoseCoefficientGyKgPerGBq(Y90),
    source: "Derived: 0.9367 MeV × 64.1 h / ln2 × 1 GBq, absorbed in 1 kg",
  },
  "ho166-clinical": {
    convention: "ho166-clinical",
    nuclide: "Ho-166",
    valueGyKgPerGBq: 15.87,
    source: "J Nucl Med 2016;57 suppl 2:199; EANM 2022 (3.78 GBq/kg for 60 Gy)",
  },
});

/** The coefficient of a named convention. */
export function doseCoefficient(convention: DoseCoefficientConvention): DoseCoefficient {
  return CONVENTIONS[convention];
}

/**
 * The derived coefficient for any nuclide (Ho-166: 15.87 by construction of its mean energy).
 * The nuclide is looked up by name: an unknown one (a typo, "I-131") is an input error, never
 * silently given another nuclide's data. Own keys only, so "toString" is unknown too.
 */
export function derivedDoseCoefficient(nuclide: NuclideId): DoseCoefficient {
  if (typeof nuclide !== "string" || !Object.hasOwn(NUCLIDES, nuclide)) {
    throw new InputError("nuclide", `nuclide must be one of ${Object.keys(NUCLIDES).join(", ")}, got ${JSON.stringify(nuclide)}`);
  }
  const data = NUCLIDES[nuclide];
  return {
    convention: "derived",
    nuclide,
    valueGyKgPerGBq: derivedDoseCoefficientGyKgPerGBq(data),
    source: `Derived from mean energy ${data.meanEnergyMeV} MeV and T1/2 ${data.halfLifeH} h`,
  };
}

/** A user-given K, reported as such. */
export function userDoseCoefficient(nuclide: NuclideId, valueGyKgPerGBq: number): DoseCoefficient {
  return { convention: "user", nuclide, valueGyKgPerGBq, source: "case file (doseCoefficientGyKgPerGBq)" };
}

export const DOSE_COEFFICIENT_CONVENTIONS = Object.freeze(Object.keys(CONVENTIONS)) as readonly DoseCoefficientConvention[];

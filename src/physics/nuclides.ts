/**
 * Therapeutic radionuclides used in SIRT, with the source of every number.
 *
 * The dose coefficient K (Gy·kg/GBq) is the energy released by complete decay of 1 GBq, absorbed
 * locally in 1 kg: K = E_mean · T½/ln2 · 1e9 Bq · J/MeV. It is derived here from the mean energy
 * and half-life; the named clinical conventions live in `doseCoefficient.ts`.
 */
import { InputError } from "../errors.js";
import { BQ_PER_GBQ, JOULE_PER_MEV, SECONDS_PER_HOUR } from "./units.js";

export type NuclideId = "Y-90" | "Ho-166";

export interface Nuclide {
  readonly id: NuclideId;
  /** Physical half-life, hours. */
  readonly halfLifeH: number;
  /** Mean energy per decay absorbed locally (beta + conversion/Auger electrons), MeV. */
  readonly meanEnergyMeV: number;
  /** Maximum beta energy, MeV. */
  readonly maxBetaEnergyMeV: number;
  /** Maximum beta range in water / soft tissue, mm. */
  readonly maxRangeMm: number;
  /** Mean beta range in soft tissue, mm. */
  readonly meanRangeMm: number;
  /** Where `meanEnergyMeV` comes from (the one energy per decay every stage uses). */
  readonly meanEnergySource: string;
  /** Where the numbers come from. */
  readonly sources: readonly string[];
}

/**
 * Y-90. T½ 64.1 h and mean beta energy 0.9367 MeV: TheraSphere package insert (Boston Scientific,
 * rev. 2021) and SIR-Spheres IFU; Graves et al. 2019 use 64.10 h for the dose point kernel.
 * Max energy 2.28 MeV, max range 11 mm, mean range 2.5 mm in tissue (same labels).
 *
 * ONE energy per decay (issue 14.6): 0.9367 MeV is the energy every part of a run deposits —
 * planning's K (derivedDoseCoefficientGyKgPerGBq: 49.96 Gy·kg/GBq), local deposition and the
 * normalisation of the dose point kernel. Why the label's value: it is the number behind the
 * TheraSphere K ≈ 50 that glass planning uses (49.96 vs 50: −0.07 %), it is printed on a product
 * document a user can check, and it keeps the kernel's normalisation at +0.73 % (Graves et al.
 * deposit 0.9299 MeV within 12 mm). Alternatives, within 0.6 %: nuclear data (ENSDF via NNDC,
 * β⁻ to the Zr-90 ground state, mean 932.4(7) keV at 99.9885 % → 0.9323 MeV, K 49.73), and the
 * Gulec / Utrecht K 49.67 (0.9312 MeV at 64.1 h, 0.9327 MeV at 64.0 h; test/dose/energyPerDecay.test.ts).
 * The ICRP-107 0.9267 MeV quoted in issue 14 was not checked (docs/planning.md). A case may set
 * another K (`doseCoefficientGyKgPerGBq`); the run then uses the energy that K implies everywhere.
 */
export const Y90: Nuclide = Object.freeze({
  id: "Y-90",
  halfLifeH: 64.1,
  meanEnergyMeV: 0.9367,
  maxBetaEnergyMeV: 2.2801,
  maxRangeMm: 11.0,
  meanRangeMm: 2.5,
  meanEnergySource: "TheraSphere Y-90 glass microspheres package insert: mean beta energy 0.9367 MeV (K = 49.96 Gy kg/GBq with T1/2 64.1 h)",
  sources: Object.freeze([
    "TheraSphere Y-90 glass microspheres package insert: T1/2 64.1 h, mean beta energy 0.9367 MeV",
    "Graves SA, Flynn RT, Hyer DE. Med Phys 2019;46(11):5284-5293 (T1/2 64.10 h)",
  ]),
});

/**
 * Ho-166. T½ 26.8 h (ENSDF: 26.824 h). Max beta energy 1.855 MeV (50 %) / 1.774 MeV (48.7 %),
 * max range 8.7 mm, mean range 2.5 mm (Smits et al., J Exp Clin Cancer Res 2010;29:70).
 * The mean locally absorbed energy is chosen so that the derived K reproduces the clinical
 * coefficient 15.87 Gy·kg/GBq (Bastiaannet/Smits, J Nucl Med 2016;57 suppl 2:199; EANM 2022
 * 3.78 GBq/kg for 60 Gy): 15.87 / (26.8 h · 3600 / ln2 · 1e9 · 1.602e-13 J/MeV) = 0.7117 MeV,
 * consistent with ICRP 107's mean beta energy 0.665 MeV plus conversion and Auger electrons.
 */
export const HO166: Nuclide = Object.freeze({
  id: "Ho-166",
  halfLifeH: 26.8,
  meanEnergyMeV: 0.7117,
  maxBetaEnergyMeV: 1.855,
  maxRangeMm: 8.7,
  meanRangeMm: 2.5,
  meanEnergySource: "chosen to reproduce K = 15.87 Gy kg/GBq (J Nucl Med 2016;57 suppl 2:199) with T1/2 26.8 h: 0.7117 MeV (K 15.8715)",
  sources: Object.freeze([
    "Smits MLJ et al. J Exp Clin Cancer Res 2010;29:70 (T1/2 26.8 h, Emax 1.85 MeV, max range 8.7 mm)",
    "J Nucl Med 2016;57 suppl 2:199 (15.87 Gy·kg/GBq); EANM 2022 Weber et al. (3.78 GBq/kg → 60 Gy)",
  ]),
});

export const NUCLIDES: Readonly<Record<NuclideId, Nuclide>> = Object.freeze({ "Y-90": Y90, "Ho-166": HO166 });

/** The data of a nuclide by id; an unknown id is an input error (never another nuclide's data). */
export function nuclideData(id: NuclideId): Nuclide {
  const data = Object.hasOwn(NUCLIDES, id) ? NUCLIDES[id] : undefined;
  if (data === undefined) throw new InputError("nuclide", `nuclide must be one of ${Object.keys(NUCLIDES).join(", ")}, got ${JSON.stringify(id)}`);
  return data;
}

/** Decay constant λ = ln2 / T½, per hour. */
export function decayConstantPerH(nuclide: Nuclide): number {
  return Math.LN2 / nuclide.halfLifeH;
}

/** Mean life τ = T½ / ln2, seconds: the number of decays per Bq over complete decay. */
export function meanLifeS(nuclide: Nuclide): number {
  return (nuclide.halfLifeH * SECONDS_PER_HOUR) / Math.LN2;
}

/**
 * Dose coefficient derived from the nuclide data: energy released by complete decay of 1 GBq,
 * absorbed in 1 kg, Gy·kg/GBq. Y-90 with 0.9367 MeV and 64.1 h gives 49.96.
 */
export function derivedDoseCoefficientGyKgPerGBq(nuclide: Nuclide): number {
  return nuclide.meanEnergyMeV * JOULE_PER_MEV * meanLifeS(nuclide) * BQ_PER_GBQ;
}

/** The inverse: mean energy per decay (MeV) that a dose coefficient K implies for a nuclide. */
export function meanEnergyForDoseCoefficientMeV(nuclide: Nuclide, doseCoefficientGyKgPerGBq: number): number {
  return doseCoefficientGyKgPerGBq / (JOULE_PER_MEV * meanLifeS(nuclide) * BQ_PER_GBQ);
}

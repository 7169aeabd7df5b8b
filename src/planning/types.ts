/**
 * Plain data shapes of treatment planning: the validated case (`PlanningCase`, produced by
 * `parseCase` in src/io/caseFile.ts or built by a library caller) and the result of
 * `planTreatment` (`PlanResult`). Units are in the field names; fractions are 0..1.
 */
import type { DoseCoefficient } from "../physics/doseCoefficient.js";
import type { Indication, Scenario } from "../physics/eanm2022.js";
import type { NuclideId } from "../physics/nuclides.js";
import type { ProductId } from "../physics/products.js";

export type PlanningMethod = "bsa" | "mird" | "partition";
export const PLANNING_METHODS: readonly PlanningMethod[] = Object.freeze(["bsa", "mird", "partition"]);

/**
 * `tumour`: lesion tissue with its own T/N; `normal`: non-tumoral liver (T/N = 1 by definition);
 * `perfused`: the single uniform compartment of MIRD / BSA (tissue of unknown composition).
 */
export type CompartmentKind = "tumour" | "normal" | "perfused";
export const COMPARTMENT_KINDS: readonly CompartmentKind[] = Object.freeze(["tumour", "normal", "perfused"]);

/**
 * Names that cannot be used for a compartment: `lung` is always added to the output, and
 * `__proto__` cannot be a plain object key.
 */
export const RESERVED_COMPARTMENT_NAMES: readonly string[] = Object.freeze(["lung", "__proto__"]);
/** Target name for the mean dose to the whole perfused volume (all liver compartments). */
export const PERFUSED_TARGET = "perfused";
/** Target name for the lung dose. */
export const LUNG_TARGET = "lung";

export interface PlanningCompartment {
  readonly name: string;
  readonly kind: CompartmentKind;
  readonly massKg: number;
  /** Density used to convert between volume and mass, g/mL. */
  readonly densityGPerMl: number;
  /**
   * Tumour-to-normal-liver ratio of activity CONCENTRATION (activity per unit mass relative to
   * normal liver; Ho et al. 1996), never a ratio of activities. Only for `tumour`; absent means
   * unknown (BSA / MIRD then report a uniform distribution, partition requires it).
   */
  readonly tumourToNormalRatio?: number;
}

export interface PlanningPatient {
  readonly heightCm?: number;
  readonly weightKg?: number;
  /** Body surface area given directly, m² (overrides height and weight). */
  readonly bsaM2?: number;
}

export interface DoseTarget {
  /** A compartment name, `perfused` (mean dose over all compartments) or `lung`. */
  readonly compartment: string;
  readonly doseGy: number;
}

/** User overrides of the guideline dose limits and targets (EANM 2022 defaults otherwise). */
export interface LimitOverrides {
  readonly normalLiverDoseGy?: number;
  readonly tumourDoseGy?: number;
  readonly lungDoseGy?: number;
  readonly lungCumulativeDoseGy?: number;
}

export interface PlanningTiming {
  /** Hours from the vial's calibration time to the treatment (negative: before calibration). */
  readonly hoursCalibrationToTreatment: number;
  readonly calibrationTime?: string;
  readonly treatmentTime?: string;
}

export interface PlanningCase {
  readonly product: ProductId;
  readonly method: PlanningMethod;
  readonly lungShuntFraction: number;
  readonly lungMassKg: number;
  readonly priorLungDoseGy: number;
  readonly patient?: PlanningPatient;
  readonly compartments: readonly PlanningCompartment[];
  /** Mass of the whole liver, kg, when only part of it is treated (BSA lobar / selective). */
  readonly wholeLiverMassKg?: number;
  /** Inverse planning: find the activity that gives this dose. */
  readonly target?: DoseTarget;
  /** Forward planning: activity delivered to the patient at treatment time, GBq. */
  readonly activityGBq?: number;
  /** Forward planning from the vial: activity at calibration time, GBq (decayed and reduced by the residual). */
  readonly activityAtCalibrationGBq?: number;
  /** Overrides the product's default dose coefficient K, Gy·kg/GBq (reported as convention "user"). */
  readonly doseCoefficientGyKgPerGBq?: number;
  readonly indication: Indication;
  readonly scenario: Scenario;
  /** Prior systemic chemotherapy (resin normal-liver limit 30 Gy instead of 40 Gy). */
  readonly pretreated: boolean;
  readonly limits?: LimitOverrides;
  readonly timing?: PlanningTiming;
  /** Fraction of the dispensed activity left in vial and tubing, 0..1. */
  readonly residualFraction?: number;
}

export type AdvisoryLevel = "info" | "warning" | "contraindication";

export interface Advisory {
  /** Stable machine-readable code, e.g. `LUNG_DOSE_OVER_LIMIT`. */
  readonly code: string;
  readonly level: AdvisoryLevel;
  readonly message: string;
}

export interface CompartmentResult {
  readonly kind: CompartmentKind;
  readonly massKg: number;
  readonly activityGBq: number;
  readonly doseGy: number;
  readonly tumourToNormalRatio?: number;
}

export interface LungResult {
  readonly massKg: number;
  readonly activityGBq: number;
  readonly doseGy: number;
  readonly priorDoseGy: number;
  readonly cumulativeDoseGy: number;
}

/** An upper limit on the administered activity implied by one dose or activity constraint. */
export interface ActivityConstraint {
  /** Dose limit, Gy (or activity limit, GBq, for `glassLungActivity`). */
  readonly limit: number;
  readonly unit: "Gy" | "GBq";
  /** Largest administered activity that respects it, GBq; null when unbounded (e.g. LSF 0). */
  readonly maxActivityGBq: number | null;
  /** Value of the constrained quantity in this plan (Gy or GBq). */
  readonly value: number;
  readonly satisfied: boolean;
  readonly source: string;
}

export interface TumourTargetCheck {
  readonly doseTargetGy: number;
  /** Smallest administered activity that reaches the target, GBq. */
  readonly minActivityGBq: number;
  readonly doseGy: number;
  readonly reached: boolean;
}

export interface PlanLimits {
  readonly constraints: Readonly<Record<string, ActivityConstraint>>;
  /** The constraint that allows the least activity (the one that binds), null if none. */
  readonly binding: string | null;
  /** Largest administered activity that respects every constraint, GBq (null: unbounded). */
  readonly maxActivityGBq: number | null;
  /** Whether the planned activity respects every constraint. */
  readonly withinLimits: boolean;
  readonly tumourTargets: Readonly<Record<string, TumourTargetCheck>>;
}

export interface DecayReport {
  readonly hoursCalibrationToTreatment: number;
  readonly calibrationTime?: string;
  readonly treatmentTime?: string;
  readonly residualFraction: number;
  /** Activity that must be in the vial at treatment time, GBq: delivered / (1 − residual). */
  readonly dispensedActivityGBq: number;
  /** Activity left in vial and tubing, GBq. */
  readonly residualActivityGBq: number;
  /** Activity to order, referred to the vial's calibration time, GBq. */
  readonly activityAtCalibrationGBq: number;
  /** Activity delivered to the patient at treatment time, GBq. */
  readonly deliveredActivityGBq: number;
  /** A(treatment) / A(calibration). */
  readonly decayFactor: number;
}

export interface BsaReport {
  readonly bsaM2: number;
  readonly tumourInvolvementFraction: number;
  readonly perfusedFractionOfLiver: number;
  /** BSA activity before the LSF reduction, GBq. */
  readonly unreducedActivityGBq: number;
  /** 1, 0.8 or 0.6 (SIR-Spheres IFU). */
  readonly lsfReductionFactor: number;
}

export interface PlanProvenance {
  readonly doseCoefficientGyKgPerGBq: number;
  readonly doseCoefficientConvention: DoseCoefficient["convention"];
  readonly doseCoefficientSource: string;
  /** Mean energy absorbed per decay that K implies, MeV: the one energy of the run (issue 14.6). */
  readonly meanEnergyMeV: number;
  readonly nuclide: NuclideId;
  readonly halfLifeH: number;
  readonly lungMassKg: number;
  readonly methodSource: string;
  readonly guideline: string;
  readonly guidelineNote: string;
  readonly version: string;
}

export interface PlanResult {
  readonly method: PlanningMethod;
  readonly product: ProductId;
  /** Activity administered to (delivered into) the patient, GBq. */
  readonly activityGBq: number;
  readonly target?: DoseTarget;
  /** The liver compartments by name, then `lung`. */
  readonly compartments: Readonly<Record<string, CompartmentResult | LungResult>>;
  /** Mean over the whole perfused volume (all liver compartments). */
  readonly perfused: { readonly massKg: number; readonly activityGBq: number; readonly doseGy: number };
  readonly limits: PlanLimits;
  readonly advisories: readonly Advisory[];
  readonly bsa?: BsaReport;
  readonly decay?: DecayReport;
  readonly provenance: PlanProvenance;
}

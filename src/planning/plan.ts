/**
 * `planTreatment(case)`: the clinical plan of a SIRT treatment — administered activity, activity
 * and absorbed dose per compartment and to the lungs, the activity limit implied by each
 * constraint (and which one binds), EANM 2022 advisories, decay / residual bookkeeping and the
 * constants used (provenance). Pure: no I/O.
 */
import { checkRange, InputError } from "../errors.js";
import { derivedDoseCoefficient, userDoseCoefficient, type DoseCoefficient } from "../physics/doseCoefficient.js";
import {
  doseGuidance,
  EANM_2022_SOURCE,
  GLASS_LUNG_ACTIVITY_LIMIT_GBQ,
  LUNG_DOSE_LIMIT_CUMULATIVE_GY,
  LUNG_DOSE_LIMIT_SINGLE_GY,
} from "../physics/eanm2022.js";
import { NUCLIDES } from "../physics/nuclides.js";
import { PRODUCTS } from "../physics/products.js";
import { advisories } from "./advisories.js";
import { bodySurfaceAreaM2, bsaActivityGBq } from "./bsa.js";
import { decayReport, deliveredFromCalibrationGBq } from "./decay.js";
import { summariseLimits, type ConstraintInput, type TumourTargetInput } from "./limits.js";
import { lsfReduction } from "./lsf.js";
import { lungActivityGBq, lungDoseGy, maxActivityForLungActivityGBq, maxActivityForLungDoseGBq } from "./lung.js";
import { doseGyPerGBq, partitionForward, perfusedDoseGyPerGBq, type PartitionCompartment } from "./partition.js";
import {
  LUNG_TARGET,
  PERFUSED_TARGET,
  RESERVED_COMPARTMENT_NAMES,
  type BsaReport,
  type CompartmentResult,
  type LungResult,
  type PlanResult,
  type PlanningCase,
} from "./types.js";

const METHOD_SOURCES = {
  bsa: "BSA method, SIR-Spheres IFU (Sirtex); BSA by Du Bois & Du Bois 1916; LSF reductions per IFU",
  mird: "MIRD single compartment: D = K·A·(1−LSF)/M (Dezarn et al. Med Phys 2011;38:4824)",
  partition: "Partition model, n compartments (Ho et al. Eur J Nucl Med 1996;23:947; Gulec et al. J Nucl Med 2006;47:1209)",
} as const;

/**
 * The dose coefficient a case uses: the user's value, else the one derived from the nuclide's mean
 * energy per decay — the same energy local deposition and the dose kernel deposit (issue 14.6;
 * docs/planning.md#conventions for the published 49.67 / 50 conventions).
 */
export function caseDoseCoefficient(c: Pick<PlanningCase, "product" | "doseCoefficientGyKgPerGBq">): DoseCoefficient {
  const product = PRODUCTS[c.product];
  return c.doseCoefficientGyKgPerGBq !== undefined
    ? userDoseCoefficient(product.nuclide, c.doseCoefficientGyKgPerGBq)
    : derivedDoseCoefficient(product.nuclide);
}

/** Checks a case built by a library caller (parseCase already guarantees all of this). */
function validate(c: PlanningCase): void {
  if (!(c.product in PRODUCTS)) throw new InputError("product", `product must be one of ${Object.keys(PRODUCTS).join(", ")}`);
  checkRange("lungShuntFraction", c.lungShuntFraction, 0, 1, { maxOpen: true });
  checkRange("lungMassKg", c.lungMassKg, 0, 10, { minOpen: true });
  checkRange("priorLungDoseGy", c.priorLungDoseGy, 0, 1000);
  if (c.compartments.length === 0) throw new InputError("compartments", "compartments must list at least one compartment");
  const names = new Set<string>();
  c.compartments.forEach((comp, i) => {
    const path = `compartments[${i}]`;
    checkRange(`${path}.massKg`, comp.massKg, 0, 10, { minOpen: true });
    checkRange(`${path}.densityGPerMl`, comp.densityGPerMl, 0.5, 3);
    if (RESERVED_COMPARTMENT_NAMES.includes(comp.name)) {
      throw new InputError(`${path}.name`, `${path}.name "${comp.name}" is reserved`);
    }
    if (names.has(comp.name)) throw new InputError(`${path}.name`, `${path}.name "${comp.name}" is used twice`);
    names.add(comp.name);
    if (comp.tumourToNormalRatio !== undefined) {
      if (comp.kind !== "tumour") {
        throw new InputError(`${path}.tumourToNormalRatio`, `${path}.tumourToNormalRatio is only for kind "tumour"`);
      }
      checkRange(`${path}.tumourToNormalRatio`, comp.tumourToNormalRatio, 0, 1000, { minOpen: true });
    }
    if (c.method === "partition") {
      if (comp.kind === "perfused") {
        throw new InputError(`${path}.kind`, `${path}.kind "perfused" is the single compartment of MIRD/BSA; method partition needs "tumour" or "normal"`);
      }
      if (comp.kind === "tumour" && comp.tumourToNormalRatio === undefined) {
        throw new InputError(`${path}.tumourToNormalRatio`, `${path}.tumourToNormalRatio is required for method partition`);
      }
    }
  });
  if (c.doseCoefficientGyKgPerGBq !== undefined) checkRange("doseCoefficientGyKgPerGBq", c.doseCoefficientGyKgPerGBq, 0, 100, { minOpen: true });
  if (c.residualFraction !== undefined) checkRange("residualFraction", c.residualFraction, 0, 1, { maxOpen: true });
  const given = [c.target, c.activityGBq, c.activityAtCalibrationGBq].filter((x) => x !== undefined).length;
  if (c.method === "bsa" && given > 0) {
    throw new InputError("method", "method bsa computes the activity itself: give no target, activityGBq or activityAtCalibrationGBq");
  }
  if (c.method !== "bsa" && given !== 1) {
    throw new InputError("target", `method ${c.method} needs exactly one of target (inverse) or activityGBq / activityAtCalibrationGBq (forward)`);
  }
  if (c.activityGBq !== undefined) checkRange("activityGBq", c.activityGBq, 0, 100, { minOpen: true });
  if (c.activityAtCalibrationGBq !== undefined) checkRange("activityAtCalibrationGBq", c.activityAtCalibrationGBq, 0, 100, { minOpen: true });
  if (c.target !== undefined) checkRange("target.doseGy", c.target.doseGy, 0, 5000, { minOpen: true });
  if (c.timing !== undefined) checkRange("hoursCalibrationToTreatment", c.timing.hoursCalibrationToTreatment, -1000, 1000);
  if (c.wholeLiverMassKg !== undefined) checkRange("wholeLiver.massKg", c.wholeLiverMassKg, 0, 10, { minOpen: true });
  for (const [key, value] of Object.entries(c.limits ?? {})) {
    if (value !== undefined) checkRange(`limits.${key}`, value, 0, 5000, { minOpen: true });
  }
}

/** Plan a treatment. Throws InputError for an inconsistent case (the message names the field). */
export function planTreatment(c: PlanningCase, meta: { version?: string } = {}): PlanResult {
  validate(c);
  const product = PRODUCTS[c.product];
  const nuclide = NUCLIDES[product.nuclide];
  const k = caseDoseCoefficient(c);
  const kGyKgPerGBq = k.valueGyKgPerGBq;
  const lsf = c.lungShuntFraction;
  const guidance = doseGuidance(c.product, c.indication, c.pretreated);

  const parts: PartitionCompartment[] = c.compartments.map((comp) => ({
    name: comp.name,
    massKg: comp.massKg,
    relativeConcentration: comp.kind === "tumour" ? (comp.tumourToNormalRatio ?? 1) : 1,
  }));
  const perGBq = doseGyPerGBq(parts, lsf, kGyKgPerGBq);
  const perfusedPerGBq = perfusedDoseGyPerGBq(parts, lsf, kGyKgPerGBq);
  const lungPerGBq = lungDoseGy(1, lsf, kGyKgPerGBq, c.lungMassKg);
  let perfusedMassKg = 0;
  for (const p of parts) perfusedMassKg += p.massKg;

  // --- The administered activity, by method.
  let activityGBq: number;
  let bsa: BsaReport | undefined;
  const hours = c.timing?.hoursCalibrationToTreatment ?? 0;
  const residual = c.residualFraction ?? 0;
  if (c.method === "bsa") {
    bsa = bsaPlan(c, perfusedMassKg);
    activityGBq = bsa.unreducedActivityGBq * bsa.lsfReductionFactor;
  } else if (c.target !== undefined) {
    activityGBq = c.target.doseGy / targetDosePerGBq(c, perGBq, perfusedPerGBq, lungPerGBq);
  } else if (c.activityGBq !== undefined) {
    activityGBq = c.activityGBq;
  } else {
    activityGBq = deliveredFromCalibrationGBq(c.activityAtCalibrationGBq as number, nuclide, hours, residual);
  }

  // --- Forward: doses for that activity.
  const forward = partitionForward(parts, activityGBq, lsf, kGyKgPerGBq);
  const compartments: Record<string, CompartmentResult | LungResult> = {};
  c.compartments.forEach((comp, i) => {
    compartments[comp.name] = {
      kind: comp.kind,
      massKg: comp.massKg,
      activityGBq: forward[i].activityGBq,
      doseGy: forward[i].doseGy,
      ...(comp.tumourToNormalRatio !== undefined ? { tumourToNormalRatio: comp.tumourToNormalRatio } : {}),
    };
  });
  const lungDose = lungPerGBq * activityGBq;
  const lung: LungResult = {
    massKg: c.lungMassKg,
    activityGBq: lungActivityGBq(activityGBq, lsf),
    doseGy: lungDose,
    priorDoseGy: c.priorLungDoseGy,
    cumulativeDoseGy: c.priorLungDoseGy + lungDose,
  };
  compartments.lung = lung;

  // --- Constraints and the activity each allows.
  const lungLimitGy = c.limits?.lungDoseGy ?? LUNG_DOSE_LIMIT_SINGLE_GY;
  const lungCumulativeLimitGy = c.limits?.lungCumulativeDoseGy ?? LUNG_DOSE_LIMIT_CUMULATIVE_GY;
  const normalIndex = c.compartments.findIndex((comp) => comp.kind === "normal");
  const normalLiverLimitGy =
    c.limits?.normalLiverDoseGy ?? (c.scenario === "segmentectomy" ? null : guidance.normalLiverMaxGy);
  const constraints: ConstraintInput[] = [];
  if (normalIndex >= 0 && normalLiverLimitGy !== null) {
    constraints.push({
      name: "normalLiver",
      limit: normalLiverLimitGy,
      unit: "Gy",
      maxActivityGBq: normalLiverLimitGy / perGBq[normalIndex],
      value: forward[normalIndex].doseGy,
      source: c.limits?.normalLiverDoseGy !== undefined ? "case file (limits.normalLiverDoseGy)" : guidance.note,
    });
  }
  constraints.push({
    name: "lungSingle",
    limit: lungLimitGy,
    unit: "Gy",
    maxActivityGBq: maxActivityForLungDoseGBq(lungLimitGy, 0, lsf, kGyKgPerGBq, c.lungMassKg),
    value: lungDose,
    source: c.limits?.lungDoseGy !== undefined ? "case file (limits.lungDoseGy)" : "EANM 2022: 30 Gy per treatment",
  });
  constraints.push({
    name: "lungCumulative",
    limit: lungCumulativeLimitGy,
    unit: "Gy",
    maxActivityGBq: maxActivityForLungDoseGBq(lungCumulativeLimitGy, c.priorLungDoseGy, lsf, kGyKgPerGBq, c.lungMassKg),
    value: lung.cumulativeDoseGy,
    source:
      c.limits?.lungCumulativeDoseGy !== undefined
        ? "case file (limits.lungCumulativeDoseGy)"
        : `EANM 2022: 50 Gy cumulative (prior ${c.priorLungDoseGy} Gy)`,
  });
  if (c.product === "therasphere") {
    constraints.push({
      name: "glassLungActivity",
      limit: GLASS_LUNG_ACTIVITY_LIMIT_GBQ,
      unit: "GBq",
      maxActivityGBq: maxActivityForLungActivityGBq(GLASS_LUNG_ACTIVITY_LIMIT_GBQ, lsf),
      value: lung.activityGBq,
      source: "TheraSphere package insert: ≤ 0.61 GBq (16.5 mCi) to the lungs",
    });
  }
  const tumourTargetGy = c.limits?.tumourDoseGy ?? guidance.tumourMinGy;
  const tumourTargets: TumourTargetInput[] = [];
  if (tumourTargetGy !== null) {
    c.compartments.forEach((comp, i) => {
      if (comp.kind === "tumour") {
        tumourTargets.push({ name: comp.name, doseTargetGy: tumourTargetGy, doseGyPerGBq: perGBq[i], doseGy: forward[i].doseGy });
      }
    });
  }
  const limits = summariseLimits(constraints, tumourTargets);

  const advice = advisories({
    product: c.product,
    method: c.method,
    scenario: c.scenario,
    lungShuntFraction: lsf,
    guidance,
    lsfReductionFactor: bsa?.lsfReductionFactor ?? 1,
    tumours: c.compartments
      .map((comp, i) => ({ comp, i }))
      .filter(({ comp }) => comp.kind === "tumour")
      .map(({ comp, i }) => ({ name: comp.name, doseGy: forward[i].doseGy, tumourToNormalRatio: comp.tumourToNormalRatio })),
    tumourTargetGy,
    normalLiverDoseGy: normalIndex >= 0 ? forward[normalIndex].doseGy : null,
    normalLiverLimitGy,
    perfusedDoseGy: perfusedPerGBq * activityGBq,
    lungDoseGy: lungDose,
    lungLimitGy,
    lungCumulativeDoseGy: lung.cumulativeDoseGy,
    lungCumulativeLimitGy,
    lungActivityGBq: lung.activityGBq,
  });

  const decay =
    c.timing !== undefined || c.residualFraction !== undefined || c.activityAtCalibrationGBq !== undefined
      ? decayReport(activityGBq, nuclide, hours, residual, {
          calibrationTime: c.timing?.calibrationTime,
          treatmentTime: c.timing?.treatmentTime,
        })
      : undefined;

  return {
    method: c.method,
    product: c.product,
    activityGBq,
    ...(c.target !== undefined ? { target: c.target } : {}),
    compartments,
    perfused: { massKg: perfusedMassKg, activityGBq: activityGBq * (1 - lsf), doseGy: perfusedPerGBq * activityGBq },
    limits,
    advisories: advice,
    ...(bsa !== undefined ? { bsa } : {}),
    ...(decay !== undefined ? { decay } : {}),
    provenance: {
      doseCoefficientGyKgPerGBq: kGyKgPerGBq,
      doseCoefficientConvention: k.convention,
      doseCoefficientSource: k.source,
      meanEnergyMeV: k.meanEnergyMeV,
      nuclide: nuclide.id,
      halfLifeH: nuclide.halfLifeH,
      lungMassKg: c.lungMassKg,
      methodSource: METHOD_SOURCES[c.method],
      guideline: EANM_2022_SOURCE,
      guidelineNote: guidance.note,
      version: meta.version ?? "unknown",
    },
  };
}

/** Dose per administered GBq of the quantity a target names. */
function targetDosePerGBq(c: PlanningCase, perGBq: readonly number[], perfusedPerGBq: number, lungPerGBq: number): number {
  const name = (c.target as { compartment: string }).compartment;
  if (name === LUNG_TARGET) {
    if (c.lungShuntFraction === 0) throw new InputError("target.compartment", 'target.compartment "lung" needs lungShuntFraction > 0');
    return lungPerGBq;
  }
  const index = c.compartments.findIndex((comp) => comp.name === name);
  if (c.method === "mird") {
    // MIRD plans to the mean dose of the perfused volume; a named compartment is accepted when it
    // is the only one (then it is the perfused volume).
    if (name === PERFUSED_TARGET || (index >= 0 && c.compartments.length === 1)) return perfusedPerGBq;
    throw new InputError("target.compartment", `target.compartment for method mird must be "perfused" or "lung" (or the only compartment's name), got "${name}"`);
  }
  if (index >= 0) return perGBq[index];
  if (name === PERFUSED_TARGET) return perfusedPerGBq;
  const allowed = [...c.compartments.map((comp) => comp.name), PERFUSED_TARGET, LUNG_TARGET].join(", ");
  throw new InputError("target.compartment", `target.compartment must be one of ${allowed}, got "${name}"`);
}

function bsaPlan(c: PlanningCase, perfusedMassKg: number): BsaReport {
  const p = c.patient;
  if (p === undefined) throw new InputError("patient", "patient (heightCm and weightKg, or bsaM2) is required for method bsa");
  let bsaM2: number;
  if (p.bsaM2 !== undefined) {
    bsaM2 = checkRange("patient.bsaM2", p.bsaM2, 0, 5, { minOpen: true });
  } else {
    if (p.heightCm === undefined) throw new InputError("patient.heightCm", "patient.heightCm is required for method bsa");
    if (p.weightKg === undefined) throw new InputError("patient.weightKg", "patient.weightKg is required for method bsa");
    bsaM2 = bodySurfaceAreaM2(p.heightCm, p.weightKg);
  }
  // Tumour involvement is a VOLUME fraction (Sirtex IFU); volumes from mass / density.
  let tumourMl = 0;
  let totalMl = 0;
  for (const comp of c.compartments) {
    const ml = (comp.massKg * 1000) / comp.densityGPerMl;
    totalMl += ml;
    if (comp.kind === "tumour") tumourMl += ml;
  }
  let perfusedFractionOfLiver = 1;
  if (c.wholeLiverMassKg !== undefined) {
    if (c.wholeLiverMassKg < perfusedMassKg * (1 - 1e-12)) {
      throw new InputError(
        "wholeLiver",
        `wholeLiver must be at least the perfused mass ${perfusedMassKg.toFixed(3)} kg (sum of compartments), got ${c.wholeLiverMassKg} kg`,
      );
    }
    perfusedFractionOfLiver = Math.min(1, perfusedMassKg / c.wholeLiverMassKg);
  }
  const tumourInvolvementFraction = tumourMl / totalMl;
  return {
    bsaM2,
    tumourInvolvementFraction,
    perfusedFractionOfLiver,
    unreducedActivityGBq: bsaActivityGBq(bsaM2, tumourInvolvementFraction, perfusedFractionOfLiver),
    lsfReductionFactor: lsfReduction(c.lungShuntFraction).factor,
  };
}

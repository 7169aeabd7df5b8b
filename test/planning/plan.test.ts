import { describe, expect, it } from "vitest";
import { planTreatment, type CompartmentResult, type LungResult, type PlanningCase } from "../../src/planning/index.js";
import { InputError } from "../../src/errors.js";

/** A PlanningCase with defaults, as parseCase would produce it. */
function makeCase(over: Partial<PlanningCase>): PlanningCase {
  return {
    product: "sir-spheres",
    method: "partition",
    lungShuntFraction: 0.08,
    lungMassKg: 1,
    priorLungDoseGy: 0,
    compartments: [
      { name: "tumour", kind: "tumour", massKg: 0.2, densityGPerMl: 1.03, tumourToNormalRatio: 4 },
      { name: "normal", kind: "normal", massKg: 1.3, densityGPerMl: 1.03 },
    ],
    indication: "other",
    scenario: "whole-liver",
    pretreated: false,
    ...over,
  };
}

/** The engine's one Y-90 dose coefficient: 0.9367 MeV × 64.1 h / ln 2 × 1 GBq in 1 kg, Gy·kg/GBq (hand value). */
const K_Y90 = 49.962709601;

const dose = (r: ReturnType<typeof planTreatment>, name: string) => (r.compartments[name] as CompartmentResult).doseGy;
const lung = (r: ReturnType<typeof planTreatment>) => r.compartments.lung as LungResult;
const codes = (r: ReturnType<typeof planTreatment>) => r.advisories.map((a) => a.code);

describe("planTreatment", () => {
  it("plans the issue's partition case: 1.83822 GBq, tumour 160 Gy, lung 7.304 Gy, K reported as user 49.67", () => {
    const r = planTreatment(makeCase({ target: { compartment: "normal", doseGy: 40 }, doseCoefficientGyKgPerGBq: 49.67 }));
    expect(r.activityGBq).toBeCloseTo(1.83822, 5);
    expect(dose(r, "tumour")).toBeCloseTo(160, 9);
    expect(lung(r).doseGy).toBeCloseTo(7.304, 3);
    expect(r.provenance).toMatchObject({ doseCoefficientGyKgPerGBq: 49.67, doseCoefficientConvention: "user", nuclide: "Y-90" });
    expect(Object.keys(r.compartments)).toEqual(["tumour", "normal", "lung"]);
  });

  it("plans the issue's MIRD case with the engine's one Y-90 K = 49.9627 (0.9367 MeV; the label's 50 is 0.07 % higher)", () => {
    const r = planTreatment(
      makeCase({
        product: "therasphere",
        method: "mird",
        lungShuntFraction: 0.05,
        compartments: [{ name: "perfused", kind: "perfused", massKg: 1.5, densityGPerMl: 1.03 }],
        target: { compartment: "perfused", doseGy: 120 },
      }),
    );
    // Hand: A = 120 · 1.5 / (49.9627 · 0.95) = 3.79230 GBq (3.7895 with the label's K = 50);
    // lung = D · M · LSF / (1 − LSF) = 9.474 Gy whatever K.
    expect(r.activityGBq).toBeCloseTo(3.7923, 4);
    expect(lung(r).doseGy).toBeCloseTo(9.474, 3);
    expect(r.provenance.doseCoefficientConvention).toBe("derived");
    expect(r.provenance.doseCoefficientGyKgPerGBq).toBeCloseTo(K_Y90, 9);
  });

  it.each([
    ["sir-spheres", K_Y90, 0.9367, "Y-90"],
    ["therasphere", K_Y90, 0.9367, "Y-90"],
    ["quiremspheres", 15.8715, 0.7117, "Ho-166"],
  ] as const)("uses the nuclide's one K for %s (%f Gy·kg/GBq, %f MeV per decay)", (product, k, energyMeV, nuclide) => {
    const r = planTreatment(makeCase({ product, activityGBq: 2 }));
    expect(r.provenance).toMatchObject({ doseCoefficientConvention: "derived", nuclide });
    expect(r.provenance.doseCoefficientGyKgPerGBq).toBeCloseTo(k, 4);
    expect(r.provenance.meanEnergyMeV).toBeCloseTo(energyMeV, 12);
  });

  it("resin planned with the engine's K gives 0.59 % less activity than with the published Gulec/Utrecht 49.67", () => {
    const engine = planTreatment(makeCase({ target: { compartment: "normal", doseGy: 40 } }));
    const published = planTreatment(makeCase({ target: { compartment: "normal", doseGy: 40 }, doseCoefficientGyKgPerGBq: 49.67 }));
    expect(published.activityGBq / engine.activityGBq - 1).toBeCloseTo(K_Y90 / 49.67 - 1, 9);
    expect(K_Y90 / 49.67 - 1).toBeCloseTo(0.00589, 5);
  });

  it("inverts for a tumour target, a perfused-volume target and a lung target", () => {
    expect(dose(planTreatment(makeCase({ target: { compartment: "tumour", doseGy: 205 } })), "tumour")).toBeCloseTo(205, 9);
    expect(planTreatment(makeCase({ target: { compartment: "perfused", doseGy: 70 } })).perfused.doseGy).toBeCloseTo(70, 9);
    expect(lung(planTreatment(makeCase({ target: { compartment: "lung", doseGy: 12 } }))).doseGy).toBeCloseTo(12, 9);
  });

  it("MIRD uses the mean dose over the perfused mass: A = D·M/(K(1−LSF)) whatever the T/N", () => {
    const r = planTreatment(makeCase({ method: "mird", target: { compartment: "perfused", doseGy: 100 } }));
    expect(r.activityGBq).toBeCloseTo((100 * 1.5) / (K_Y90 * 0.92), 8);
    // Doses inside still follow T/N: tumour = 4 × normal.
    expect(dose(r, "tumour") / dose(r, "normal")).toBeCloseTo(4, 12);
  });

  it("rejects a MIRD target on one of several compartments", () => {
    expect(() => planTreatment(makeCase({ method: "mird", target: { compartment: "tumour", doseGy: 100 } }))).toThrow(InputError);
  });

  it("each constraint's maxActivityGBq gives exactly its limit when planned forward", () => {
    const base = makeCase({ product: "therasphere", lungShuntFraction: 0.12, priorLungDoseGy: 25, lungMassKg: 1.1, activityGBq: 1 });
    const r = planTreatment(base);
    for (const [name, c] of Object.entries(r.limits.constraints)) {
      expect(c.maxActivityGBq).not.toBeNull();
      const atLimit = planTreatment({ ...base, activityGBq: c.maxActivityGBq as number });
      expect(atLimit.limits.constraints[name].value, name).toBeCloseTo(c.limit, 9);
    }
    expect(Object.keys(r.limits.constraints).sort()).toEqual(["glassLungActivity", "lungCumulative", "lungSingle", "normalLiver"]);
  });

  it("reports the constraint that binds: normal liver, lung 30 Gy, cumulative 50 Gy, glass 0.61 GBq", () => {
    expect(planTreatment(makeCase({ activityGBq: 1 })).limits.binding).toBe("normalLiver");
    // LSF 0.3, K 49.96: lung 30 Gy allows 2.001 GBq; normal liver 40 Gy allows 40/(49.96·0.7/(0.8+1.3)) = 2.402 GBq.
    expect(planTreatment(makeCase({ lungShuntFraction: 0.3, activityGBq: 1 })).limits.binding).toBe("lungSingle");
    expect(planTreatment(makeCase({ lungShuntFraction: 0.2, priorLungDoseGy: 35, activityGBq: 1 })).limits.binding).toBe("lungCumulative");
    // Glass, 1.2 kg lungs, LSF 0.15: lung 30 Gy allows 36/7.5 = 4.8 GBq; 0.61/0.15 = 4.067 GBq; normal liver
    // (limit raised to 100 Gy) 100 / (49.96 · 0.85 / 2.1) = 4.94 GBq.
    const glass = planTreatment(
      makeCase({ product: "therasphere", lungShuntFraction: 0.15, lungMassKg: 1.2, limits: { normalLiverDoseGy: 100 }, activityGBq: 1 }),
    );
    expect(glass.limits.binding).toBe("glassLungActivity");
    expect(glass.limits.maxActivityGBq).toBeCloseTo(0.61 / 0.15, 12);
  });

  it("reports an unbounded lung constraint as null when LSF is 0", () => {
    const r = planTreatment(makeCase({ lungShuntFraction: 0, activityGBq: 1 }));
    expect(r.limits.constraints.lungSingle.maxActivityGBq).toBeNull();
    expect(JSON.parse(JSON.stringify(r)).limits.constraints.lungSingle.maxActivityGBq).toBeNull();
  });

  it("BSA: reduces the activity by 20 % for LSF 0.12 and says so", () => {
    const r = planTreatment(
      makeCase({
        method: "bsa",
        lungShuntFraction: 0.12,
        patient: { heightCm: 175, weightKg: 75 },
        compartments: [
          { name: "t", kind: "tumour", massKg: 0.309, densityGPerMl: 1.03 },
          { name: "n", kind: "normal", massKg: 1.545, densityGPerMl: 1.03 },
        ],
      }),
    );
    // Hand: (1.903112 − 0.2 + 300/1800) · 0.8 = 1.495823 GBq.
    expect(r.activityGBq).toBeCloseTo(1.495823, 5);
    expect(codes(r)).toContain("LSF_ACTIVITY_REDUCED");
    expect(codes(r)).toContain("TUMOUR_TN_UNKNOWN");
  });

  it("BSA lobar: scales by the perfused fraction of the whole liver (0.737133 GBq for 900 of 1800 mL)", () => {
    // Hand: 160 cm, 55 kg → BSA 1.563154 m²; (1.563154 − 0.2 + 100/900) · 900/1800 = 0.737133 GBq.
    const r = planTreatment(
      makeCase({
        method: "bsa",
        scenario: "lobar",
        lungShuntFraction: 0.05,
        patient: { heightCm: 160, weightKg: 55 },
        compartments: [
          { name: "t", kind: "tumour", massKg: 0.103, densityGPerMl: 1.03 },
          { name: "n", kind: "normal", massKg: 0.824, densityGPerMl: 1.03 },
        ],
        wholeLiverMassKg: 1.854,
      }),
    );
    expect(r.bsa?.perfusedFractionOfLiver).toBeCloseTo(0.5, 12);
    expect(r.activityGBq).toBeCloseTo(0.737133, 5);
  });

  it("BSA: LSF above 20 % is a contraindication for resin", () => {
    const r = planTreatment(makeCase({ method: "bsa", lungShuntFraction: 0.22, patient: { bsaM2: 1.8 } }));
    expect(r.advisories.find((a) => a.code === "LSF_CONTRAINDICATED")?.level).toBe("contraindication");
    expect(r.bsa?.lsfReductionFactor).toBe(0.6);
  });

  it("raises lung, normal-liver, tumour, T/N and segmentectomy advisories with their levels", () => {
    const over = planTreatment(makeCase({ lungShuntFraction: 0.3, activityGBq: 4 }));
    expect(over.advisories.filter((a) => a.level === "contraindication").map((a) => a.code)).toContain("LUNG_DOSE_OVER_LIMIT");
    expect(codes(over)).toContain("NORMAL_LIVER_OVER_LIMIT");
    const low = planTreatment(
      makeCase({
        compartments: [
          { name: "t", kind: "tumour", massKg: 0.2, densityGPerMl: 1.03, tumourToNormalRatio: 1.2 },
          { name: "n", kind: "normal", massKg: 1.3, densityGPerMl: 1.03 },
        ],
        target: { compartment: "n", doseGy: 40 },
      }),
    );
    expect(codes(low)).toEqual(expect.arrayContaining(["LOW_TUMOUR_TO_NORMAL_RATIO", "TUMOUR_BELOW_TARGET"]));
    const seg = planTreatment(
      makeCase({
        product: "therasphere",
        method: "mird",
        scenario: "segmentectomy",
        compartments: [{ name: "s", kind: "perfused", massKg: 0.2, densityGPerMl: 1.03 }],
        target: { compartment: "perfused", doseGy: 300 },
      }),
    );
    expect(codes(seg)).toEqual(["SEGMENTECTOMY_BELOW_TARGET"]);
    const glassLung = planTreatment(makeCase({ product: "therasphere", lungShuntFraction: 0.2, activityGBq: 3.5 }));
    expect(codes(glassLung)).toContain("GLASS_LUNG_ACTIVITY_OVER_LIMIT");
    const cumulative = planTreatment(makeCase({ priorLungDoseGy: 45, activityGBq: 2 }));
    expect(codes(cumulative)).toContain("LUNG_CUMULATIVE_DOSE_OVER_LIMIT");
    expect(codes(cumulative)).not.toContain("LUNG_DOSE_OVER_LIMIT");
  });

  it("uses the resin normal-liver limit 30 Gy when pretreated, and user overrides of limits", () => {
    expect(planTreatment(makeCase({ pretreated: true, activityGBq: 1 })).limits.constraints.normalLiver.limit).toBe(30);
    const r = planTreatment(makeCase({ limits: { normalLiverDoseGy: 35, lungDoseGy: 20 }, activityGBq: 1 }));
    expect(r.limits.constraints.normalLiver.limit).toBe(35);
    expect(r.limits.constraints.lungSingle.limit).toBe(20);
  });

  it("forward from the vial: 3 GBq at calibration, 96 h later, no residual, delivers 1.0624 GBq", () => {
    const r = planTreatment(makeCase({ activityAtCalibrationGBq: 3, timing: { hoursCalibrationToTreatment: 96 } }));
    expect(r.activityGBq).toBeCloseTo(1.0624, 4);
    expect(r.decay?.activityAtCalibrationGBq).toBeCloseTo(3, 12);
  });

  it.each([
    ["lungShuntFraction", { lungShuntFraction: NaN, activityGBq: 1 }],
    ["compartments[0].massKg", { compartments: [{ name: "n", kind: "normal" as const, massKg: -1, densityGPerMl: 1.03 }], activityGBq: 1 }],
    ["activityGBq", { activityGBq: Infinity }],
    ["target.doseGy", { target: { compartment: "normal", doseGy: NaN } }],
    ["priorLungDoseGy", { priorLungDoseGy: -1, activityGBq: 1 }],
    ["limits.lungDoseGy", { limits: { lungDoseGy: NaN }, activityGBq: 1 }],
    ["hoursCalibrationToTreatment", { timing: { hoursCalibrationToTreatment: NaN }, activityGBq: 1 }],
    ["doseCoefficientGyKgPerGBq", { doseCoefficientGyKgPerGBq: 0, activityGBq: 1 }],
  ] as const)("rejects a library case with an invalid %s (InputError naming it)", (field, over) => {
    expect(() => planTreatment(makeCase(over as Partial<PlanningCase>))).toThrow(new RegExp(`^${field.replace(/[[\].]/g, "\\$&")} must be in`));
  });

  it("rejects a partition case with both a target and an activity", () => {
    expect(() => planTreatment(makeCase({ activityGBq: 1, target: { compartment: "normal", doseGy: 40 } }))).toThrow(/exactly one/);
  });
});

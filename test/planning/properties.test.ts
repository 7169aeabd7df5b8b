import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planTreatment, type CompartmentResult, type LungResult, type PlanningCase } from "../../src/planning/index.js";

/** Random valid partition cases: 1–6 compartments (one normal), LSF in [0, 0.5), K in [10, 60]. */
const caseArb = fc
  .record({
    tumours: fc.array(
      fc.record({ massKg: fc.double({ min: 0.005, max: 2, noNaN: true }), tn: fc.double({ min: 0.3, max: 30, noNaN: true }) }),
      { minLength: 0, maxLength: 5 },
    ),
    normalKg: fc.double({ min: 0.05, max: 3, noNaN: true }),
    // LSF 0 exactly, or a clinically meaningful value (subnormal LSFs make lung doses underflow).
    lsf: fc.oneof(fc.constant(0), fc.double({ min: 1e-4, max: 0.5, maxExcluded: true, noNaN: true })),
    k: fc.double({ min: 10, max: 60, noNaN: true }),
    lungMassKg: fc.double({ min: 0.5, max: 2, noNaN: true }),
  })
  .map(
    (r): PlanningCase => ({
      product: "sir-spheres",
      method: "partition",
      lungShuntFraction: r.lsf,
      lungMassKg: r.lungMassKg,
      priorLungDoseGy: 0,
      doseCoefficientGyKgPerGBq: r.k,
      compartments: [
        ...r.tumours.map((t, i) => ({ name: `t${i}`, kind: "tumour" as const, massKg: t.massKg, densityGPerMl: 1.03, tumourToNormalRatio: t.tn })),
        { name: "normal", kind: "normal" as const, massKg: r.normalKg, densityGPerMl: 1.03 },
      ],
      indication: "other",
      scenario: "whole-liver",
      pretreated: false,
    }),
  );

const liverDoses = (c: PlanningCase, activityGBq: number) => {
  const r = planTreatment({ ...c, activityGBq });
  return c.compartments.map((comp) => (r.compartments[comp.name] as CompartmentResult).doseGy);
};

describe("planning properties (fast-check)", () => {
  it("forward(inverse(target)) gives the target dose on any compartment, the perfused volume or the lung", () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), fc.double({ min: 1, max: 1000, noNaN: true }), (c, pick, doseGy) => {
        const names = [...c.compartments.map((x) => x.name), "perfused", ...(c.lungShuntFraction > 0 ? ["lung"] : [])];
        const compartment = names[pick % names.length];
        const inverse = planTreatment({ ...c, target: { compartment, doseGy } });
        fc.pre(inverse.activityGBq <= 100); // planTreatment accepts forward activities up to 100 GBq
        const forward = planTreatment({ ...c, activityGBq: inverse.activityGBq });
        const got =
          compartment === "perfused"
            ? forward.perfused.doseGy
            : compartment === "lung"
              ? (forward.compartments.lung as LungResult).doseGy
              : (forward.compartments[compartment] as CompartmentResult).doseGy;
        expect(got / doseGy).toBeCloseTo(1, 10);
      }),
      { numRuns: 300 },
    );
  });

  it("every dose scales linearly with the administered activity", () => {
    fc.assert(
      fc.property(caseArb, fc.double({ min: 0.01, max: 20, noNaN: true }), fc.double({ min: 0.1, max: 5, noNaN: true }), (c, a, s) => {
        if (a * s > 100) return;
        const d1 = liverDoses(c, a);
        const d2 = liverDoses(c, a * s);
        d1.forEach((d, i) => expect(d2[i] / (s * d)).toBeCloseTo(1, 10));
        const l1 = (planTreatment({ ...c, activityGBq: a }).compartments.lung as LungResult).doseGy;
        const l2 = (planTreatment({ ...c, activityGBq: a * s }).compartments.lung as LungResult).doseGy;
        if (l1 > 0) expect(l2 / (s * l1)).toBeCloseTo(1, 10);
      }),
      { numRuns: 300 },
    );
  });

  it("compartment activities plus the lung activity add up to the administered activity", () => {
    fc.assert(
      fc.property(caseArb, fc.double({ min: 0.01, max: 50, noNaN: true }), (c, a) => {
        const r = planTreatment({ ...c, activityGBq: a });
        let liver = 0;
        for (const comp of c.compartments) liver += (r.compartments[comp.name] as CompartmentResult).activityGBq;
        const lungGBq = (r.compartments.lung as LungResult).activityGBq;
        expect(liver).toBeCloseTo(r.perfused.activityGBq, 10);
        expect((liver + lungGBq) / a).toBeCloseTo(1, 12);
      }),
      { numRuns: 300 },
    );
  });

  it("the activity limit implied by each constraint reproduces that constraint's limit exactly", () => {
    fc.assert(
      fc.property(caseArb, fc.double({ min: 0, max: 40, noNaN: true }), (c, prior) => {
        const base = { ...c, priorLungDoseGy: prior, activityGBq: 1 };
        const r = planTreatment(base);
        for (const [name, con] of Object.entries(r.limits.constraints)) {
          if (con.maxActivityGBq === null || con.maxActivityGBq === 0 || con.maxActivityGBq > 100) continue;
          const at = planTreatment({ ...base, activityGBq: con.maxActivityGBq });
          expect(at.limits.constraints[name].value / con.limit).toBeCloseTo(1, 10);
        }
      }),
      { numRuns: 200 },
    );
  });
});

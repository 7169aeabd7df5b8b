import { describe, expect, it } from "vitest";
import {
  activityFractions,
  bodySurfaceAreaM2,
  bsaActivityGBq,
  decayReport,
  deliveredFromCalibrationGBq,
  doseGyPerGBq,
  lsfReduction,
  lungDoseGy,
  maxActivityForLungActivityGBq,
  maxActivityForLungDoseGBq,
  mirdActivityGBq,
  mirdDoseGy,
  partitionActivityForDoseGBq,
  partitionForward,
  perfusedDoseGyPerGBq,
} from "../../src/planning/index.js";
import { HO166, Y90 } from "../../src/physics/nuclides.js";
import { InputError } from "../../src/errors.js";

describe("MIRD single compartment", () => {
  it("mirdActivityGBq(120 Gy, 1.5 kg, LSF 0.05, K 50) is 3.7895 GBq and the lung gets 9.474 Gy (issue 2)", () => {
    // Hand: 120 · 1.5 / (50 · 0.95) = 180 / 47.5 = 3.789474; lung 50 · 3.789474 · 0.05 / 1 = 9.47368.
    const activityGBq = mirdActivityGBq(120, 1.5, 0.05, 50);
    expect(activityGBq).toBeCloseTo(3.7895, 4);
    expect(lungDoseGy(activityGBq, 0.05, 50, 1)).toBeCloseTo(9.474, 3);
    expect(mirdDoseGy(activityGBq, 1.5, 0.05, 50)).toBeCloseTo(120, 10);
  });

  it("Ho-166: 3.78 GBq per kg gives 60 Gy with K = 15.87 (EANM 2022 planning rule, LSF 0)", () => {
    expect(mirdDoseGy(3.78, 1, 0, 15.87)).toBeCloseTo(60, 0);
  });
});

describe("partition model", () => {
  const issueCase = [
    { name: "tumour", massKg: 0.2, relativeConcentration: 4 },
    { name: "normal", massKg: 1.3, relativeConcentration: 1 },
  ];

  it("partitionActivityForDoseGBq(normal 40 Gy) is 1.83822 GBq with tumour 160 Gy and lung 7.304 Gy (issue 2)", () => {
    // Hand (Ho 1996): A_N = 40 · 1.3 / 49.67 = 1.046909; A_T = 4 · 0.2 / 1.3 · A_N = 0.644252;
    // A = (A_N + A_T) / 0.92 = 1.838219; tumour 4 · 40 = 160 Gy; lung 49.67 · 1.838219 · 0.08 = 7.30435.
    const activityGBq = partitionActivityForDoseGBq(issueCase, 1, 40, 0.08, 49.67);
    expect(activityGBq).toBeCloseTo(1.83822, 5);
    const doses = partitionForward(issueCase, activityGBq, 0.08, 49.67);
    expect(doses[0].doseGy).toBeCloseTo(160, 9);
    expect(doses[1].doseGy).toBeCloseTo(40, 9);
    expect(lungDoseGy(activityGBq, 0.08, 49.67, 1)).toBeCloseTo(7.304, 3);
  });

  it("partitionForward puts T/N times the normal-liver concentration in each tumour (T/N is a concentration ratio)", () => {
    const comps = [
      { name: "t1", massKg: 0.05, relativeConcentration: 6 },
      { name: "t2", massKg: 0.4, relativeConcentration: 2 },
      { name: "n", massKg: 1.1, relativeConcentration: 1 },
    ];
    const d = partitionForward(comps, 2.5, 0.1, 49.67);
    const normalConcentration = d[2].activityGBq / d[2].massKg;
    expect(d[0].activityGBq / d[0].massKg / normalConcentration).toBeCloseTo(6, 12);
    expect(d[1].activityGBq / d[1].massKg / normalConcentration).toBeCloseTo(2, 12);
    // Activity ratio differs from T/N: tumour 1 holds 6·0.05 / (1·1.1) = 0.2727 of normal's activity.
    expect(d[0].activityGBq / d[2].activityGBq).toBeCloseTo((6 * 0.05) / 1.1, 12);
  });

  it("with one compartment the partition model equals the MIRD formula (second method)", () => {
    const one = [{ name: "p", massKg: 1.7, relativeConcentration: 1 }];
    expect(doseGyPerGBq(one, 0.07, 50)[0] * 2.2).toBeCloseTo(mirdDoseGy(2.2, 1.7, 0.07, 50), 12);
    expect(perfusedDoseGyPerGBq(issueCase, 0.08, 49.67) * 1.8).toBeCloseTo(mirdDoseGy(1.8, 1.5, 0.08, 49.67), 12);
  });

  it("activityFractions sum to 1 − LSF", () => {
    const f = activityFractions(issueCase, 0.08);
    expect(f[0] + f[1]).toBeCloseTo(0.92, 14);
  });
});

describe("body surface area", () => {
  it("bodySurfaceAreaM2(175 cm, 75 kg) is 1.90311 m² (Du Bois: 0.20247 · 1.75^0.725 · 75^0.425, SIR-Spheres IFU)", () => {
    // Hand: 1.75^0.725 = exp(0.725 · 0.559616) = 1.500376; 75^0.425 = exp(0.425 · 4.317488) = 6.264659;
    // 0.20247 · 1.500376 · 6.264659 = 1.903112.
    expect(bodySurfaceAreaM2(175, 75)).toBeCloseTo(1.903112, 5);
  });

  it("bsaActivityGBq is BSA − 0.2 + tumour involvement for whole liver (1.86978 GBq for 300 of 1800 mL)", () => {
    // Hand: 1.903112 − 0.2 + 300/1800 = 1.869778 GBq.
    expect(bsaActivityGBq(bodySurfaceAreaM2(175, 75), 300 / 1800)).toBeCloseTo(1.869778, 5);
  });

  it("bsaActivityGBq scales by the perfused fraction of the liver for lobar treatment", () => {
    // 160 cm, 55 kg: BSA = 0.20247 · 1.6^0.725 · 55^0.425 = 1.563154; lobe 900 of 1800 mL with 100 mL tumour:
    // (1.563154 − 0.2 + 100/900) · 0.5 = 0.737133 GBq.
    expect(bsaActivityGBq(bodySurfaceAreaM2(160, 55), 100 / 900, 0.5)).toBeCloseTo(0.737133, 5);
  });

  it("bodySurfaceAreaM2 rejects a non-positive weight naming the field", () => {
    expect(() => bodySurfaceAreaM2(170, 0)).toThrow(/patient\.weightKg must be in/);
  });
});

describe("LSF rules (SIR-Spheres IFU)", () => {
  it.each([
    [0, 1, false],
    [0.1, 1, false],
    [0.1000001, 0.8, false],
    [0.15, 0.8, false],
    [0.16, 0.6, false],
    [0.2, 0.6, false],
    [0.21, 0.6, true],
  ])("lsfReduction(%f) gives factor %f (contraindicated: %s)", (lsf, factor, contraindicated) => {
    expect(lsfReduction(lsf)).toEqual({ factor, contraindicated });
  });
});

describe("lung limits", () => {
  it("maxActivityForLungDoseGBq(30 Gy) with LSF 0.1, K 50, 1 kg is 6 GBq; with 20 Gy prior the 50 Gy limit allows 6 GBq too", () => {
    expect(maxActivityForLungDoseGBq(30, 0, 0.1, 50, 1)).toBeCloseTo(6, 12);
    expect(maxActivityForLungDoseGBq(50, 20, 0.1, 50, 1)).toBeCloseTo(6, 12);
    expect(maxActivityForLungDoseGBq(50, 60, 0.1, 50, 1)).toBe(0);
    expect(maxActivityForLungDoseGBq(30, 0, 0, 50, 1)).toBe(Infinity);
  });

  it("maxActivityForLungActivityGBq(0.61 GBq, LSF 0.1) is 6.1 GBq (TheraSphere rule)", () => {
    expect(maxActivityForLungActivityGBq(0.61, 0.1)).toBeCloseTo(6.1, 12);
  });
});

describe("decay and residual", () => {
  it("3 GBq at calibration is 1.0624 GBq after 96 h of Y-90 decay (issue 2)", () => {
    // Hand: 3 · exp(−ln2 · 96 / 64.1) = 3 · 0.354127 = 1.06238.
    expect(deliveredFromCalibrationGBq(3, Y90, 96, 0)).toBeCloseTo(1.0624, 4);
  });

  it("decayReport orders delivered / (1 − residual) · exp(λt) at calibration", () => {
    const r = decayReport(1.0624, Y90, 96, 0.03);
    expect(r.dispensedActivityGBq).toBeCloseTo(1.0624 / 0.97, 12);
    expect(r.residualActivityGBq + r.deliveredActivityGBq).toBeCloseTo(r.dispensedActivityGBq, 12);
    expect(r.activityAtCalibrationGBq * r.decayFactor).toBeCloseTo(r.dispensedActivityGBq, 12);
    expect(r.activityAtCalibrationGBq).toBeCloseTo(3 / 0.97, 3);
  });

  it("Ho-166 halves in 26.8 h", () => {
    expect(deliveredFromCalibrationGBq(4, HO166, 26.8, 0)).toBeCloseTo(2, 12);
  });

  it("bsaActivityGBq throws an InputError when the formula gives no positive activity", () => {
    expect(() => bsaActivityGBq(0.1, 0)).toThrow(InputError);
  });
});
